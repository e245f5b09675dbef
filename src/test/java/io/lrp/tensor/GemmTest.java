package io.lrp.tensor;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * OpenBLAS against the plain-Java reference, and the reference against a double-precision
 * triple loop, on sub-matrices inside larger buffers (offsets, padded leading dimensions).
 */
class GemmTest {
    private static BlasGemm blas;
    private static DnnlGemm dnnl, dnnlSplit;
    private static final JavaGemm JAVA = new JavaGemm();

    @BeforeAll
    static void loadBlas() {
        blas = new BlasGemm(); // fails the class if the natives do not load
        dnnl = new DnnlGemm();
        dnnlSplit = new DnnlGemm();
        dnnlSplit.setThreads(3); // large products split by rows over three threads (OMP_NUM_THREADS=1 in surefire)
    }

    /** One product: shapes after op(), where each operand sits in its buffer, alpha, beta. */
    record Case(boolean transA, boolean transB, int m, int n, int k, float alpha, float beta,
                int aOff, int aPad, int bOff, int bPad, int cOff, int cPad) {
        int aRows() { return transA ? k : m; }
        int aCols() { return transA ? m : k; }
        int bRows() { return transB ? n : k; }
        int bCols() { return transB ? k : n; }
        int lda() { return aCols() + aPad; }
        int ldb() { return bCols() + bPad; }
        int ldc() { return n + cPad; }
        @Override public String toString() {
            return (transA ? "T" : "N") + (transB ? "T" : "N") + " " + m + "x" + n + "x" + k
                    + " alpha=" + alpha + " beta=" + beta + " off=" + aOff + "/" + bOff + "/" + cOff
                    + " pad=" + aPad + "/" + bPad + "/" + cPad;
        }
    }

    /** Buffers for a case, filled with random values everywhere (padding included). */
    static final class Buffers {
        final float[] a, b, c;
        Buffers(Case cs, long seed) {
            Random r = new Random(seed);
            a = random(r, cs.aOff + cs.aRows() * cs.lda() + 5);
            b = random(r, cs.bOff + cs.bRows() * cs.ldb() + 3);
            c = random(r, cs.cOff + cs.m * cs.ldc() + 7);
        }
    }

    static float[] random(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        return x;
    }

    static void run(Gemm g, Case cs, float[] a, float[] b, float[] c) {
        g.sgemm(cs.transA, cs.transB, cs.m, cs.n, cs.k, cs.alpha, a, cs.aOff, cs.lda(),
                b, cs.bOff, cs.ldb(), cs.beta, c, cs.cOff, cs.ldc());
    }

    static boolean inside(Case cs, int idx) {
        int rel = idx - cs.cOff;
        if (rel < 0) return false;
        int row = rel / cs.ldc(), col = rel % cs.ldc();
        return row < cs.m && col < cs.n;
    }

    /** The same product in double, straight from the definition. */
    static double[] exact(Case cs, float[] a, float[] b, float[] c) {
        double[] out = new double[cs.m * cs.n];
        for (int i = 0; i < cs.m; i++) {
            for (int j = 0; j < cs.n; j++) {
                double s = 0;
                for (int p = 0; p < cs.k; p++) {
                    double av = cs.transA ? a[cs.aOff + p * cs.lda() + i] : a[cs.aOff + i * cs.lda() + p];
                    double bv = cs.transB ? b[cs.bOff + j * cs.ldb() + p] : b[cs.bOff + p * cs.ldb() + j];
                    s += av * bv;
                }
                double cv = cs.beta == 0 ? 0 : cs.beta * (double) c[cs.cOff + i * cs.ldc() + j];
                out[i * cs.n + j] = cs.alpha * s + cv;
            }
        }
        return out;
    }

    static double maxAbs(Case cs, float[] c) {
        double m = 0;
        for (int i = 0; i < cs.m; i++)
            for (int j = 0; j < cs.n; j++) m = Math.max(m, Math.abs(c[cs.cOff + i * cs.ldc() + j]));
        return m;
    }

