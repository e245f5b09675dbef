package io.lrp.tensor;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
    private static final ExecutorService HELPERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "lrp-gemm");
        t.setDaemon(true);
        return t;
    });

    private volatile int threads = Integer.getInteger("lrp.blas.threads", 1);

    public DnnlGemm() {
        dnnl.dnnl_get_effective_cpu_isa(); // loads the natives now, so that a failure shows at selection time
    }

    @Override public void setThreads(int n) { threads = Math.max(1, n); }

    @Override
    protected void call(boolean transA, boolean transB, int m, int n, int k, float alpha,
                        FloatBuffer a, int lda, FloatBuffer b, int ldb, float beta, FloatBuffer c, int ldc) {
        int parts = SINGLE_OMP_THREAD ? Math.min(threads, m / 16) : 1;
        if (parts < 2 || (long) m * n * k < SPLIT_FROM) {
            run(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            return;
        }
        // rows [r0, r1) of C need rows r0.. of op(A): rows of A, or columns when A is transposed
        List<Future<?>> helpers = new ArrayList<>();
        for (int p = 1; p < parts; p++) {
            int r0 = (int) ((long) m * p / parts), r1 = (int) ((long) m * (p + 1) / parts);
            FloatBuffer ap = a.slice(transA ? r0 : r0 * lda, a.capacity() - (transA ? r0 : r0 * lda));
            FloatBuffer cp = c.slice(r0 * ldc, c.capacity() - r0 * ldc);
            helpers.add(HELPERS.submit(() -> run(transA, transB, r1 - r0, n, k, alpha, ap, lda, b, ldb, beta, cp, ldc)));
        }
        run(transA, transB, (int) ((long) m / parts), n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        for (Future<?> f : helpers) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted in a matrix product", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) throw re;
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    private static void run(boolean transA, boolean transB, int m, int n, int k, float alpha,
                            FloatBuffer a, int lda, FloatBuffer b, int ldb, float beta, FloatBuffer c, int ldc) {
        int status = dnnl.dnnl_sgemm((byte) (transA ? 'T' : 'N'), (byte) (transB ? 'T' : 'N'), m, n, k,
                alpha, a, lda, b, ldb, beta, c, ldc);
        if (status != 0) throw new IllegalStateException("oneDNN sgemm failed with status " + status);
    }

    @Override public String name() { return "onednn"; }
}
