package io.lrp.tensor;

/**
 * Single-precision matrix product on row-major arrays with offsets and leading dimensions:
 * {@code C = alpha * op(A) op(B) + beta * C}, where op(X) is X or its transpose, A is m x k
 * after op, B is k x n after op, C is m x n. Every matrix product of the project goes through
 * this interface, so that the backend can be chosen by measurement and checked against the
 * plain-Java reference in tests.
 */
public interface Gemm {

    void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
               float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
               float beta, float[] c, int cOff, int ldc);

    /**
     * The same product, with a hint that B is a constant operand (a weight that does not change
     * while the hint is given), which a backend may keep in its own layout between calls.
     */
    default void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                       float[] a, int aOff, int lda, float[] b, int bOff, int ldb, boolean bConstant,
                       float beta, float[] c, int cOff, int ldc) {
        sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /**
     * C = op(A) op(B) + bias added to every row (C overwritten; bias of length n, or null), B
     * constant as in the call above: a linear layer. A backend may add the bias while the rows of
     * C are in cache; the sums are the same, each element the product's value plus its bias.
     */
    default void sgemmBias(boolean transA, boolean transB, int m, int n, int k,
                           float[] a, int aOff, int lda, float[] b, int bOff, int ldb, boolean bConstant,
                           float[] bias, float[] c, int cOff, int ldc) {
        sgemm(transA, transB, m, n, k, 1f, a, aOff, lda, b, bOff, ldb, bConstant, 0f, c, cOff, ldc);
        if (bias == null) return;
        for (int r = 0; r < m; r++) {
            int o = cOff + r * ldc;
            for (int j = 0; j < n; j++) c[o + j] += bias[j];
        }
    }

    String name();

    /** Threads one product may use (backends without threads ignore it). */
    default void setThreads(int n) {}

    /**
     * The backend in use, chosen once: -Dlrp.gemm=onednn|openblas|java forces one; by default
     * oneDNN, else OpenBLAS, else the plain-Java reference, whichever loads first.
     */
    static Gemm get() { return Holder.INSTANCE; }

    final class Holder {
        private Holder() {}
        static final Gemm INSTANCE = choose();

        private static Gemm choose() {
            String forced = System.getProperty("lrp.gemm", "auto");
            switch (forced) {
                case "java": return new JavaGemm();
                case "onednn": return load("onednn", DnnlGemm::new, true);
                case "openblas": case "blas": return load("openblas", BlasGemm::new, true);
                case "auto": break;
                default: throw new IllegalStateException("-Dlrp.gemm=" + forced + ": expected onednn, openblas or java");
            }
            Gemm g = load("onednn", DnnlGemm::new, false);
            if (g == null) g = load("openblas", BlasGemm::new, false);
            if (g != null) return g;
            System.err.println("lrp: no native GEMM loads (oneDNN, OpenBLAS), using the plain-Java reference");
            return new JavaGemm();
        }

        private static Gemm load(String name, java.util.function.Supplier<Gemm> make, boolean required) {
            try {
                return make.get();
            } catch (Throwable t) {
                if (required) throw new IllegalStateException(name + " requested but not loadable", t);
                System.err.println("lrp: " + name + " unavailable (" + t + ")");
                return null;
            }
        }
    }
}
