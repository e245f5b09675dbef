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

    /** Packed copies of constant operands, by array identity; dropped with the array. */
    private static final Map<float[], FloatBuffer> CONSTANTS = Collections.synchronizedMap(new WeakHashMap<>());

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
        FloatBuffer pb = bConstant && bOff == 0 && ldb == bCols && b.length == bRows * bCols ? constant(b) : null;
        if (pb == null) pb = s.b.pack(b, bOff, ldb, bRows, bCols);
        FloatBuffer pc = beta == 0f ? s.c.reserve(m * n) : s.c.pack(c, cOff, ldc, m, n);
        call(transA, transB, m, n, k, alpha, pa, aCols, pb, bCols, beta, pc, n);
        s.c.unpack(c, cOff, ldc, m, n);
    }

    /** The packed copy of a constant array, or null when the cache budget is used up. */
    private static FloatBuffer constant(float[] b) {
        Scratch s = SCRATCH.get();
        long now = GENERATION.get();
        if (s.generation != now) { // a constant changed somewhere: forget this thread's view
            s.constants.clear();
            s.generation = now;
        }
        Map<float[], FloatBuffer> mine = s.constants; // no lock on the hot path
        FloatBuffer f = mine.get(b);
        if (f != null) return f;
        f = sharedConstant(b);
        if (f != null) mine.put(b, f);
        return f;
    }

    private static FloatBuffer sharedConstant(float[] b) {
        FloatBuffer f = CONSTANTS.get(b);
        if (f != null) return f;
        if (cached.addAndGet(4L * b.length) > CACHE_BYTES) {
            cached.addAndGet(-4L * b.length);
            return null;
        }
        f = Packed.copyOf(b);
        FloatBuffer prev = CONSTANTS.putIfAbsent(b, f);
        if (prev != null) {
            cached.addAndGet(-4L * b.length);
            return prev;
        }
        return f;
    }

    /** Drops the packed copy of an array whose values changed (the optimizer calls this). */
    public static void invalidate(float[] array) {
        if (CONSTANTS.remove(array) != null) {
            cached.addAndGet(-4L * array.length);
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
        final Map<float[], FloatBuffer> constants = new WeakHashMap<>();
        long generation;
    }

    private static final class Packed {
        private FloatBuffer buf = allocate(1 << 16);

        static FloatBuffer allocate(int floats) {
            return ByteBuffer.allocateDirect(floats * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
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
