package io.lrp.tensor;

import java.nio.FloatBuffer;
import org.bytedeco.openblas.global.openblas;

/** OpenBLAS's cblas_sgemm (org.bytedeco), with its own threads (-Dlrp.blas.threads, default 1). */
public final class BlasGemm extends NativeGemm {
    private static final int ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;

    public BlasGemm() {
        // loads the natives now, so that a failure shows at selection time
        openblas.blas_set_num_threads(Integer.getInteger("lrp.blas.threads", 1));
    }

    @Override public void setThreads(int n) { openblas.blas_set_num_threads(n); }

    @Override
    protected void call(boolean transA, boolean transB, int m, int n, int k, float alpha,
                        FloatBuffer a, int lda, FloatBuffer b, int ldb, float beta, FloatBuffer c, int ldc) {
        openblas.cblas_sgemm(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k,
                alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /** OpenBLAS runs x W^T as fast as x (W^T) (BENCHMARKS.md): one packed copy per weight. */
    @Override protected boolean turnsConstants() { return false; }

    @Override public String name() { return "openblas"; }
}
