package io.lrp.tensor;

/**
 * Reductions over a stretch of a float array, accumulated in double. Four independent partial
 * sums let the CPU overlap the additions (one running sum is bound by the add latency, and the
 * JIT keeps the order of floating-point sums, so it cannot split them itself). Used by the
 * row-wise kernels: LayerNorm, softmax and their backward passes. With the vector kernels on
 * ({@link Simd}) the same reductions run on double vectors (SimdKernels).
 */
public final class Rows {
    private Rows() {}

    /** sum of a[o .. o+n). */
    public static double sum(float[] a, int o, int n) {
        if (Simd.ENABLED) return SimdKernels.sum(a, o, n);
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += a[o + i];
            s1 += a[o + i + 1];
            s2 += a[o + i + 2];
            s3 += a[o + i + 3];
        }
        for (; i < n; i++) s0 += a[o + i];
        return (s0 + s1) + (s2 + s3);
    }

    /** sum of (a[o + i] - c)^2 over i < n. */
    public static double squaredDeviation(float[] a, int o, int n, double c) {
        if (Simd.ENABLED) return SimdKernels.squaredDeviation(a, o, n, c);
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            double d0 = a[o + i] - c, d1 = a[o + i + 1] - c, d2 = a[o + i + 2] - c, d3 = a[o + i + 3] - c;
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; i < n; i++) {
            double d = a[o + i] - c;
            s0 += d * d;
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** sum of a[ao + i] * b[bo + i] over i < n. */
    public static double dot(float[] a, int ao, float[] b, int bo, int n) {
        if (Simd.ENABLED) return SimdKernels.dot(a, ao, b, bo, n);
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += (double) a[ao + i] * b[bo + i];
            s1 += (double) a[ao + i + 1] * b[bo + i + 1];
            s2 += (double) a[ao + i + 2] * b[bo + i + 2];
            s3 += (double) a[ao + i + 3] * b[bo + i + 3];
        }
        for (; i < n; i++) s0 += (double) a[ao + i] * b[bo + i];
        return (s0 + s1) + (s2 + s3);
    }

    /**
     * LayerNorm's output for rows [r0, r1) of length n: xh = (x - mean[r]) * inv[r] (kept in xhat
     * unless it is null), y = xh * w + b. HotSpot 17 leaves this loop scalar (two stores per
     * element), 6x slower than the vector version (SimdKernels), which computes the same bits.
     */
    public static void normalize(float[] x, float[] xhat, float[] y, float[] w, float[] b, float[] mean, float[] inv,
                                 int r0, int r1, int n) {
        if (Simd.ENABLED && SimdKernels.warm()) SimdKernels.normalizeVector(x, xhat, y, w, b, mean, inv, r0, r1, n);
        else normalizeScalar(x, xhat, y, w, b, mean, inv, r0, r1, n);
    }

    static void normalizeScalar(float[] x, float[] xhat, float[] y, float[] w, float[] b, float[] mean, float[] inv,
                                int r0, int r1, int n) {
        for (int r = r0; r < r1; r++) {
            int o = r * n;
            float m = mean[r], k = inv[r];
            for (int i = 0; i < n; i++) {
                float xh = (x[o + i] - m) * k;
                if (xhat != null) xhat[o + i] = xh;
                y[o + i] = xh * w[i] + b[i];
            }
        }
    }

    /**
     * LayerNorm's input gradient for rows [r0, r1) of length n, added to gx: with gh = g * w,
     * gx += (gh - mean(gh)) / s - k xhat, k = (gh . xhat) dsFactor[r], or 0 when the scale s is
     * held constant (the LN-rule; xhat is not read then and may be null). The vector version computes the same bits once the vector
     * kernels are warm; before that (and without them) this scalar loop runs, its sums through
     * {@link #sum} and {@link #dot}, which are the vector sums' twins then.
     */
    public static void layerNormBackward(float[] g, float[] w, float[] xhat, float[] gx, double[] scale, double[] dsFactor,
                                         boolean scaleDetached, int r0, int r1, int n) {
        if (Simd.ENABLED && SimdKernels.warm()) {
            SimdKernels.layerNormBackwardVector(g, w, xhat, gx, scale, dsFactor, scaleDetached, r0, r1, n);
        } else {
            layerNormBackwardScalar(g, w, xhat, gx, scale, dsFactor, scaleDetached, r0, r1, n);
        }
    }

    static void layerNormBackwardScalar(float[] g, float[] w, float[] xhat, float[] gx, double[] scale, double[] dsFactor,
                                        boolean scaleDetached, int r0, int r1, int n) {
        float[] gh = new float[n];
        for (int r = r0; r < r1; r++) {
            int o = r * n;
            for (int i = 0; i < n; i++) gh[i] = g[o + i] * w[i];
            float mg = (float) (sum(gh, 0, n) / n), inv = (float) (1 / scale[r]);
            float k = scaleDetached ? 0f : (float) (dot(gh, 0, xhat, o, n) * dsFactor[r]);
            if (scaleDetached) for (int i = 0; i < n; i++) gx[o + i] += (gh[i] - mg) * inv; // xhat may be null
            else for (int i = 0; i < n; i++) gx[o + i] += (gh[i] - mg) * inv - k * xhat[o + i];
        }
    }

    /**
     * acc[accOff + c] += sum of g[(r0 + r) * cols + c] over r < rows, for c in [c0, c1): the
     * column sums of a block of rows (bias gradients and bias relevance), each column summed in
     * row order, so the vector version gives the same bits.
     */
    public static void columnSums(float[] g, int r0, int rows, int cols, float[] acc, int accOff, int c0, int c1) {
        if (Simd.ENABLED && SimdKernels.warm()) {
            SimdKernels.columnSumsVector(g, r0, rows, cols, acc, accOff, c0, c1);
            return;
        }
        for (int r = r0; r < r0 + rows; r++) {
            int o = r * cols;
            for (int c = c0; c < c1; c++) acc[accOff + c] += g[o + c];
        }
    }
}
