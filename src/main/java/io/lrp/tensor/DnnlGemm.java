package io.lrp.tensor;

import java.nio.FloatBuffer;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.dnnl.matmul;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * oneDNN's sgemm (org.bytedeco), the library behind PyTorch's CPU matrix products: it picks its
 * kernels for the CPU it runs on (AVX-512 here), about twice OpenBLAS's rate on this project's
 * machines (BENCHMARKS.md).
 *
 * <p>Threads: oneDNN parallelises a call with OpenMP over OMP_NUM_THREADS threads. The launcher
 * and the tests set OMP_NUM_THREADS=1, so that a call runs on its caller and the project's own
 * workers (explainer threads) share the cores without oversubscription; {@link #setThreads}
 * then splits large products by rows over that many threads. Without OMP_NUM_THREADS=1 each call
 * uses every core by itself and the row split is left off.
 */
public final class DnnlGemm extends NativeGemm {
    private static final boolean SINGLE_OMP_THREAD = "1".equals(System.getenv("OMP_NUM_THREADS"));
    /** Below this many multiply-adds a split costs more than it brings. */
    private static final long SPLIT_FROM = 1L << 21;
    private volatile int threads = 1; // more through setThreads or the caller's Parallel budget

    public DnnlGemm() {
        dnnl.dnnl_get_effective_cpu_isa(); // loads the natives now, so that a failure shows at selection time
    }

    @Override public void setThreads(int n) { threads = Math.max(1, n); }

    /**
     * With OMP_NUM_THREADS=1, products of 2M multiply-adds and more are split into parts of at
     * least ROWS_PER_PART rows (at most MAX_PARTS), which run on this gemm's threads or the
     * caller's {@link Parallel} budget (NativeGemm packs per part). The parts depend on the shape
     * alone: oneDNN's kernels for a part of a few rows sum in another order than for many (on
     * AVX2: a row of C differs in its last bits between calls of 3 and 128 rows, or of 20 and
     * 128), so cutting by the number of threads made results depend on it.
     */
    @Override
    protected int splitParts(int m, int n, int k) {
        if (!SINGLE_OMP_THREAD || (long) m * n * k < SPLIT_FROM) return 1;
        return Math.max(1, Math.min(MAX_PARTS, m / ROWS_PER_PART));
    }

    static final int ROWS_PER_PART = 32, MAX_PARTS = 16;

    @Override
    protected int splitWorkers() { return Math.max(threads, Parallel.threads()); }

    @Override
    protected void call(boolean transA, boolean transB, int m, int n, int k, float alpha,
                        FloatBuffer a, int lda, FloatBuffer b, int ldb, float beta, FloatBuffer c, int ldc) {
        run(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    private static void run(boolean transA, boolean transB, int m, int n, int k, float alpha,
                            FloatBuffer a, int lda, FloatBuffer b, int ldb, float beta, FloatBuffer c, int ldc) {
        int status = dnnl.dnnl_sgemm((byte) (transA ? 'T' : 'N'), (byte) (transB ? 'T' : 'N'), m, n, k,
                alpha, a, lda, b, ldb, beta, c, ldc);
        if (status != 0) throw new IllegalStateException("oneDNN sgemm failed with status " + status);
    }

    /**
     * x W^T through oneDNN's matmul primitive, whose brgemm kernels run the forward products of
     * large weights read in place about 10% faster than its sgemm on AVX-512; g W (a strided block
     * of W's columns) stays with the sgemm, which ran it 1.6x faster (BENCHMARKS.md). A primitive is made
     * once per shape and thread (kept with its memory objects, whose data handles are set per
     * call); the kernel depends on the shape alone, so the bits do not depend on the threads.
     * Falls back to the sgemm if oneDNN refuses a shape (the fallback is then kept for it).
     */
    @Override
    public void constantProduct(boolean transB, int m, int n, int k, FloatBuffer a, int aOff, int lda,
                                FloatBuffer b, int bOff, int ldb, FloatBuffer c, int cOff, int ldc) {
        if (m == 0 || n == 0) return;
        if (!MATMUL || !transB || k == 0) { // B [k, n] is a strided block of W's columns: the sgemm ran it 1.6x faster (BENCHMARKS.md)
            super.constantProduct(transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
            return;
        }
        Matmuls ms = MATMULS.get();
        Matmul mm = ms.get(new Shape(transB, m, n, k, lda, ldb, ldc));
        if (mm == null) {
            super.constantProduct(transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
            return;
        }
        mm.src.set_data_handle(pointer(a, aOff));
        mm.weights.set_data_handle(pointer(b, bOff));
        mm.dst.set_data_handle(pointer(c, cOff));
        mm.primitive.execute(ms.stream, mm.args);
        ms.stream._wait();
    }

    /** The address of f's float at off (a slice: JavaCPP would count a void* pointer's position in bytes). */
    private static Pointer pointer(FloatBuffer f, int off) { return new FloatPointer(f.slice(off, f.capacity() - off)); }

    @Override
    public String constantProductKernel() { return MATMUL ? "oneDNN's matmul (x W^T) and sgemm (g W)" : super.constantProductKernel(); }

    /** -Dlrp.dnnlMatmul=false: the sgemm for every product. */
    private static final boolean MATMUL = !"false".equals(System.getProperty("lrp.dnnlMatmul"));

    private record Shape(boolean transB, int m, int n, int k, int lda, int ldb, int ldc) {}

    private record Matmul(matmul primitive, memory src, memory weights, memory dst, IntMemoryMap args) {}

    /** One thread's primitives by shape (null: oneDNN refused it), its stream on the process's engine. */
    private static final class Matmuls {
        private static final int MAX = 64;
        final stream stream = new stream(Cpu.ENGINE);
        private final java.util.LinkedHashMap<Shape, Matmul> byShape = new java.util.LinkedHashMap<>(16, 0.75f, true);
        private final java.util.Set<Shape> refused = new java.util.HashSet<>();

        Matmul get(Shape s) {
            Matmul mm = byShape.get(s);
            if (mm != null || refused.contains(s)) return mm;
            try {
                mm = make(s);
            } catch (RuntimeException e) {
                refused.add(s);
                return null;
            }
            if (byShape.size() >= MAX) {
                var eldest = byShape.entrySet().iterator().next();
                close(eldest.getValue());
                byShape.remove(eldest.getKey());
            }
            byShape.put(s, mm);
            return mm;
        }

        private static Matmul make(Shape s) {
            memory.desc sd = new memory.desc(new long[] {s.m(), s.k()}, memory.data_type.f32, new long[] {s.lda(), 1});
            memory.desc wd = new memory.desc(new long[] {s.k(), s.n()}, memory.data_type.f32,
                    s.transB() ? new long[] {1, s.ldb()} : new long[] {s.ldb(), 1});
            memory.desc dd = new memory.desc(new long[] {s.m(), s.n()}, memory.data_type.f32, new long[] {s.ldc(), 1});
            matmul.primitive_desc pd = new matmul.primitive_desc(Cpu.ENGINE, sd, wd, dd);
            matmul prim = new matmul(pd);
            memory src = new memory(sd, Cpu.ENGINE, new Pointer()), w = new memory(wd, Cpu.ENGINE, new Pointer()),
                    dst = new memory(dd, Cpu.ENGINE, new Pointer());
            IntMemoryMap args = new IntMemoryMap();
            args.put(dnnl.DNNL_ARG_SRC, src);
            args.put(dnnl.DNNL_ARG_WEIGHTS, w);
            args.put(dnnl.DNNL_ARG_DST, dst);
            return new Matmul(prim, src, w, dst, args);
        }

        private static void close(Matmul mm) {
            mm.args().close();
            mm.src().close();
            mm.weights().close();
            mm.dst().close();
            mm.primitive().close();
        }
    }

    /** The CPU engine, made when the first matmul is (after the natives loaded). */
    private static final class Cpu {
        static final engine ENGINE = new engine(engine.kind.cpu, 0);
    }
    private static final ThreadLocal<Matmuls> MATMULS = ThreadLocal.withInitial(Matmuls::new);

    @Override public String name() { return "onednn"; }
}
