package io.lrp.tensor;

/**
 * A row-major [rows, cols] matrix of bfloat16 values (the upper 16 bits of a float32), 2 bytes
 * per weight: how BF16 checkpoints stay in memory. Its products ({@link #timesTransposed},
 * {@link #leftTimes}) widen the weights to float32 one block at a time (a 16-bit left shift, on
 * vectors when {@link Simd#ENABLED}) into a small per-thread buffer and multiply that block with
 * the F32 sgemm of {@link Gemm#get()}: the arithmetic is float32 throughout, only the storage is
 * BF16. No BF16 arithmetic runs (oneDNN's BF16 kernels, for CPUs with AVX-512 BF16, are not called).
 */
public final class Bf16Matrix implements BlockedMatrix {
    public final short[] data;
    private final int rows, cols;

    public Bf16Matrix(short[] data, int rows, int cols) {
        if ((long) rows * cols != data.length) {
            throw new IllegalArgumentException("[" + rows + ", " + cols + "] needs " + (long) rows * cols + " values, buffer has " + data.length);
        }
        this.data = data;
        this.rows = rows;
        this.cols = cols;
    }

    @Override public int rows() { return rows; }
    @Override public int cols() { return cols; }
    @Override public long bytes() { return 2L * data.length; }

    /** float32 to bfloat16 bits, rounded to nearest even (NaN stays a quiet NaN), as torch's .to(bfloat16). */
    public static short fromFloat(float f) {
        int b = Float.floatToRawIntBits(f);
        if ((b & 0x7fffffff) > 0x7f800000) return (short) ((b >>> 16) | 0x40);
        return (short) ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16);
    }

    public static float toFloat(short s) { return Float.intBitsToFloat(s << 16); }

    /** The matrix of a float32 tensor [rows, cols], each value rounded to bfloat16. */
    public static Bf16Matrix of(Tensor t) {
        if (t.rank() != 2) throw new IllegalArgumentException("a BF16 matrix is 2-d, got " + t.shapeString());
        short[] s = new short[t.size()];
        for (int i = 0; i < s.length; i++) s[i] = fromFloat(t.data[i]);
        return new Bf16Matrix(s, t.dim(0), t.dim(1));
    }

    /** The whole matrix widened to float32 (tests, and the F32 copy a caller asks for). */
    public Tensor widen() {
        float[] f = new float[data.length];
        widen(data, 0, f, 0, data.length, 0f);
        return new Tensor(f, rows, cols);
    }

    private volatile Tensor digest;

    /** The matrix's stand-in for fingerprints ({@link BlockedMatrix#digest}; computed once). */
    public Tensor digest() {
        Tensor d = digest;
        if (d == null) digest = d = BlockedMatrix.digest(rows, cols, data.length, i -> data[i] & 0xffff);
        return d;
    }

    /** Row r widened into dst at off (an embedding lookup). */
    @Override public void row(int r, float[] dst, int off) { widen(data, r * cols, dst, off, cols, 0f); }

    @Override public String kernel() { return describe(); }

    /** Which kernel the products of BF16 matrices run, for lrp info and lrp bench. */
    public static String describe() {
        String products = Gemm.get() instanceof NativeGemm ng ? ng.constantProductKernel() : "the F32 sgemm (" + Gemm.get().name() + ")";
        return "BF16 weights, widened a slice at a time to F32 in the java kernel (" + (vectorWiden() ? "vector, 8 lanes" : "scalar")
                + ") for " + products + "; no BF16 arithmetic (oneDNN's BF16 kernels are not used)";
    }

    // ---------------------------------------------------------------- products

    /**
     * y[n, rows] = x[n, cols] W^T (+ bias per row of y), y overwritten: a linear layer's forward
     * with W [out, in]. With gamma > 0 the weights are w + gamma max(w, 0) (the gamma rule's
     * product); the bias is passed as the caller wants it.
     */
    @Override public void timesTransposed(int n, float[] x, float[] bias, float[] y, float gamma) {
        BlockedProducts.timesTransposed(n, x, rows, cols, (r0, r1, dst, g) -> widen(data, r0 * cols, dst, 0, (r1 - r0) * cols, g),
                bias, y, gamma);
    }

    /** gx[n, cols] = g[n, rows] W + beta gx: the gradient of a linear layer's input, W widened a slice of columns at a time. */
    @Override public void leftTimes(int n, float[] g, float beta, float[] gx, float gamma) {
        BlockedProducts.leftTimes(n, g, rows, cols, (c0, c1, r0, r1, dst, gm) -> {
            for (int r = r0, w = c1 - c0; r < r1; r++) widen(data, r * cols + c0, dst, (r - r0) * w, w, gm);
        }, beta, gx, gamma);
    }

    // ---------------------------------------------------------------- widening

    /** The vector widening runs where the vector kernels are on and compiled, on 8 float lanes or more. */
    static boolean vectorWiden() { return Simd.ENABLED && Bf16Kernels.usable(); }

    /** dst[d .. d+n) = src[s .. s+n) widened, each w + gamma max(w, 0) when gamma > 0. */
    static void widen(short[] src, int s, float[] dst, int d, int n, float gamma) {
        if (vectorWiden() && SimdKernels.warm()) {
            Bf16Kernels.widen(src, s, dst, d, n, gamma);
            return;
        }
        widenScalar(src, s, dst, d, n, gamma);
    }

    static void widenScalar(short[] src, int s, float[] dst, int d, int n, float gamma) {
        if (gamma > 0f) {
            for (int i = 0; i < n; i++) {
                float w = Float.intBitsToFloat(src[s + i] << 16);
                dst[d + i] = w + gamma * Math.max(w, 0f);
            }
            return;
        }
        for (int i = 0; i < n; i++) dst[d + i] = Float.intBitsToFloat(src[s + i] << 16);
    }
}
