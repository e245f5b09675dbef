package io.lrp.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * A native sgemm (OpenBLAS, oneDNN) through JavaCPP. Operands are handed over in direct buffers:
 * a heap array passed to JNI is copied whole on every call (HotSpot's Get*ArrayElements), which
 * for a head slice of a [B*T, H] buffer or a weight matrix costs more than the product itself.
 * Here only the touched region of an operand is packed into a per-thread direct buffer, and
 * constant operands (weights during an explanation) are packed once and cached, for every
 * backend alike. A backend supplies the call on contiguous row-major buffers.
 */
public abstract class NativeGemm implements Gemm {

    /** What is cached of each constant operand, by array identity; dropped with the array. */
    private static final Map<float[], Packed.Entry> CONSTANTS = Collections.synchronizedMap(new WeakHashMap<>());

    /**
     * Off-heap bytes the packed constants may take (-Dlrp.blas.cacheMB, default 384): MiniLM's
     * weights fit in both layouts, BERT-base's (340 MB) in one; beyond the budget a weight is
     * packed per call, which costs a copy per product but no memory.
     */
    private static volatile long budget = Long.getLong("lrp.blas.cacheMB", 384) << 20;

    /** Sets the budget (tests: the one-layout and no-copy paths); returns the previous one. */
    static long budget(long bytes) {
        long old = budget;
        budget = bytes;
        return old;
    }

    /** Off-heap bytes held by packed constants now. */
    static long cachedBytes() { return cached.get(); }
    private static final java.util.concurrent.atomic.AtomicLong cached = new java.util.concurrent.atomic.AtomicLong();

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * C[m, n] = alpha op(A) op(B) + beta C on contiguous row-major buffers (leading dimensions
     * as given), on the calling thread or the backend's own threads.
     */
    protected abstract void call(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                 FloatBuffer a, int lda, FloatBuffer b, int ldb, float beta, FloatBuffer c, int ldc);

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, false, beta, c, cOff, ldc);
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb, boolean bConstant,
                      float beta, float[] c, int cOff, int ldc) {
        product(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, bConstant, beta, null, c, cOff, ldc);
    }

    /** The bias is added as C's rows come back from direct memory, while each is in cache. */
    @Override
    public void sgemmBias(boolean transA, boolean transB, int m, int n, int k,
                          float[] a, int aOff, int lda, float[] b, int bOff, int ldb, boolean bConstant,
                          float[] bias, float[] c, int cOff, int ldc) {
        product(transA, transB, m, n, k, 1f, a, aOff, lda, b, bOff, ldb, bConstant, 0f, bias, c, cOff, ldc);
    }

    private void product(boolean transA, boolean transB, int m, int n, int k, float alpha,
                         float[] a, int aOff, int lda, float[] b, int bOff, int ldb, boolean bConstant,
                         float beta, float[] bias, float[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) return;
        if (k == 0) {
            scaleC(m, n, beta, c, cOff, ldc);
            if (bias != null) for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) c[cOff + i * ldc + j] += bias[j];
            return;
        }
        Scratch s = SCRATCH.get();
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        boolean whole = bConstant && bOff == 0 && ldb == bCols && b.length == bRows * bCols;
        boolean tb = transB;
        int ldbPacked = bCols;
        FloatBuffer pb = null;
        Packed.Entry e = whole ? constant(b, bRows, turnsConstants()) : null;
        if (e != null && e.rows() == bRows) { // (another shape of the same array: packed per call)
            if (turnsConstants()) {
                // op(B) is always read as stored (N,N), from the cached copy or from one made for
                // this call: the kernel, and so the rounding, must not depend on what the budget
                // held when the array was first seen (that depends on when the collector freed
                // the copies of earlier models)
                FloatBuffer same = transB ? e.turned() : e.plain();
                pb = same != null ? same : transB ? s.b.packTransposed(b, bRows, bCols) : s.b.pack(b, 0, bCols, bRows, bCols);
                tb = false;
                ldbPacked = transB ? bRows : bCols;
            } else if (e.plain() != null) { // as stored, read as the call asks: the per-call packing's kernel too
                pb = e.plain();
            }
        }
        if (pb == null) pb = s.b.pack(b, bOff, ldb, bRows, bCols);
        int parts = transA ? 1 : splitParts(m, n, k);
        if (parts > 1) {
            // rows of C split over threads, each packing its own rows of A and unpacking its own
            // rows of C (the copies are a tenth of a large product's time, so they split too)
            FloatBuffer sharedB = pb;
            boolean tbFinal = tb;
            int ldbFinal = ldbPacked;
            Parallel.fixedParts(m, parts, splitWorkers(), (r0, r1) -> {
                Scratch mine = SCRATCH.get();
                int rows = r1 - r0;
                FloatBuffer pa = mine.a.pack(a, aOff + r0 * lda, lda, rows, k);
                FloatBuffer pc = beta == 0f ? mine.c.reserve(rows * n) : mine.c.pack(c, cOff + r0 * ldc, ldc, rows, n);
                call(false, tbFinal, rows, n, k, alpha, pa, k, sharedB, ldbFinal, beta, pc, n);
                mine.c.unpack(c, cOff + r0 * ldc, ldc, rows, n, bias);
            });
            return;
        }
        FloatBuffer pa = s.a.pack(a, aOff, lda, aRows, aCols);
        FloatBuffer pc = beta == 0f ? s.c.reserve(m * n) : s.c.pack(c, cOff, ldc, m, n);
        call(transA, tb, m, n, k, alpha, pa, aCols, pb, ldbPacked, beta, pc, n);
        s.c.unpack(c, cOff, ldc, m, n, bias);
    }

    /**
     * Over how many threads to split the rows of a product (A untransposed); 1 runs it whole on
     * the caller, with the backend's own threads if it has any.
     */
    protected int splitParts(int m, int n, int k) { return 1; }

    /** Threads the parts of a split product may run on. */
    protected int splitWorkers() { return Parallel.threads(); }

    /**
     * C = alpha op(A) op(B) + beta C on operands already in direct memory, each at a float
     * offset into its buffer with its leading dimension: for fused kernels that chain products
     * and vector code without copies through the heap (the attention heads).
     */
    public final void direct(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             FloatBuffer a, int aOff, int lda, FloatBuffer b, int bOff, int ldb,
                             float beta, FloatBuffer c, int cOff, int ldc) {
        if (m == 0 || n == 0) return;
        call(transA, transB, m, n, k, alpha, at(a, aOff), lda, at(b, bOff), ldb, beta, at(c, cOff), ldc);
    }

    /** What {@link #constantProduct} runs, for lrp info and lrp bench. */
    public String constantProductKernel() { return "the F32 sgemm (" + name() + ")"; }

    /**
     * C[m, n] = A[m, k] op(B), op(B) = B^T with B [n, k] (transB) or B [k, n], every operand in
     * direct memory at a float offset with its leading dimension, C overwritten: the products of
     * a large constant weight read in place ({@link BlockedProducts}). oneDNN runs them through
     * its matmul primitive; other backends through {@link #direct}.
     */
    public void constantProduct(boolean transB, int m, int n, int k, FloatBuffer a, int aOff, int lda,
                                FloatBuffer b, int bOff, int ldb, FloatBuffer c, int cOff, int ldc) {
        direct(false, transB, m, n, k, 1f, a, aOff, lda, b, bOff, ldb, 0f, c, cOff, ldc);
    }

    private static FloatBuffer at(FloatBuffer f, int off) { return off == 0 ? f : f.slice(off, f.capacity() - off); }

    /**
     * Whether constant operands are also kept in the transposed layout, so that products read
     * them untransposed (N,N). For oneDNN that is the faster kernel: x W^T with W [out, in] (every
     * forward linear layer) takes 1.1-1.3x the time of the same product as N,N with 64-200 rows
     * and 1.3-2.7x with 8-32 rows, at 512 rows about the same (BENCHMARKS.md).
     */
    protected boolean turnsConstants() { return true; }

    /**
     * The cache entry of a constant array (rows x cols, row-major), decided when the array is
     * first seen and kept for its life: both layouts if the budget allows (with
     * {@link #turnsConstants}; MiniLM), else one (the transposed one with
     * {@link #turnsConstants}: BERT-base), else none. The budget decides only what is cached,
     * never which kernel runs: with {@link #turnsConstants} every product reads this array as
     * stored in the layout it needs (N,N), copying it for the call when that layout is not cached,
     * so the same model rounds the same whatever the budget held (kernels sum in different orders).
     */
    private static Packed.Entry constant(float[] b, int rows, boolean turns) {
        Scratch s = SCRATCH.get();
        long now = GENERATION.get();
        if (s.generation != now) { // a constant changed somewhere: forget this thread's view
            s.constants.clear();
            s.generation = now;
        }
        Packed.Entry f = s.constants.get(b); // no lock on the hot path
        if (f == null) {
            f = sharedConstant(b, rows, turns);
            s.constants.put(b, f);
        }
        return f;
    }

    private static Packed.Entry sharedConstant(float[] b, int rows, boolean turns) {
        synchronized (CONSTANTS) { // one decision per array, also when two threads meet it first
            Packed.Entry f = CONSTANTS.get(b);
            if (f != null) return f;
            long bytes = 4L * b.length;
            boolean both = turns && reserve(2 * bytes), one = !both && reserve(bytes);
            FloatBuffer plain = null, turned = null;
            if (both) {
                plain = Packed.copyOf(b);
                turned = Packed.transposedCopyOf(b, rows);
            } else if (one && turns) {
                turned = Packed.transposedCopyOf(b, rows); // the forward's x W^T reads it; g W packs a plain copy per call
            } else if (one) {
                plain = Packed.copyOf(b);
            }
            f = new Packed.Entry(plain, turned, rows, new java.util.concurrent.atomic.AtomicLong(both ? 2 * bytes : one ? bytes : 0));
            if (both || one) CLEANER.register(b, f::release); // the budget comes back when the array is collected
            CONSTANTS.put(b, f);
            return f;
        }
    }

    private static boolean reserve(long bytes) {
        if (cached.addAndGet(bytes) <= budget) return true;
        cached.addAndGet(-bytes);
        return false;
    }

    /** Returns the budget of packed copies once their arrays are unreachable. */
    private static final java.lang.ref.Cleaner CLEANER = java.lang.ref.Cleaner.create();

    /** Drops the packed copy of an array whose values changed (the optimizer calls this). */
    public static void invalidate(float[] array) {
        Packed.Entry f = CONSTANTS.remove(array);
        if (f != null) {
            f.release();
            GENERATION.incrementAndGet();
        }
    }

    /** Bumped whenever a packed constant is dropped, so that per-thread views refresh. */
    private static final java.util.concurrent.atomic.AtomicLong GENERATION = new java.util.concurrent.atomic.AtomicLong();

    private static void scaleC(int m, int n, float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) c[cOff + i * ldc + j] = beta == 0f ? 0f : beta * c[cOff + i * ldc + j];
    }

    /** Three growable direct buffers per thread, one per operand. */
    private static final class Scratch {
        final Packed a = new Packed(), b = new Packed(), c = new Packed();
        /** This thread's view of {@link #CONSTANTS}; weak, so it never keeps a model alive. */
        final Map<float[], Packed.Entry> constants = new WeakHashMap<>();
        long generation;
    }

    private static final class Packed {
        private ByteBuffer bytes = bytes(1 << 16);
        private FloatBuffer buf = bytes.asFloatBuffer();

        static ByteBuffer bytes(int floats) { return ByteBuffer.allocateDirect(floats * 4).order(ByteOrder.nativeOrder()); }

        static FloatBuffer allocate(int floats) { return bytes(floats).asFloatBuffer(); }

        /**
         * A constant's packed copies as stored (plain) and transposed (turned), either or both
         * null; the rows of the array as stored; the budget the copies hold, given back once.
         */
        record Entry(FloatBuffer plain, FloatBuffer turned, int rows, java.util.concurrent.atomic.AtomicLong held) {
            void release() { cached.addAndGet(-held.getAndSet(0)); }
        }

        /** The rows x (length / rows) array, transposed, in a direct buffer. */
        static FloatBuffer transposedCopyOf(float[] arr, int rows) {
            int cols = arr.length / rows, tile = 32;
            float[] t = new float[arr.length];
            for (int r0 = 0; r0 < rows; r0 += tile) { // in tiles, so that reads and writes both stay in cache
                for (int c0 = 0; c0 < cols; c0 += tile) {
                    int r1 = Math.min(rows, r0 + tile), c1 = Math.min(cols, c0 + tile);
                    for (int r = r0; r < r1; r++) for (int c = c0; c < c1; c++) t[c * rows + r] = arr[r * cols + c];
                }
            }
            return copyOf(t);
        }

        static FloatBuffer copyOf(float[] arr) {
            FloatBuffer f = allocate(arr.length);
            f.put(arr, 0, arr.length);
            return f.clear();
        }

        FloatBuffer reserve(int floats) {
            if (buf.capacity() < floats) {
                bytes = bytes(Math.max(floats, buf.capacity() * 2));
                buf = bytes.asFloatBuffer();
            }
            buf.clear();
            return buf;
        }

        /** The rows x cols array (row-major, whole) transposed into the buffer: cols x rows. */
        FloatBuffer packTransposed(float[] src, int rows, int cols) {
            reserve(rows * cols);
            int tile = 32;
            for (int c0 = 0; c0 < cols; c0 += tile) { // in tiles: reads and writes both stay in cache
                for (int r0 = 0; r0 < rows; r0 += tile) {
                    int r1 = Math.min(rows, r0 + tile), c1 = Math.min(cols, c0 + tile);
                    for (int c = c0; c < c1; c++) for (int r = r0; r < r1; r++) buf.put(c * rows + r, src[r * cols + c]);
                }
            }
            return buf.clear();
        }

        /** Copies the rows x cols region at off (row stride ld) into the buffer, contiguous. */
        FloatBuffer pack(float[] src, int off, int ld, int rows, int cols) {
            reserve(rows * cols);
            if (ld == cols) {
                buf.put(src, off, rows * cols);
            } else {
                for (int r = 0; r < rows; r++) buf.put(src, off + r * ld, cols);
            }
            return buf.clear();
        }

        /** Copies the buffer's rows x cols back to dst at off (row stride ld), adding bias to each row if given. */
        void unpack(float[] dst, int off, int ld, int rows, int cols, float[] bias) {
            buf.clear();
            if (bias != null && Simd.ENABLED && SimdKernels.warm()) {
                SimdKernels.addRowsFromDirect(bytes, bias, dst, off, ld, rows, cols);
            } else if (bias != null) {
                for (int r = 0; r < rows; r++) {
                    int o = off + r * ld;
                    buf.get(dst, o, cols);
                    for (int j = 0; j < cols; j++) dst[o + j] += bias[j]; // the row is still in cache
                }
            } else if (ld == cols) {
                buf.get(dst, off, rows * cols);
            } else {
                for (int r = 0; r < rows; r++) buf.get(dst, off + r * ld, cols);
            }
            buf.clear();
        }
    }
}
