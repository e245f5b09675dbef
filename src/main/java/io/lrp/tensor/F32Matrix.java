package io.lrp.tensor;

/**
 * An F32 weight matrix multiplied a block of rows at a time ({@link BlockedMatrix}): the
 * backend packs one block per call instead of the whole matrix (a 1 GB embedding used as the
 * head would need a 1 GB packed copy), and nothing is cached beside the weights.
 */
public final class F32Matrix implements BlockedMatrix {
    public final float[] data;
    private final int rows, cols;

    public F32Matrix(Tensor t) {
        if (t.rank() != 2) throw new IllegalArgumentException("a matrix is 2-d, got " + t.shapeString());
        this.data = t.data;
        this.rows = t.dim(0);
        this.cols = t.dim(1);
    }

    @Override public int rows() { return rows; }
    @Override public int cols() { return cols; }
    @Override public long bytes() { return 4L * data.length; }
    @Override public void row(int r, float[] dst, int off) { System.arraycopy(data, r * cols, dst, off, cols); }
    @Override public String kernel() { return "F32 weights, multiplied a block of rows at a time by the F32 sgemm (" + Gemm.get().name() + ")"; }

    @Override public void timesTransposed(int n, float[] x, float[] bias, float[] y, float gamma) {
        int block = Bf16Matrix.blockRows(rows, cols);
        for (int r0 = 0; r0 < rows; r0 += block) {
            int br = Math.min(rows, r0 + block) - r0;
            float[] w = gamma > 0f ? boosted(r0, br, gamma) : data;
            int off = gamma > 0f ? 0 : r0 * cols;
            Gemm.get().sgemm(false, true, n, br, cols, 1f, x, 0, cols, w, off, cols, 0f, y, r0, rows);
        }
        Bf16Matrix.addBias(n, rows, bias, y);
    }

    @Override public void leftTimes(int n, float[] g, float beta, float[] gx, float gamma) {
        int block = Bf16Matrix.blockRows(rows, cols);
        for (int r0 = 0; r0 < rows; r0 += block) {
            int br = Math.min(rows, r0 + block) - r0;
            float[] w = gamma > 0f ? boosted(r0, br, gamma) : data;
            int off = gamma > 0f ? 0 : r0 * cols;
            Gemm.get().sgemm(false, false, n, cols, br, 1f, g, r0, rows, w, off, cols, r0 == 0 ? beta : 1f, gx, 0, cols);
        }
    }

    private float[] boosted(int r0, int br, float gamma) {
        float[] w = Bf16Matrix.scratch(br * cols);
        for (int i = 0, o = r0 * cols; i < br * cols; i++) w[i] = data[o + i] + gamma * Math.max(data[o + i], 0f);
        return w;
    }
}
