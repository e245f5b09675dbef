package io.lrp.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * An F32 weight matrix multiplied a slice at a time ({@link BlockedProducts}), for models too
 * large for the backend's cache of packed copies. The values live in direct memory when the
 * matrix fits one buffer (up to 2 GB): the native sgemm then reads each slice where it lies,
 * with no copy per product (copying the slices cost a quarter of a Llama-1B explanation on one
 * core). Larger matrices, or a JVM without room for them in direct memory, keep a heap array,
 * whose slices are copied for each product as before.
 */
public final class F32Matrix implements BlockedMatrix {
    private final FloatBuffer direct; // native order; null when on the heap
    private final float[] heap;       // null when in direct memory
    private final int rows, cols;

    private F32Matrix(int rows, int cols, boolean allowDirect) {
        if (rows < 0 || cols < 0) throw new IllegalArgumentException("negative shape " + rows + " x " + cols);
        this.rows = rows;
        this.cols = cols;
        long n = (long) rows * cols;
        FloatBuffer d = null;
        if (allowDirect && 4 * n <= Integer.MAX_VALUE - 8) {
            try {
                d = ByteBuffer.allocateDirect((int) (4 * n)).order(ByteOrder.nativeOrder()).asFloatBuffer();
            } catch (OutOfMemoryError e) {
                d = null; // direct memory limit (-XX:MaxDirectMemorySize) reached: the heap, with copies per product
            }
        }
        this.direct = d;
        this.heap = d == null ? new float[Math.toIntExact(n)] : null;
    }

    /** A zeroed rows x cols matrix, in direct memory where it fits (see the class comment); fill it with {@link #put}. */
    public static F32Matrix allocate(int rows, int cols) { return new F32Matrix(rows, cols, true); }

    /** A copy of a 2-d tensor. */
    public F32Matrix(Tensor t) {
        this(dim(t, 0), dim(t, 1), true);
        if (direct != null) direct.put(0, t.data, 0, t.data.length);
        else System.arraycopy(t.data, 0, heap, 0, t.data.length);
    }

    /** A copy of a 2-d tensor kept on the heap (tests: the copying path). */
    static F32Matrix onHeap(Tensor t) {
        F32Matrix m = new F32Matrix(dim(t, 0), dim(t, 1), false);
        System.arraycopy(t.data, 0, m.heap, 0, t.data.length);
        return m;
    }

    private static int dim(Tensor t, int i) {
        if (t.rank() != 2) throw new IllegalArgumentException("a matrix is 2-d, got " + t.shapeString());
        return t.dim(i);
    }

    /** Sets element i (row-major); distinct elements may be set from several threads. */
    public void put(long i, float v) {
        if (direct != null) direct.put((int) i, v);
        else heap[(int) i] = v;
    }

    /** Copies src[0, n) to elements [at, at + n). */
    public void put(long at, float[] src, int n) {
        if (direct != null) direct.put((int) at, src, 0, n);
        else System.arraycopy(src, 0, heap, (int) at, n);
    }

    @Override public int rows() { return rows; }
    @Override public int cols() { return cols; }
    @Override public long bytes() { return 4L * rows * cols; }

    @Override public void row(int r, float[] dst, int off) {
        if (direct != null) direct.get(r * cols, dst, off, cols);
        else System.arraycopy(heap, r * cols, dst, off, cols);
    }

    @Override public String kernel() {
        if (direct != null && Gemm.get() instanceof NativeGemm ng) {
            return "F32 weights in direct memory, read in place a slice at a time by " + ng.constantProductKernel();
        }
        return "F32 weights, a slice at a time copied for the F32 sgemm (" + Gemm.get().name() + ")";
    }

    private volatile Tensor digest;

    /** The matrix's stand-in for fingerprints ({@link BlockedMatrix#digest}; computed once). */
    public Tensor digest() {
        Tensor d = digest;
        if (d == null) digest = d = BlockedMatrix.digest(rows, cols, rows * cols, i -> Float.floatToRawIntBits(at(i)));
        return d;
    }

    @Override public void timesTransposed(int n, float[] x, float[] bias, float[] y, float gamma) {
        if (direct != null && gamma == 0f && Gemm.get() instanceof NativeGemm ng) {
            BlockedProducts.timesTransposedInPlace(ng, n, x, rows, cols, direct, bias, y);
        } else {
            BlockedProducts.timesTransposed(n, x, rows, cols, this::rowsInto, bias, y, gamma);
        }
    }

    @Override public void leftTimes(int n, float[] g, float beta, float[] gx, float gamma) {
        if (direct != null && gamma == 0f && Gemm.get() instanceof NativeGemm ng) {
            BlockedProducts.leftTimesInPlace(ng, n, g, rows, cols, direct, beta, gx);
        } else {
            BlockedProducts.leftTimes(n, g, rows, cols, this::columnsInto, beta, gx, gamma);
        }
    }

    private float at(int i) { return direct != null ? direct.get(i) : heap[i]; }

    private void rowsInto(int r0, int r1, float[] dst, float gamma) {
        int n = (r1 - r0) * cols, o = r0 * cols;
        if (gamma > 0f) {
            for (int i = 0; i < n; i++) {
                float w = at(o + i);
                dst[i] = w + gamma * Math.max(w, 0f);
            }
        } else if (direct != null) {
            direct.get(o, dst, 0, n);
        } else {
            System.arraycopy(heap, o, dst, 0, n);
        }
    }

    private void columnsInto(int c0, int c1, int r0, int r1, float[] dst, float gamma) {
        int w = c1 - c0;
        for (int r = r0; r < r1; r++) {
            int o = r * cols + c0, d = (r - r0) * w;
            if (gamma > 0f) {
                for (int i = 0; i < w; i++) {
                    float v = at(o + i);
                    dst[d + i] = v + gamma * Math.max(v, 0f);
                }
            } else if (direct != null) {
                direct.get(o, dst, d, w);
            } else {
                System.arraycopy(heap, o, dst, d, w);
            }
        }
    }
}
