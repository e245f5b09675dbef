package io.lrp.tensor;

import java.nio.FloatBuffer;
import org.bytedeco.dnnl.global.dnnl;

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

    @Override public String name() { return "onednn"; }
}
