package io.lrp.tensor;

/** The reference GEMM: plain loops, i-k-j order so the inner loop runs along rows of B and C. */
public final class JavaGemm implements Gemm {

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        if (transB && !transA) {
            dotProducts(m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            return;
        }
        float[] row = new float[n];
        for (int i = 0; i < m; i++) {
            java.util.Arrays.fill(row, 0f);
            for (int p = 0; p < k; p++) {
                float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                if (av == 0f) continue;
                if (transB) {
                    for (int j = 0; j < n; j++) row[j] += av * b[bOff + j * ldb + p];
                } else {
                    int bo = bOff + p * ldb;
                    for (int j = 0; j < n; j++) row[j] += av * b[bo + j];
                }
            }
            int co = cOff + i * ldc;
            for (int j = 0; j < n; j++) {
                c[co + j] = beta == 0f ? alpha * row[j] : alpha * row[j] + beta * c[co + j];
            }
        }
    }

    /** A B^T: both operands are read along contiguous rows, one dot product per output. */
    private static void dotProducts(int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                                    float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int ao = aOff + i * lda, co = cOff + i * ldc;
            for (int j = 0; j < n; j++) {
                int bo = bOff + j * ldb;
                float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                int p = 0;
                for (; p + 3 < k; p += 4) {
                    s0 += a[ao + p] * b[bo + p];
                    s1 += a[ao + p + 1] * b[bo + p + 1];
                    s2 += a[ao + p + 2] * b[bo + p + 2];
                    s3 += a[ao + p + 3] * b[bo + p + 3];
                }
                for (; p < k; p++) s0 += a[ao + p] * b[bo + p];
                float v = alpha * ((s0 + s1) + (s2 + s3));
                c[co + j] = beta == 0f ? v : v + beta * c[co + j];
            }
        }
    }

    @Override public String name() { return "java"; }
}
