package io.lrp.tensor;

/**
 * An F32 weight matrix multiplied a slice at a time ({@link BlockedProducts}): one slice per
 * product is copied where the backend reads it, instead of a packed copy of the whole matrix (a
 * 1 GB embedding used as the head would need 1 GB more), and nothing is cached beside the weights.
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
    @Override public String kernel() { return "F32 weights, multiplied a slice at a time by the F32 sgemm (" + Gemm.get().name() + ")"; }

    @Override public void timesTransposed(int n, float[] x, float[] bias, float[] y, float gamma) {
        BlockedProducts.timesTransposed(n, x, rows, cols, this::rowsInto, bias, y, gamma);
    }

    @Override public void leftTimes(int n, float[] g, float beta, float[] gx, float gamma) {
        BlockedProducts.leftTimes(n, g, rows, cols, this::columnsInto, beta, gx, gamma);
    }

    private void rowsInto(int r0, int r1, float[] dst, float gamma) {
        int n = (r1 - r0) * cols, o = r0 * cols;
        if (gamma > 0f) for (int i = 0; i < n; i++) dst[i] = data[o + i] + gamma * Math.max(data[o + i], 0f);
        else System.arraycopy(data, o, dst, 0, n);
    }

    private void columnsInto(int c0, int c1, int r0, int r1, float[] dst, float gamma) {
        int w = c1 - c0;
        for (int r = r0; r < r1; r++) {
            int o = r * cols + c0, d = (r - r0) * w;
            if (gamma > 0f) for (int i = 0; i < w; i++) dst[d + i] = data[o + i] + gamma * Math.max(data[o + i], 0f);
            else System.arraycopy(data, o, dst, d, w);
        }
    }
}
