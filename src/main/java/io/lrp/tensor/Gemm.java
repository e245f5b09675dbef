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

    String name();

    /** The backend in use: OpenBLAS when its natives load, unless -Dlrp.gemm=java forces the reference. */
    static Gemm get() { return Holder.INSTANCE; }

    final class Holder {
        private Holder() {}
        static final Gemm INSTANCE = choose();

        private static Gemm choose() {
            String forced = System.getProperty("lrp.gemm", "auto");
            if (forced.equals("java")) return new JavaGemm();
            try {
                return new BlasGemm();
            } catch (Throwable t) {
                if (forced.equals("blas")) throw new IllegalStateException("OpenBLAS requested but not loadable", t);
                System.err.println("lrp: OpenBLAS unavailable (" + t + "), using the plain-Java GEMM");
                return new JavaGemm();
            }
        }
    }
}
