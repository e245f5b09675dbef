package io.lrp.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Collections;
import java.util.List;
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

    /** Packed copies of constant operands, by array identity; dropped with the array. */
    private static final Map<float[], Packed.Copy> CONSTANTS = Collections.synchronizedMap(new WeakHashMap<>());
    /** The same for constants used transposed, packed transposed ({@link #turnsConstants}). */
    private static final Map<float[], Packed.Copy> TRANSPOSED = Collections.synchronizedMap(new WeakHashMap<>());

    /**
     * Off-heap bytes the packed constants may take (-Dlrp.blas.cacheMB, default 160): every
     * MiniLM weight fits, while a model the size of BERT-base is only partly duplicated off-heap
     * (the rest is packed per call, which costs a copy but no memory).
     */
    private static final long CACHE_BYTES = Long.getLong("lrp.blas.cacheMB", 160) << 20;
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
        if (m == 0 || n == 0) return;
        if (k == 0) {
            scaleC(m, n, beta, c, cOff, ldc);
            return;
        }
        Scratch s = SCRATCH.get();
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        FloatBuffer pa = s.a.pack(a, aOff, lda, aRows, aCols);
        boolean whole = bConstant && bOff == 0 && ldb == bCols && b.length == bRows * bCols;
        boolean tb = transB;
        int ldbPacked = bCols;
        FloatBuffer pb = null;
        if (whole && transB && turnsConstants()) { // x W^T as x (W^T): see turnsConstants
            pb = constant(b, bRows, true);
            if (pb != null) {
                tb = false;
                ldbPacked = bRows;
            }
        }
        if (pb == null && whole) pb = constant(b, bRows, false);
        if (pb == null) pb = s.b.pack(b, bOff, ldb, bRows, bCols);
        FloatBuffer pc = beta == 0f ? s.c.reserve(m * n) : s.c.pack(c, cOff, ldc, m, n);
        call(transA, tb, m, n, k, alpha, pa, aCols, pb, ldbPacked, beta, pc, n);
        s.c.unpack(c, cOff, ldc, m, n);
    }

    /**
     * Whether a constant operand B used transposed is cached transposed, so that the call is
     * N,N. For oneDNN that is the faster kernel: x W^T with W [out, in] (every forward linear
     * layer) runs at 1.1-1.3x the time of the same product as N,N with 64-200 rows and 1.3-2.7x
     * with 8-32 rows (BENCHMARKS.md); the backward x W already is N,N, so both copies are kept.
     */
    protected boolean turnsConstants() { return true; }

    /**
     * The packed copy of a constant array (rows x cols, row-major), transposed if asked, or null
     * when the cache budget is used up. A transposed copy refused once stays refused for the
     * array's life: whether its products run N,N or N,T must not change with the budget, or the
     * same model would round differently from one call to the next (the two kernels sum in
     * different orders). Untransposed copies need no such memory: packed per call or cached,
     * the kernel is the same.
     */
    private static FloatBuffer constant(float[] b, int rows, boolean transposed) {
        Scratch s = SCRATCH.get();
        long now = GENERATION.get();
        if (s.generation != now) { // a constant changed somewhere: forget this thread's view
            s.constants.clear();
            s.transposed.clear();
            s.generation = now;
        }
        Map<float[], Packed.Copy> mine = transposed ? s.transposed : s.constants; // no lock on the hot path
        Packed.Copy f = mine.get(b);
        if (f == null) {
            f = sharedConstant(b, rows, transposed);
            if (f == null) return null;
            mine.put(b, f);
        }
        return f.rows() == rows ? f.buffer() : null; // another shape of the same array: packed per call
    }

    private static Packed.Copy sharedConstant(float[] b, int rows, boolean transposed) {
        Map<float[], Packed.Copy> shared = transposed ? TRANSPOSED : CONSTANTS;
        synchronized (shared) { // one decision per array, also when two threads meet it first
            Packed.Copy f = shared.get(b);
            if (f != null) return f;
            long bytes = 4L * b.length;
            if (cached.addAndGet(bytes) > CACHE_BYTES) {
                cached.addAndGet(-bytes);
                if (!transposed) return null;
                f = new Packed.Copy(null, rows, new java.util.concurrent.atomic.AtomicLong());
            } else {
                f = new Packed.Copy(transposed ? Packed.transposedCopyOf(b, rows) : Packed.copyOf(b), rows,
                        new java.util.concurrent.atomic.AtomicLong(bytes));
                CLEANER.register(b, f::release); // the budget comes back when the array is collected
            }
            shared.put(b, f);
            return f;
        }
    }

    /** Returns the budget of packed copies once their arrays are unreachable. */
    private static final java.lang.ref.Cleaner CLEANER = java.lang.ref.Cleaner.create();

    /** Drops the packed copy of an array whose values changed (the optimizer calls this). */
    public static void invalidate(float[] array) {
        boolean dropped = false;
        for (Map<float[], Packed.Copy> shared : List.of(CONSTANTS, TRANSPOSED)) {
            Packed.Copy f = shared.remove(array);
            if (f != null) {
                f.release();
                dropped = true;
            }
        }
        if (dropped) GENERATION.incrementAndGet();
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
        final Map<float[], Packed.Copy> constants = new WeakHashMap<>(), transposed = new WeakHashMap<>();
        long generation;
    }

    private static final class Packed {
        private FloatBuffer buf = allocate(1 << 16);

        static FloatBuffer allocate(int floats) {
            return ByteBuffer.allocateDirect(floats * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        }

        /**
         * A packed constant (null: refused for want of budget), the number of rows it was packed
         * with (before transposing), and the budget it holds, given back once.
         */
        record Copy(FloatBuffer buffer, int rows, java.util.concurrent.atomic.AtomicLong held) {
            void release() { cached.addAndGet(-held.getAndSet(0)); }
        }

        /** The rows x (length / rows) array, transposed, in a direct buffer. */
        static FloatBuffer transposedCopyOf(float[] arr, int rows) {
            int cols = arr.length / rows;
            float[] t = new float[arr.length];
            for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) t[c * rows + r] = arr[r * cols + c];
            return copyOf(t);
        }

        static FloatBuffer copyOf(float[] arr) {
            FloatBuffer f = allocate(arr.length);
            f.put(arr, 0, arr.length);
            return f.clear();
        }

        FloatBuffer reserve(int floats) {
            if (buf.capacity() < floats) buf = allocate(Math.max(floats, buf.capacity() * 2));
            buf.clear();
            return buf;
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

        void unpack(float[] dst, int off, int ld, int rows, int cols) {
            buf.clear();
            if (ld == cols) {
                buf.get(dst, off, rows * cols);
            } else {
                for (int r = 0; r < rows; r++) buf.get(dst, off + r * ld, cols);
            }
            buf.clear();
        }
    }
}
