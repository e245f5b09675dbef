package io.lrp.tensor;

/**
 * A constant weight matrix W [rows, cols] whose products run a slice at a time through
 * the F32 sgemm, so that no copy of the whole matrix is ever made (packed, transposed or
 * widened): BF16 weights ({@link Bf16Matrix}) and the F32 matrices of large models
 * ({@link F32Matrix}).
 */
public interface BlockedMatrix {
    int rows();
    int cols();

    /** Bytes held. */
    long bytes();

    /**
     * y[n, rows] = x[n, cols] W^T (+ bias per row of y), y overwritten. With gamma > 0 the
     * weights are w + gamma max(w, 0) (the gamma rule's product).
     */
    void timesTransposed(int n, float[] x, float[] bias, float[] y, float gamma);

    /** gx[n, cols] = g[n, rows] W + beta gx (the gradient of a linear layer's input), W boosted as above. */
    void leftTimes(int n, float[] g, float beta, float[] gx, float gamma);

    /** Row r into dst at off (an embedding lookup). */
    void row(int r, float[] dst, int off);

    /** Which kernel the products run (lrp info, lrp bench). */
    String kernel();

    /**
     * A stand-in for a matrix where a model lists its parameters for fingerprints: 8 floats, the
     * bytes of a 64-bit FNV-1a hash of the shape and of the n values' bits.
     */
    static Tensor digest(int rows, int cols, int n, java.util.function.IntUnaryOperator bits) {
        long h = 0xcbf29ce484222325L;
        h = (h ^ rows) * 0x100000001b3L;
        h = (h ^ cols) * 0x100000001b3L;
        for (int i = 0; i < n; i++) h = (h ^ bits.applyAsInt(i)) * 0x100000001b3L;
        float[] f = new float[8];
        for (int i = 0; i < 8; i++) f[i] = (h >>> (8 * i)) & 0xff;
        return new Tensor(f, 8);
    }
}
