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
}