    static void assertClose(Case cs, float[] expected, float[] actual, String what) {
        double tol = 1e-5 * maxAbs(cs, expected) + 1e-6;
        for (int i = 0; i < cs.m; i++) {
            for (int j = 0; j < cs.n; j++) {
                int idx = cs.cOff + i * cs.ldc() + j;
                float e = expected[idx], x = actual[idx];
                if (!(Math.abs(e - x) <= tol)) {
                    fail(what + " " + cs + ": C[" + i + "," + j + "] = " + x + ", expected " + e + " (tol " + tol + ")");
                }
            }
        }
    }

    static void assertUntouched(Case cs, float[] before, float[] after, String what) {
        assertEquals(before.length, after.length);
        for (int idx = 0; idx < before.length; idx++) {
            if (!inside(cs, idx) && Float.floatToRawIntBits(before[idx]) != Float.floatToRawIntBits(after[idx])) {
                fail(what + " " + cs + ": wrote outside C at buffer index " + idx + ": " + before[idx] + " -> " + after[idx]);
            }
        }
    }

    static List<Case> cases() {
        List<Case> out = new ArrayList<>();
        int[][] shapes = {
                {1, 1, 1}, {7, 13, 5}, {13, 5, 7}, {2, 3, 1}, {1, 9, 4}, {6, 1, 11}, {17, 19, 23},
                {128, 384, 384}, {128, 1536, 384}, {128, 384, 1536},
        };
        for (int[] s : shapes) {
            boolean big = s[0] * s[1] * s[2] > 1_000_000;
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    // contiguous, alpha = 1, overwrite
                    out.add(new Case(ta, tb, s[0], s[1], s[2], 1f, 0f, 0, 0, 0, 0, 0, 0));
                    // inside bigger buffers, alpha != 1, accumulate
                    out.add(new Case(ta, tb, s[0], s[1], s[2], 0.37f, 1f, 3, 5, 11, 2, 7, 4));
                    if (!big) {
                        // offsets only / padding only, overwrite with a scaled product
                        out.add(new Case(ta, tb, s[0], s[1], s[2], -1.5f, 0f, 1, 0, 2, 0, 9, 0));
                        out.add(new Case(ta, tb, s[0], s[1], s[2], 2f, 1f, 0, 3, 0, 1, 0, 6));
                    }
                }
            }
        }
        return out;
    }

    static Stream<Arguments> allCases() {
        return cases().stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allCases")
    void nativeBackendsMatchJava(Case cs) {
        Buffers buf = new Buffers(cs, cs.hashCode());
        float[] cJava = buf.c.clone();
        run(JAVA, cs, buf.a.clone(), buf.b.clone(), cJava);
        assertUntouched(cs, buf.c, cJava, "java");
        String[] names = {"openblas", "onednn", "onednn split over 3 threads"};
        Gemm[] natives = {blas, dnnl, dnnlSplit};
        for (int i = 0; i < natives.length; i++) {
            float[] a = buf.a.clone(), b = buf.b.clone(), c = buf.c.clone();
            run(natives[i], cs, a, b, c);
            assertClose(cs, cJava, c, names[i] + " vs java");
            assertUntouched(cs, buf.c, c, names[i]);
            assertArrayEquals(buf.a, a, names[i] + " changed A");
            assertArrayEquals(buf.b, b, names[i] + " changed B");
        }
    }

    /**
     * A constant B (a weight: packed once and cached, transposed when used transposed) gives the
     * reference's product on the first call, on a cache hit, and for a second shape of the same
     * array (which must not reuse the copy packed for the first).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("allCases")
    void constantOperandMatchesJava(Case cs) {
        if (cs.bOff != 0 || cs.bPad != 0) return;
        Buffers buf = new Buffers(cs, 17L * cs.hashCode());
        float[] b = java.util.Arrays.copyOf(buf.b, cs.bRows() * cs.bCols()); // the whole array is B
        float[] cJava = buf.c.clone();
        JAVA.sgemm(cs.transA, cs.transB, cs.m, cs.n, cs.k, cs.alpha, buf.a, cs.aOff, cs.lda(), b, 0, cs.ldb(), cs.beta, cJava, cs.cOff, cs.ldc());
        Gemm[] natives = {blas, dnnl, dnnlSplit};
        for (Gemm g : natives) {
            for (int call = 0; call < 2; call++) {
                float[] c = buf.c.clone();
                g.sgemm(cs.transA, cs.transB, cs.m, cs.n, cs.k, cs.alpha, buf.a, cs.aOff, cs.lda(), b, 0, cs.ldb(), true,
                        cs.beta, c, cs.cOff, cs.ldc());
                assertClose(cs, cJava, c, g.name() + " constant B, call " + call);
                assertUntouched(cs, buf.c, c, g.name());
            }
        }
        // the same array read as B with its dimensions swapped (k x n <-> n x k), where that is a valid shape
        if (cs.transB && cs.n != cs.k) {
            Case swapped = new Case(cs.transA, true, cs.m, cs.k, cs.n, 1f, 0f, 0, 0, 0, 0, 0, 0);
            if (swapped.aRows() * swapped.aCols() > 0) {
                float[] a2 = random(new Random(5), swapped.aRows() * swapped.aCols());
                float[] want = new float[cs.m * cs.k];
                JAVA.sgemm(swapped.transA, true, cs.m, cs.k, cs.n, 1f, a2, 0, swapped.aCols(), b, 0, cs.n, 0f, want, 0, cs.k);
                for (Gemm g : natives) {
                    float[] got = new float[cs.m * cs.k];
                    g.sgemm(swapped.transA, true, cs.m, cs.k, cs.n, 1f, a2, 0, swapped.aCols(), b, 0, cs.n, true, 0f, got, 0, cs.k);
                    assertClose(swapped, want, got, g.name() + " constant B, second shape");
                }
            }
        }
    }

    /**
     * The product with a bias added to every row equals the product followed by the addition, to
     * the bit, on every backend (dnnlSplit adds it per part of the rows), constant B or not.
     */
    @ParameterizedTest
    @MethodSource("allCases")
    void biasAddedToEveryRowAsAfterTheProduct(Case cs) {
        if (Simd.ENABLED) SimdKernels.awaitWarm(); // the native backends add it with a vector kernel then
        Buffers buf = new Buffers(cs, 31L * cs.hashCode());
        float[] bias = random(new Random(cs.n), cs.n);
        for (Gemm g : new Gemm[] {JAVA, blas, dnnl, dnnlSplit}) {
            for (boolean constant : new boolean[] {false, true}) {
                float[] b = constant ? java.util.Arrays.copyOf(buf.b, buf.b.length) : buf.b;
                float[] want = buf.c.clone(), got = buf.c.clone();
                g.sgemm(cs.transA, cs.transB, cs.m, cs.n, cs.k, 1f, buf.a, cs.aOff, cs.lda(), b, cs.bOff, cs.ldb(), constant,
                        0f, want, cs.cOff, cs.ldc());
                for (int i = 0; i < cs.m; i++) for (int j = 0; j < cs.n; j++) want[cs.cOff + i * cs.ldc() + j] += bias[j];
                g.sgemmBias(cs.transA, cs.transB, cs.m, cs.n, cs.k, buf.a, cs.aOff, cs.lda(), b, cs.bOff, cs.ldb(), constant,
                        bias, got, cs.cOff, cs.ldc());
                assertArrayEquals(want, got, g.name() + (constant ? " constant B " : " ") + cs);
                got = buf.c.clone();
                g.sgemmBias(cs.transA, cs.transB, cs.m, cs.n, cs.k, buf.a, cs.aOff, cs.lda(), b, cs.bOff, cs.ldb(), constant,
                        null, got, cs.cOff, cs.ldc());
                for (int i = 0; i < cs.m; i++) for (int j = 0; j < cs.n; j++) got[cs.cOff + i * cs.ldc() + j] += bias[j];
                assertArrayEquals(want, got, g.name() + " without a bias " + cs);
            }
        }
    }

    /**
     * With the budget for one layout or none, a fresh weight still gives the reference's product
     * read both ways, and each way keeps its kernel: the second call equals the first to the bit.
     */
    @Test
    void constantsBeyondTheBudgetStillMultiplyRightAndStable() {
        int m = 16, n = 48, k = 40;
        Random r = new Random(11);
        float[] x = random(r, m * k), g = random(r, m * n);
        for (long room : new long[] {4L * n * k, 0L}) { // one layout fits, nothing fits
            for (Gemm gm : new Gemm[] {dnnl, blas}) {
                float[] w = random(r, n * k); // [n, k]: a weight read transposed (x W^T) and as it is (g W)
                long old = NativeGemm.budget(NativeGemm.cachedBytes() + room);
                try {
                    float[] want1 = new float[m * n], want2 = new float[m * k];
                    JAVA.sgemm(false, true, m, n, k, 1f, x, 0, k, w, 0, k, 0f, want1, 0, n);
                    JAVA.sgemm(false, false, m, k, n, 1f, g, 0, n, w, 0, k, 0f, want2, 0, k);
                    float[][] first = new float[2][];
                    for (int call = 0; call < 2; call++) {
                        float[] y = new float[m * n], gx = new float[m * k];
                        gm.sgemm(false, true, m, n, k, 1f, x, 0, k, w, 0, k, true, 0f, y, 0, n);
                        gm.sgemm(false, false, m, k, n, 1f, g, 0, n, w, 0, k, true, 0f, gx, 0, k);
                        assertArrayEquals(want1, y, 1e-4f, gm.name() + " x W^T, room " + room);
                        assertArrayEquals(want2, gx, 1e-4f, gm.name() + " g W, room " + room);
                        if (call == 0) first = new float[][] {y, gx};
                        else {
                            assertArrayEquals(first[0], y, 0f, "same kernel on the second call");
                            assertArrayEquals(first[1], gx, 0f, "same kernel on the second call");
                        }
                    }
                } finally {
                    NativeGemm.budget(old);
                }
            }
        }
    }

    /**
     * The same weight values cached in both layouts, in one, or in none give the same bits: the
     * kernel must not depend on the budget, which depends on when the collector freed the copies
     * of earlier models (a BF16 and an F32 copy of one model gave logits 1 ulp apart under load).
     */
    @Test
    void theBudgetDoesNotChangeTheBits() {
        int[][] shapes = {{4, 64, 64}, {4, 172, 64}, {4, 64, 172}, {1, 100, 300}, {7, 256, 1000}, {24, 96, 384}};
        for (int[] shape : shapes) for (Gemm gm : new Gemm[] {dnnl, blas}) {
            int m = shape[0], n = shape[1], k = shape[2];
            Random r = new Random(12);
            float[] x = random(r, m * k), g = random(r, m * n), values = random(r, n * k);
            float[][] first = null;
            for (long room : new long[] {8L * n * k, 4L * n * k, 0L}) { // both layouts, one, none
                float[] w = values.clone(); // a fresh array: its cache entry is decided now
                long old = NativeGemm.budget(NativeGemm.cachedBytes() + room);
                try {
                    float[] y = new float[m * n], gx = new float[m * k];
                    gm.sgemm(false, true, m, n, k, 1f, x, 0, k, w, 0, k, true, 0f, y, 0, n);
                    gm.sgemm(false, false, m, k, n, 1f, g, 0, n, w, 0, k, true, 0f, gx, 0, k);
                    if (first == null) first = new float[][] {y, gx};
                    assertArrayEquals(first[0], y, 0f, gm.name() + " x W^T, room " + room + ", " + java.util.Arrays.toString(shape));
                    assertArrayEquals(first[1], gx, 0f, gm.name() + " g W, room " + room + ", " + java.util.Arrays.toString(shape));
                } finally {
                    NativeGemm.budget(old);
                }
            }
        }
    }

    /** The reference itself against the definition, in double (small shapes only). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("allCases")
    void javaMatchesDefinition(Case cs) {
        if ((long) cs.m * cs.n * cs.k > 200_000) return;
        Buffers buf = new Buffers(cs, 31L * cs.hashCode());
        double[] want = exact(cs, buf.a, buf.b, buf.c);
        for (Gemm g : new Gemm[] {JAVA, blas, dnnl}) {
            float[] c = buf.c.clone();
            run(g, cs, buf.a, buf.b, c);
            double scale = 0;
            for (double w : want) scale = Math.max(scale, Math.abs(w));
            double tol = 1e-5 * scale + 1e-6;
            for (int i = 0; i < cs.m; i++) {
                for (int j = 0; j < cs.n; j++) {
                    assertEquals(want[i * cs.n + j], c[cs.cOff + i * cs.ldc() + j], tol,
                            g.name() + " " + cs + " C[" + i + "," + j + "]");
                }
            }
        }
    }

    /** The per-head attention products: q k^T and p v on column blocks of [T, H] buffers. */
    @Test
    void attentionHeadBlocks() {
        int len = 128, hidden = 384, heads = 6, d = hidden / heads;
        Random r = new Random(7);
        float[] q = random(r, len * hidden), k = random(r, len * hidden), v = random(r, len * hidden);
        for (int h = 0; h < heads; h++) {
            int off = h * d;
            // scores: S = 0.125 q_h k_h^T, S [len, len] at an offset inside [heads, len, len]
            Case sc = new Case(false, true, len, len, d, 0.125f, 0f, off, hidden - d, off, hidden - d, h * len * len, 0);
            float[] sJava = random(r, heads * len * len), sBlas = sJava.clone(), s0 = sJava.clone();
            JAVA.sgemm(false, true, len, len, d, 0.125f, q, off, hidden, k, off, hidden, 0f, sJava, h * len * len, len);
            blas.sgemm(false, true, len, len, d, 0.125f, q, off, hidden, k, off, hidden, 0f, sBlas, h * len * len, len);
            assertClose(sc, sJava, sBlas, "scores head " + h);
            assertUntouched(sc, s0, sBlas, "scores head " + h);
            // context: C_h = P_h v_h written into a column block of [len, hidden], accumulating
            Case cx = new Case(false, false, len, d, len, 1f, 1f, h * len * len, 0, off, hidden - d, off, hidden - d);
            float[] cJava = random(r, len * hidden), cBlas = cJava.clone(), c0 = cJava.clone();
            JAVA.sgemm(false, false, len, d, len, 1f, sJava, h * len * len, len, v, off, hidden, 1f, cJava, off, hidden);
            blas.sgemm(false, false, len, d, len, 1f, sJava, h * len * len, len, v, off, hidden, 1f, cBlas, off, hidden);
            assertClose(cx, cJava, cBlas, "context head " + h);
            assertUntouched(cx, c0, cBlas, "context head " + h);
            // backward to k: dK_h += factor * dS^T q_h (transA)
            Case dk = new Case(true, false, len, d, len, 0.0625f, 1f, h * len * len, 0, off, hidden - d, off, hidden - d);
            float[] kJava = random(r, len * hidden), kBlas = kJava.clone(), k0 = kJava.clone();
            JAVA.sgemm(true, false, len, d, len, 0.0625f, sJava, h * len * len, len, q, off, hidden, 1f, kJava, off, hidden);
            blas.sgemm(true, false, len, d, len, 0.0625f, sJava, h * len * len, len, q, off, hidden, 1f, kBlas, off, hidden);
            assertClose(dk, kJava, kBlas, "dk head " + h);
            assertUntouched(dk, k0, kBlas, "dk head " + h);
        }
    }

    /** beta = 0 means C is not read: NaN in C must not leak into the result. */
    @Test
    void betaZeroIgnoresOldC() {
        Case cs = new Case(false, false, 7, 13, 5, 1.25f, 0f, 2, 1, 4, 3, 5, 2);
        Buffers buf = new Buffers(cs, 99);
        for (int i = 0; i < cs.m; i++)
            for (int j = 0; j < cs.n; j++) buf.c[cs.cOff + i * cs.ldc() + j] = Float.NaN;
        double[] want = exact(cs, buf.a, buf.b, buf.c);
        for (Gemm g : new Gemm[] {JAVA, blas, dnnl}) {
            float[] c = buf.c.clone();
            run(g, cs, buf.a, buf.b, c);
            for (int i = 0; i < cs.m; i++)
                for (int j = 0; j < cs.n; j++)
                    assertEquals(want[i * cs.n + j], c[cs.cOff + i * cs.ldc() + j], 1e-5, g.name() + " C[" + i + "," + j + "]");
            assertUntouched(cs, buf.c, c, g.name());
        }
    }

    /**
     * The products of weights read in place (oneDNN: its matmul primitive, one per shape and
     * thread): against a double triple loop for both layouts of B, operands at offsets with
     * padded leading dimensions, C's padding untouched, the same bits when the shape's primitive
     * is used again, and the sgemm's results within float roundings.
     */
    @Test
    void constantProductsInPlace() {
        Random r = new Random(17);
        for (boolean transB : new boolean[] {true, false}) {
            for (int[] mnk : new int[][] {{5, 7, 3}, {70, 300, 129}, {1, 40, 64}, {33, 256, 17}}) {
                int m = mnk[0], n = mnk[1], k = mnk[2], lda = k + 3, ldb = (transB ? k : n) + 5, ldc = n + 2;
                int aOff = 7, bOff = 11, cOff = 4;
                java.nio.FloatBuffer a = direct(random(r, aOff + m * lda)), b = direct(random(r, bOff + (transB ? n : k) * ldb)),
                        c = direct(random(r, cOff + m * ldc)), c2 = direct(new float[cOff + m * ldc]), ref = direct(new float[cOff + m * ldc]);
                float[] before = new float[c.capacity()];
                c.get(0, before);
                for (NativeGemm g : new NativeGemm[] {dnnl, blas}) {
                    g.constantProduct(transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            double sum = 0;
                            for (int q = 0; q < k; q++) {
                                sum += (double) a.get(aOff + i * lda + q) * b.get(bOff + (transB ? j * ldb + q : q * ldb + j));
                            }
                            assertEquals(sum, c.get(cOff + i * ldc + j), 1e-5 * (1 + Math.sqrt(k)), g.name() + " " + transB + " " + m + "x" + n + "x" + k);
                        }
                        for (int j = n; j < ldc && cOff + i * ldc + j < before.length; j++) {
                            assertEquals(before[cOff + i * ldc + j], c.get(cOff + i * ldc + j), 0f, "padding of C");
                        }
                    }
                }
                dnnl.constantProduct(transB, m, n, k, a, aOff, lda, b, bOff, ldb, c2, cOff, ldc);
                dnnl.constantProduct(transB, m, n, k, a, aOff, lda, b, bOff, ldb, ref, cOff, ldc);
                for (int i = 0; i < m * ldc; i++) assertEquals(Float.floatToRawIntBits(ref.get(cOff + i)), Float.floatToRawIntBits(c2.get(cOff + i)));
            }
        }
    }

    private static java.nio.FloatBuffer direct(float[] x) {
        java.nio.FloatBuffer f = java.nio.ByteBuffer.allocateDirect(4 * x.length).order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
        f.put(0, x);
        return f;
    }

    /** A, B and C as disjoint blocks of one buffer (as when q, k and v share a fused [T, 3H] buffer). */
    @Test
    void operandsInOneBuffer() {
        for (Gemm g : new Gemm[] {JAVA, blas, dnnl}) {
            float[] buf = new float[20];
            for (int i = 0; i < 8; i++) buf[i] = i + 1;
            g.sgemm(false, false, 2, 2, 2, 1f, buf, 0, 2, buf, 4, 2, 0f, buf, 10, 2);
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 19, 22, 43, 50, 0, 0, 0, 0, 0, 0}, buf, g.name());
        }
    }

    /** A tiny product worked by hand: [[1,2],[3,4]] [[5,6],[7,8]] = [[19,22],[43,50]]. */
    @Test
    void handWorkedProduct() {
        for (Gemm g : new Gemm[] {JAVA, blas, dnnl}) {
            float[] a = {1, 2, 3, 4}, b = {5, 6, 7, 8};
            float[] c = {1, 1, 1, 1};
            g.sgemm(false, false, 2, 2, 2, 2f, a, 0, 2, b, 0, 2, 1f, c, 0, 2);
            assertArrayEquals(new float[] {39, 45, 87, 101}, c, g.name());
            // A^T B^T = (B A)^T: B A = [[23,34],[31,46]]
            float[] d = new float[4];
            g.sgemm(true, true, 2, 2, 2, 1f, a, 0, 2, b, 0, 2, 0f, d, 0, 2);
            assertArrayEquals(new float[] {23, 31, 34, 46}, d, g.name());
        }
    }

    @Test
    void defaultBackendIsOneDnnWhenItLoads() {
        // -Dlrp.gemm chooses the backend (the suite's openblas and java runs); without it oneDNN is the default
        String forced = System.getProperty("lrp.gemm");
        assertEquals(forced == null || forced.equals("auto") ? "onednn" : forced, Gemm.get().name(),
                "oneDNN loads here (its natives are a dependency), so it is the default unless -Dlrp.gemm names another");
        assertEquals("onednn", dnnl.name());
        assertEquals("openblas", blas.name());
        assertEquals("java", JAVA.name());
    }

    @Test
    void changedConstantIsRepackedOnEveryThreadAfterInvalidate() throws Exception {
        for (Gemm g : new Gemm[] {blas, dnnl}) { // oneDNN caches the weight transposed, OpenBLAS as it is
            int m = 3, n = 4, k = 5;
            float[] a = new float[m * k], w = new float[n * k];
            for (int i = 0; i < a.length; i++) a[i] = i % 7 - 3;
            for (int i = 0; i < w.length; i++) w[i] = i % 5 - 2;
            float[] expected = new float[m * n], got = new float[m * n];
            Runnable product = () -> g.sgemm(false, true, m, n, k, 1f, a, 0, k, w, 0, k, true, 0f, got, 0, n);
            // a worker thread caches the packed weight, the weight changes, the thread must see it
            java.util.concurrent.ExecutorService worker = java.util.concurrent.Executors.newSingleThreadExecutor();
            try {
                worker.submit(product).get();
                JAVA.sgemm(false, true, m, n, k, 1f, a, 0, k, w, 0, k, 0f, expected, 0, n);
                assertArrayEquals(expected, got, 1e-5f, g.name());
                for (int i = 0; i < w.length; i++) w[i] *= -2;
                NativeGemm.invalidate(w);
                worker.submit(product).get();
                JAVA.sgemm(false, true, m, n, k, 1f, a, 0, k, w, 0, k, 0f, expected, 0, n);
                assertArrayEquals(expected, got, 1e-5f, g.name() + " after invalidate");
            } finally {
                worker.shutdownNow();
            }
        }
    }
}
