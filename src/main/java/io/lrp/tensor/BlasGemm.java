package io.lrp.tensor;

import java.nio.FloatBuffer;
import org.bytedeco.openblas.global.openblas;

/** OpenBLAS sgemm through JavaCPP (org.bytedeco). */
public final class BlasGemm implements Gemm {
    private static final int ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;

    public BlasGemm() {
        // loads the natives now, so that a failure shows at selection time
        openblas.blas_set_num_threads(Integer.getInteger("lrp.blas.threads", 1));
    }

    public static void setThreads(int n) { openblas.blas_set_num_threads(n); }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) return;
        int ta = transA ? TRANS : NO_TRANS, tb = transB ? TRANS : NO_TRANS;
        if (aOff == 0 && bOff == 0 && cOff == 0) {
            openblas.cblas_sgemm(ROW_MAJOR, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        } else {
            openblas.cblas_sgemm(ROW_MAJOR, ta, tb, m, n, k, alpha,
                    FloatBuffer.wrap(a, aOff, a.length - aOff), lda,
                    FloatBuffer.wrap(b, bOff, b.length - bOff), ldb, beta,
                    FloatBuffer.wrap(c, cOff, c.length - cOff), ldc);
        }
    }

    @Override public String name() { return "openblas"; }
}
