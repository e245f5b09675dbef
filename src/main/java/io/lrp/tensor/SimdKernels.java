package io.lrp.tensor;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The element-wise kernels that dominate outside the matrix products, on the CPU's widest
 * float vectors (jdk.incubator.vector; only called when {@link Simd#ENABLED}). HotSpot 17 does
 * not vectorise the scalar versions of these loops (a table lookup, a float-to-int conversion,
 * a reduction), and at 128 tokens they take a quarter of a MiniLM forward pass.
 *
 * <p>Accuracy: exp within 1 ulp of the float32 rounding of the exact value on [-87.3, 0]
 * (below that 0: under 1.2e-38); Phi within 2e-7 absolute and 1e-5 relative down to z = -8.
 * The loop tails use scalar versions of the same formulas, so every element of an array gets
 * the same function. SimdKernelsTest checks these bounds and the softmax against a double
 * reference.
 *
 * <p>Warm-up: until C2 has compiled them, Vector API methods run as interpreted code that
 * allocates an object per operation, about a hundred times slower than scalar code (a cold
 * BERT-base explanation took 300 ms and 300 MB more with them than with scalar kernels), and
 * compiling them takes about a second of one core's time. So every public kernel first runs its
 * scalar twin: the same operations in the same order, lane by lane, so the results are the same
 * to the bit (SimdKernelsTest) whichever of the two ran. Once the twins have processed
 * 2^27 elements (a long job: about 50 MiniLM explanations at 128 tokens, three of BERT-base at
 * 512), or when {@link #awaitWarm} asks for it (the benchmarks), a daemon thread runs the vector
 * kernels on inputs shaped like real ones until they are compiled, and the kernels switch. A
 * single explanation from the command line stays on the twins.
 *
 * <p>No vector crosses a method call here: each kernel is one method whose loop holds every
 * vector operation (exp is written out in both kernels that need it). A helper taking or
 * returning a FloatVector runs at full speed only when C2 inlines it, and C2 declines once the
 * helper has been compiled on its own into a large method; its vectors are then objects on the
 * heap, and the kernel ran 2 to 8 times slower depending on the order in which things got
 * compiled (softmax: 0.5 and 4.2 ns per score in two runs of the same program).
 */
public final class SimdKernels {
    private SimdKernels() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    static int lanes() { return F.length(); }

    // exp(x) = 2^n exp(r), n = round(x log2 e), r = x - n ln 2 (ln 2 in two parts, so r is exact
    // to float precision), exp(r) by a degree-7 polynomial in the classic Cephes form
    private static final float LOG2E = 1.44269504088896341f, LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    private static final float ROUND = 12582912f; // 1.5 * 2^23: adding it rounds to an integer in the low bits
    private static final float EXP_FLOOR = -87.33f; // exp below is under the smallest normal float
    private static final float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f,
            P3 = 4.1665795894e-2f, P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;
    private static final FloatVector V_LOG2E = FloatVector.broadcast(F, LOG2E), V_ROUND = FloatVector.broadcast(F, ROUND),
            V_LN2_HI = FloatVector.broadcast(F, -LN2_HI), V_LN2_LO = FloatVector.broadcast(F, -LN2_LO),
            V_P0 = FloatVector.broadcast(F, P0), V_P1 = FloatVector.broadcast(F, P1), V_P2 = FloatVector.broadcast(F, P2),
            V_P3 = FloatVector.broadcast(F, P3), V_P4 = FloatVector.broadcast(F, P4), V_P5 = FloatVector.broadcast(F, P5),
            V_ONE = FloatVector.broadcast(F, 1f), V_ZERO = FloatVector.zero(F), V_FLOOR = FloatVector.broadcast(F, EXP_FLOOR);
    private static final IntVector V_EXP_BIAS = IntVector.broadcast(IntVector.SPECIES_PREFERRED, 127 - Float.floatToRawIntBits(ROUND));

    /** exp(x) for x <= 0 (NaN stays NaN); the vector kernels compute it lane by lane the same way. */
    static float exp(float x) {
        if (x < EXP_FLOOR) return 0f;
        float t = Math.fma(x, LOG2E, ROUND);
        float n = t - ROUND;
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(r, P0, P1), r, P2), r, P3), r, P4), r, P5);
        float e = p * (r * r) + r + 1f;
        return e * Float.intBitsToFloat((Float.floatToRawIntBits(t) + (127 - Float.floatToRawIntBits(ROUND))) << 23);
    }

    /** exp(a) lane by lane for a <= 0, as {@link #exp} computes it (0 below EXP_FLOOR); small enough for C2 to inline. */
    private static FloatVector expLanes(FloatVector a) {
        FloatVector c = a.max(V_FLOOR);
        FloatVector t = c.fma(V_LOG2E, V_ROUND);
        FloatVector n = t.sub(V_ROUND);
        FloatVector r = n.fma(V_LN2_HI, c);
        r = n.fma(V_LN2_LO, r);
        FloatVector p = r.fma(V_P0, V_P1).fma(r, V_P2).fma(r, V_P3).fma(r, V_P4).fma(r, V_P5);
        FloatVector e = p.mul(r.mul(r)).add(r).add(V_ONE);
        FloatVector pow = t.reinterpretAsInts().add(V_EXP_BIAS).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return e.mul(pow).blend(V_ZERO, a.compare(VectorOperators.LT, EXP_FLOOR));
    }

    /** Row-wise softmax of rows [r0, r1) of length len, src to dst. A NaN in a row makes the row NaN. */
    static void softmaxRowsVector(float[] src, float[] dst, int len, int r0, int r1) {
        softmaxVector(src, r0 * len, null, 0, null, 0, dst, r0 * len, r1 - r0, len);
    }

    /**
     * Attention rows in direct memory: for each of the rows rows of length len at float offset
     * so of s, p = softmax(s + mask[mo ..]) (mask may be null), written to dst at dOff and back
     * over s (where the next product reads it). Same arithmetic as {@link #softmaxRows} on s + mask.
     */
    static void softmaxRowsDirectVector(java.nio.ByteBuffer s, int so, float[] mask, int mo, float[] dst, int dOff,
                                        int rows, int len) {
        softmaxVector(null, 0, s, so, mask, mo, dst, dOff, rows, len);
    }

    private static final java.nio.ByteOrder ORDER = java.nio.ByteOrder.nativeOrder();

    /**
     * The softmax of rows rows of length len read from src at so, or from the direct buffer s at
     * float offset so (plus mask[mo ..] if given; the masked scores are kept in dst), written to
     * dst at d, and back to s when given. The vector version of the twins' softmaxTail.
     *
     * <p>Three passes over all the rows (maxima; exponentials and sums, {@link #expRows};
     * scaling), not row after row: a row of 128 scores is only 8 vectors.
     */
    static void softmaxVector(float[] src, int so, java.nio.ByteBuffer s, int sOff, float[] mask, int mo,
                                      float[] dst, int d, int rows, int len) {
        int step = F.length(), up = F.loopBound(len);
        float[] stat = new float[rows]; // each row's maximum, then 1 / its sum
        float[] in = s == null ? src : dst;
        int inOff = s == null ? so : d;
        for (int row = 0; row < rows; row++) {
            int o = row * len, j = 0;
            FloatVector mv = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            float max;
            if (s == null) {
                for (; j < up; j += step) mv = mv.max(FloatVector.fromArray(F, src, so + o + j));
                max = mv.reduceLanes(VectorOperators.MAX);
                for (; j < len; j++) max = Math.max(max, src[so + o + j]);
            } else {
                for (; j < up; j += step) {
                    FloatVector x = FloatVector.fromByteBuffer(F, s, 4 * (sOff + o + j), ORDER);
                    if (mask != null) x = x.add(FloatVector.fromArray(F, mask, mo + j));
                    x.intoArray(dst, d + o + j); // the masked scores, read by the next pass
                    mv = mv.max(x);
                }
                max = mv.reduceLanes(VectorOperators.MAX);
                for (; j < len; j++) {
                    float x = s.getFloat(4 * (sOff + o + j)) + (mask == null ? 0f : mask[mo + j]);
                    dst[d + o + j] = x;
                    max = Math.max(max, x);
                }
            }
            stat[row] = max;
        }
        expRows(in, inOff, dst, d, stat, rows, len);
        for (int row = 0; row < rows; row++) {
            int o = d + row * len, j = 0;
            float inv = stat[row];
            for (; j < up; j += step) {
                FloatVector p = FloatVector.fromArray(F, dst, o + j).mul(inv);
                p.intoArray(dst, o + j);
                if (s != null) p.intoByteBuffer(s, 4 * (sOff + row * len + j), ORDER);
            }
            for (; j < len; j++) {
                float p = dst[o + j] * inv;
                dst[o + j] = p;
                if (s != null) s.putFloat(4 * (sOff + row * len + j), p);
            }
        }
    }

    /**
     * The exponential pass of the softmax over rows rows of length len: dst = exp(x - max) with
     * x from in at inOff and max = stat[row]; then stat[row] = 1 / the row's sum, the lanes
     * summed in a fixed order. All rows in one call: a call per row cost more than its arithmetic
     * (the vector constants are loaded again at every call), 1.0 against 0.33 ns per score.
     */
    static void expRows(float[] in, int inOff, float[] dst, int d, float[] stat, int rows, int len) {
        int step = F.length(), up = F.loopBound(len);
        for (int row = 0; row < rows; row++) {
            int xo = inOff + row * len, o = d + row * len, j = 0;
            float max = stat[row];
            FloatVector sv = FloatVector.zero(F); // not V_ZERO: a constant object as the start of a loop-carried vector made C2 box it in every iteration (2.5x slower)
            for (; j < up; j += step) {
                FloatVector a = FloatVector.fromArray(F, in, xo + j).sub(max);
                FloatVector e = expLanes(a);
                e.intoArray(dst, o + j);
                sv = sv.add(e);
            }
            // the lanes summed pairwise (lane i plus lane i + L/2, then i + L/4, ...) by rotations,
            // 4x faster than through an array; reduceLanes(ADD) leaves the order open, and it
            // differs between interpreted and compiled code (the same input, a different last bit)
            for (int w = step / 2; w >= 1; w /= 2) sv = sv.add(sv.rearrange(ROTATE[w]));
            float sum = sv.lane(0);
            for (; j < len; j++) {
                float e = exp(in[xo + j] - max);
                dst[o + j] = e;
                sum += e;
            }
            stat[row] = 1f / sum;
        }
    }

    // Row reductions accumulated in double (Rows): floats widened lane by lane, as many lanes as a
    // double vector holds, four accumulators against the add latency. The floats are loaded as
    // vectors of the one float species F and split in two halves (lo: part 0, hi: part 1):
    // loading them through a second, half-width float species made the JIT's type profiles of
    // the shared Vector API code polymorphic, and the GELU and softmax kernels compiled after
    // that ran 2.2x slower.
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;

    /** a[i .. i + D.length()) widened to doubles, for the few loop tails of that length. */
    private static double[] widenTail(float[] a, int i) {
        double[] t = new double[D.length()];
        for (int l = 0; l < t.length; l++) t[l] = a[i + l];
        return t;
    }

    /** Sum of a[o .. o+n) in double; the lanes added in a fixed order (pairwise, as softmaxVector). */
    static double sumVector(float[] a, int o, int n) {
        int step = D.length(), i = 0;
        DoubleVector s0 = DoubleVector.zero(D), s1 = s0, s2 = s0, s3 = s0;
        for (; i + 4 * step <= n; i += 4 * step) {
            FloatVector v0 = FloatVector.fromArray(F, a, o + i), v1 = FloatVector.fromArray(F, a, o + i + 2 * step);
            s0 = s0.add(v0.convertShape(VectorOperators.F2D, D, 0));
            s1 = s1.add(v0.convertShape(VectorOperators.F2D, D, 1));
            s2 = s2.add(v1.convertShape(VectorOperators.F2D, D, 0));
            s3 = s3.add(v1.convertShape(VectorOperators.F2D, D, 1));
        }
        for (; i + step <= n; i += step) s0 = s0.add(DoubleVector.fromArray(D, widenTail(a, o + i), 0));
        DoubleVector v = s0.add(s1).add(s2.add(s3));
        for (int w = step / 2; w >= 1; w /= 2) v = v.add(v.rearrange(DROTATE[w])); // pairwise, as the twins
        double s = v.lane(0);
        for (; i < n; i++) s += a[o + i];
        return s;
    }

    /** Sum of (a[o + i] - c)^2 over i < n, in double. */
    static double squaredDeviationVector(float[] a, int o, int n, double c) {
        int step = D.length(), i = 0;
        DoubleVector s0 = DoubleVector.zero(D), s1 = s0, s2 = s0, s3 = s0;
        for (; i + 4 * step <= n; i += 4 * step) {
            FloatVector v0 = FloatVector.fromArray(F, a, o + i), v1 = FloatVector.fromArray(F, a, o + i + 2 * step);
            DoubleVector d0 = ((DoubleVector) v0.convertShape(VectorOperators.F2D, D, 0)).sub(c);
            DoubleVector d1 = ((DoubleVector) v0.convertShape(VectorOperators.F2D, D, 1)).sub(c);
            DoubleVector d2 = ((DoubleVector) v1.convertShape(VectorOperators.F2D, D, 0)).sub(c);
            DoubleVector d3 = ((DoubleVector) v1.convertShape(VectorOperators.F2D, D, 1)).sub(c);
            s0 = d0.fma(d0, s0);
            s1 = d1.fma(d1, s1);
            s2 = d2.fma(d2, s2);
            s3 = d3.fma(d3, s3);
        }
        for (; i + step <= n; i += step) {
            DoubleVector d0 = DoubleVector.fromArray(D, widenTail(a, o + i), 0).sub(c);
            s0 = d0.fma(d0, s0);
        }
        DoubleVector v = s0.add(s1).add(s2.add(s3));
        for (int w = step / 2; w >= 1; w /= 2) v = v.add(v.rearrange(DROTATE[w])); // pairwise, as the twins
        double s = v.lane(0);
        for (; i < n; i++) {
            double d = a[o + i] - c;
            s += d * d;
        }
        return s;
    }

    /** Sum of a[ao + i] * b[bo + i] over i < n, in double. */
    static double dotVector(float[] a, int ao, float[] b, int bo, int n) {
        int step = D.length(), i = 0;
        DoubleVector s0 = DoubleVector.zero(D), s1 = s0, s2 = s0, s3 = s0;
        for (; i + 4 * step <= n; i += 4 * step) {
            FloatVector a0 = FloatVector.fromArray(F, a, ao + i), a1 = FloatVector.fromArray(F, a, ao + i + 2 * step);
            FloatVector b0 = FloatVector.fromArray(F, b, bo + i), b1 = FloatVector.fromArray(F, b, bo + i + 2 * step);
            s0 = ((DoubleVector) a0.convertShape(VectorOperators.F2D, D, 0)).fma(b0.convertShape(VectorOperators.F2D, D, 0), s0);
            s1 = ((DoubleVector) a0.convertShape(VectorOperators.F2D, D, 1)).fma(b0.convertShape(VectorOperators.F2D, D, 1), s1);
            s2 = ((DoubleVector) a1.convertShape(VectorOperators.F2D, D, 0)).fma(b1.convertShape(VectorOperators.F2D, D, 0), s2);
            s3 = ((DoubleVector) a1.convertShape(VectorOperators.F2D, D, 1)).fma(b1.convertShape(VectorOperators.F2D, D, 1), s3);
        }
        for (; i + step <= n; i += step) {
            s0 = DoubleVector.fromArray(D, widenTail(a, ao + i), 0).fma(DoubleVector.fromArray(D, widenTail(b, bo + i), 0), s0);
        }
        DoubleVector v = s0.add(s1).add(s2.add(s3));
        for (int w = step / 2; w >= 1; w /= 2) v = v.add(v.rearrange(DROTATE[w])); // pairwise, as the twins
        double s = v.lane(0);
        for (; i < n; i++) s += (double) a[ao + i] * b[bo + i];
        return s;
    }

    /** The values added pairwise (halves, then quarters, ...), overwriting t; t.length a power of 2. */
    private static double pairwise(double[] t) {
        for (int width = t.length / 2; width >= 1; width /= 2) {
            for (int i = 0; i < width; i++) t[i] += t[i + width];
        }
        return t[0];
    }

    // ---------------------------------------------------------------- warm-up and dispatch

    private static volatile boolean warm;
    private static final java.util.concurrent.atomic.AtomicBoolean STARTED = new java.util.concurrent.atomic.AtomicBoolean();
    /** Elements the scalar twins may process before the warm-up starts (-Dlrp.simd.warmAfter). */
    private static final long WARM_AFTER = Long.getLong("lrp.simd.warmAfter", 1L << 27);
    private static final java.util.concurrent.atomic.LongAdder TWIN_WORK = new java.util.concurrent.atomic.LongAdder();

    /** Whether the vector versions run (else the scalar twins); true once the warm-up is done. */
    static boolean warm() { return warm; }

    /** Starts the warm-up on a daemon thread (once); the kernels switch when it is done. */
    public static void startWarmUp() {
        if (!STARTED.compareAndSet(false, true)) return;
        Thread t = new Thread(SimdKernels::warmUp, "lrp-simd-warmup");
        t.setDaemon(true);
        t.start();
    }

    /** Starts the warm-up if needed and waits for it (benchmarks, after their untimed runs). */
    public static void awaitWarm() {
        startWarmUp();
        while (!warm) {
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Counts scalar work; past WARM_AFTER elements the job is long enough for the warm-up to pay. */
    private static void twinWork(long elements) {
        if (STARTED.get()) return;
        TWIN_WORK.add(elements);
        if (TWIN_WORK.sum() > WARM_AFTER) startWarmUp();
    }

    /**
     * Runs every vector kernel until HotSpot has compiled it (about 10,000 calls each here; 12,000
     * are run, at most 10 s), on inputs shaped like the real ones: rows a multiple of the vector
     * length, loop tails and masks in one call of sixteen. C2 compiles a loop for the profile it
     * has seen: warmed on rows of three vectors and a tail, GELU ran 4x and softmax 3x slower on
     * a 128-token model than after a warm-up on long rows.
     */
    private static void warmUp() {
        try {
            int len = 8 * F.length(), tail = len + 3;
            float[] x = new float[4 * tail], y = new float[4 * tail], z = new float[4 * tail], w = new float[4 * tail], mask = new float[tail];
            float[] stats = {0.5f, 0.25f, 2f};
            double[] dstats = {0.5, 0.25, 2};
            for (int i = 0; i < x.length; i++) x[i] = (i % 11) * 0.37f - 2f;
            mask[len - 1] = -10000f;
            java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(4 * x.length).order(java.nio.ByteOrder.nativeOrder());
            long deadline = System.nanoTime() + 10_000_000_000L;
            double sink = 0;
            for (int it = 0; it < 12_000 && System.nanoTime() < deadline; it++) {
                boolean odd = (it & 15) == 0; // now and then a row with a loop tail
                int n = odd ? tail : len, from = odd ? it & 3 : 0;
                softmaxRowsVector(x, y, n, 0, 4);
                for (int i = 0; i < 4 * n; i++) direct.putFloat(4 * i, x[i]);
                softmaxRowsDirectVector(direct, 0, (it & 1) == 0 ? mask : null, 0, y, 0, 4, n);
                geluVector(x, (it & 2) == 0 ? y : null, z, from, 4 * n);
                siluVector(x, (it & 2) == 0 ? y : null, z, (it & 4) == 0 ? w : null, from, n);
                softmaxVector(y, from, null, 0, null, 0, y, from, 1, n - from);
                sink += sumVector(x, from, 3 * n) + squaredDeviationVector(x, 0, 3 * n, 0.5) + dotVector(x, from, y, 0, 3 * n);
                normalizeVector(x, (it & 2) == 0 ? z : null, y, mask, mask, stats, stats, 0, 3, n);
                layerNormBackwardVector(x, mask, y, z, dstats, dstats, (it & 2) == 0, 0, 3, n);
                columnSumsVector(x, 0, 3, n, z, 0, from, n);
                addRowsFromDirect(direct, mask, z, from, n, 3, n);
            }
            if (Double.isNaN(sink)) throw new IllegalStateException(); // keeps the results alive
        } finally {
            warm = true;
        }
    }

    /** Row-wise softmax of rows [r0, r1) of length len, src to dst. A NaN in a row makes the row NaN. */
    public static void softmaxRows(float[] src, float[] dst, int len, int r0, int r1) {
        if (warm) softmaxRowsVector(src, dst, len, r0, r1);
        else {
            softmaxRowsTwin(src, dst, len, r0, r1);
            twinWork((long) (r1 - r0) * len);
        }
    }

    /** See {@link #softmaxRowsDirectVector}. */
    public static void softmaxRowsDirect(java.nio.ByteBuffer s, int so, float[] mask, int mo, float[] dst, int dOff,
                                         int rows, int len) {
        if (warm) softmaxRowsDirectVector(s, so, mask, mo, dst, dOff, rows, len);
        else {
            softmaxRowsDirectTwin(s, so, mask, mo, dst, dOff, rows, len);
            twinWork((long) rows * len);
        }
    }

    /** Softmax of s[o, o + n) in place (a causal row's unmasked part); a NaN makes the row NaN. */
    public static void softmaxInPlace(float[] s, int o, int n) {
        if (n == 0) return;
        if (warm) softmaxVector(s, o, null, 0, null, 0, s, o, 1, n);
        else {
            softmaxInPlaceTwin(s, o, n);
            twinWork(n);
        }
    }

    /**
     * SiLU on z[from, to): s = z sigmoid(z) (unless s is null), y = s * u (unless y is null);
     * sigmoid from exp(-|z|), so the exponential never overflows.
     */
    public static void silu(float[] z, float[] s, float[] u, float[] y, int from, int to) {
        if (warm) siluVector(z, s, u, y, from, to);
        else {
            siluTwin(z, s, u, y, from, to);
            twinWork(to - from);
        }
    }

    /** GELU on z[from, to): cdf = Phi(z) (unless cdf is null), y = z Phi(z). */
    public static void gelu(float[] z, float[] cdf, float[] y, int from, int to) {
        if (warm) geluVector(z, cdf, y, from, to);
        else {
            geluTwin(z, cdf, y, from, to);
            twinWork(to - from);
        }
    }

    /** Sum of a[o .. o+n) in double. */
    public static double sum(float[] a, int o, int n) {
        if (warm) return sumVector(a, o, n);
        twinWork(n);
        return sumTwin(a, o, n);
    }

    /** Sum of (a[o + i] - c)^2 over i < n, in double. */
    public static double squaredDeviation(float[] a, int o, int n, double c) {
        if (warm) return squaredDeviationVector(a, o, n, c);
        twinWork(n);
        return squaredDeviationTwin(a, o, n, c);
    }

    /** Sum of a[ao + i] * b[bo + i] over i < n, in double. */
    public static double dot(float[] a, int ao, float[] b, int bo, int n) {
        if (warm) return dotVector(a, ao, b, bo, n);
        twinWork(n);
        return dotTwin(a, ao, b, bo, n);
    }

    /** See {@link Rows#normalize} (mul then add, unfused, as the scalar loop: the same bits). */
    static void normalizeVector(float[] x, float[] xhat, float[] y, float[] w, float[] b, float[] mean, float[] inv,
                                int r0, int r1, int n) {
        int step = F.length(), up = F.loopBound(n);
        for (int r = r0; r < r1; r++) {
            int o = r * n, i = 0;
            float m = mean[r], k = inv[r];
            for (; i < up; i += step) {
                FloatVector xh = FloatVector.fromArray(F, x, o + i).sub(m).mul(k);
                if (xhat != null) xh.intoArray(xhat, o + i);
                xh.mul(FloatVector.fromArray(F, w, i)).add(FloatVector.fromArray(F, b, i)).intoArray(y, o + i);
            }
            for (; i < n; i++) {
                float xh = (x[o + i] - m) * k;
                if (xhat != null) xhat[o + i] = xh;
                y[o + i] = xh * w[i] + b[i];
            }
        }
    }

    /** See {@link Rows#layerNormBackward}: the same operations on vectors, the same bits. */
    static void layerNormBackwardVector(float[] g, float[] w, float[] xhat, float[] gx, double[] scale, double[] dsFactor,
                                        boolean scaleDetached, int r0, int r1, int n) {
        int step = F.length(), up = F.loopBound(n);
        float[] gh = new float[n];
        for (int r = r0; r < r1; r++) {
            int o = r * n, i = 0;
            for (; i < up; i += step) FloatVector.fromArray(F, g, o + i).mul(FloatVector.fromArray(F, w, i)).intoArray(gh, i);
            for (; i < n; i++) gh[i] = g[o + i] * w[i];
            float mg = (float) (sumVector(gh, 0, n) / n), inv = (float) (1 / scale[r]);
            float k = scaleDetached ? 0f : (float) (dotVector(gh, 0, xhat, o, n) * dsFactor[r]);
            if (scaleDetached) {
                for (i = 0; i < up; i += step) {
                    FloatVector t = FloatVector.fromArray(F, gh, i).sub(mg).mul(inv);
                    FloatVector.fromArray(F, gx, o + i).add(t).intoArray(gx, o + i);
                }
                for (; i < n; i++) gx[o + i] += (gh[i] - mg) * inv;
                continue;
            }
            for (i = 0; i < up; i += step) {
                FloatVector t = FloatVector.fromArray(F, gh, i).sub(mg).mul(inv)
                        .sub(FloatVector.fromArray(F, xhat, o + i).mul(k));
                FloatVector.fromArray(F, gx, o + i).add(t).intoArray(gx, o + i);
            }
            for (; i < n; i++) gx[o + i] += (gh[i] - mg) * inv - k * xhat[o + i];
        }
    }

    /** See {@link Rows#columnSums}: a vector of columns at a time, kept in a register down the rows. */
    static void columnSumsVector(float[] g, int r0, int rows, int cols, float[] acc, int accOff, int c0, int c1) {
        int step = F.length(), c = c0, up = c0 + F.loopBound(c1 - c0);
        for (; c < up; c += step) {
            FloatVector s = FloatVector.fromArray(F, acc, accOff + c);
            for (int r = r0; r < r0 + rows; r++) s = s.add(FloatVector.fromArray(F, g, r * cols + c));
            s.intoArray(acc, accOff + c);
        }
        for (; c < c1; c++) {
            float s = acc[accOff + c];
            for (int r = r0; r < r0 + rows; r++) s += g[r * cols + c];
            acc[accOff + c] = s;
        }
    }

    /**
     * dst[off + r ld + j] = src[r cols + j] + bias[j] for rows r < rows, j < cols, src a direct
     * buffer of floats (a product's output coming back with its bias; one float addition each,
     * so the scalar loop it replaces gives the same bits).
     */
    static void addRowsFromDirect(java.nio.ByteBuffer src, float[] bias, float[] dst, int off, int ld, int rows, int cols) {
        int step = F.length(), up = F.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            int s = r * cols, o = off + r * ld, j = 0;
            for (; j < up; j += step) {
                FloatVector.fromByteBuffer(F, src, 4 * (s + j), ORDER).add(FloatVector.fromArray(F, bias, j)).intoArray(dst, o + j);
            }
            for (; j < cols; j++) dst[o + j] = src.getFloat(4 * (s + j)) + bias[j];
        }
    }

    // ---------------------------------------------------------------- scalar twins (same bits)

    static void softmaxRowsTwin(float[] src, float[] dst, int len, int r0, int r1) {
        int step = F.length(), up = F.loopBound(len);
        float[] acc = new float[step];
        for (int row = r0; row < r1; row++) {
            int o = row * len;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < len; j++) max = Math.max(max, src[o + j]);
            softmaxTail(dst, o, src, o, max, len, up, acc, null, 0);
        }
    }

    static void softmaxRowsDirectTwin(java.nio.ByteBuffer s, int so, float[] mask, int mo, float[] dst, int dOff,
                                      int rows, int len) {
        int step = F.length(), up = F.loopBound(len);
        float[] acc = new float[step];
        for (int row = 0; row < rows; row++) {
            int o = so + row * len, d = dOff + row * len;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < len; j++) {
                float x = s.getFloat(4 * (o + j)) + (mask == null ? 0f : mask[mo + j]);
                dst[d + j] = x;
                max = Math.max(max, x);
            }
            softmaxTail(dst, d, dst, d, max, len, up, acc, s, o);
        }
    }

    /** exp(x - max) into dst, summed as the vector lanes sum, normalised; copied to s at so if given. */
    private static void softmaxTail(float[] dst, int d, float[] x, int xo, float max, int len, int up, float[] acc,
                                    java.nio.ByteBuffer s, int so) {
        java.util.Arrays.fill(acc, 0f);
        int step = acc.length, j = 0;
        for (; j < up; j += step) {
            for (int l = 0; l < step; l++) { // lane l of the vector sum
                float e = exp(x[xo + j + l] - max);
                dst[d + j + l] = e;
                acc[l] += e;
            }
        }
        float sum = pairwise(acc);
        for (; j < len; j++) {
            float e = exp(x[xo + j] - max);
            dst[d + j] = e;
            sum += e;
        }
        float inv = 1f / sum;
        for (j = 0; j < len; j++) {
            float p = dst[d + j] * inv;
            dst[d + j] = p;
            if (s != null) s.putFloat(4 * (so + j), p);
        }
    }

    static void softmaxInPlaceTwin(float[] s, int o, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) max = Math.max(max, s[o + j]);
        softmaxTail(s, o, s, o, max, n, F.loopBound(n), new float[F.length()], null, 0);
    }

    /** z sigmoid(z) as the vector kernel computes it lane by lane. */
    static float silu(float z) {
        float e = exp(-Math.abs(z));
        return z * ((z < 0f ? e : 1f) / (1f + e));
    }

    static void siluTwin(float[] z, float[] s, float[] u, float[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            float v = silu(z[i]);
            if (s != null) s[i] = v;
            if (y != null) y[i] = v * u[i];
        }
    }

    static void geluTwin(float[] z, float[] cdf, float[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            float p = phi(z[i]);
            if (cdf != null) cdf[i] = p;
            y[i] = z[i] * p;
        }
    }

    /** The double accumulators of the vector reductions: 4 x lanes, filled as the vectors fill them. */
    private static double[][] accumulators() { return new double[4][D.length()]; }

    private static double combine(double[][] s) {
        double[] t = new double[s[0].length];
        for (int l = 0; l < t.length; l++) t[l] = (s[0][l] + s[1][l]) + (s[2][l] + s[3][l]);
        return pairwise(t);
    }

    static double sumTwin(float[] a, int o, int n) {
        int step = D.length(), i = 0;
        double[][] s = accumulators();
        for (; i + 4 * step <= n; i += 4 * step) {
            for (int k = 0; k < 4; k++) for (int l = 0; l < step; l++) s[k][l] += a[o + i + k * step + l];
        }
        for (; i + step <= n; i += step) for (int l = 0; l < step; l++) s[0][l] += a[o + i + l];
        double r = combine(s);
        for (; i < n; i++) r += a[o + i];
        return r;
    }

    static double squaredDeviationTwin(float[] a, int o, int n, double c) {
        int step = D.length(), i = 0;
        double[][] s = accumulators();
        for (; i + 4 * step <= n; i += 4 * step) {
            for (int k = 0; k < 4; k++) {
                for (int l = 0; l < step; l++) {
                    double d = a[o + i + k * step + l] - c;
                    s[k][l] = Math.fma(d, d, s[k][l]);
                }
            }
        }
        for (; i + step <= n; i += step) {
            for (int l = 0; l < step; l++) {
                double d = a[o + i + l] - c;
                s[0][l] = Math.fma(d, d, s[0][l]);
            }
        }
        double r = combine(s);
        for (; i < n; i++) {
            double d = a[o + i] - c;
            r += d * d;
        }
        return r;
    }

    static double dotTwin(float[] a, int ao, float[] b, int bo, int n) {
        int step = D.length(), i = 0;
        double[][] s = accumulators();
        for (; i + 4 * step <= n; i += 4 * step) {
            for (int k = 0; k < 4; k++) {
                for (int l = 0; l < step; l++) {
                    int x = i + k * step + l;
                    s[k][l] = Math.fma(a[ao + x], (double) b[bo + x], s[k][l]);
                }
            }
        }
        for (; i + step <= n; i += step) {
            for (int l = 0; l < step; l++) s[0][l] = Math.fma(a[ao + i + l], (double) b[bo + i + l], s[0][l]);
        }
        double r = combine(s);
        for (; i < n; i++) r += (double) a[ao + i] * b[bo + i];
        return r;
    }

    /** The lanes of a float accumulator added pairwise, as the vector softmax does (see {@link #softmaxVector}). */
    private static float pairwise(float[] lanes) {
        for (int width = lanes.length / 2; width >= 1; width /= 2) {
            for (int i = 0; i < width; i++) lanes[i] += lanes[i + width];
        }
        return lanes[0];
    }

    /** ROTATE[w] and DROTATE[w] move lane i + w to lane i (w a power of 2 below the vector length). */
    private static final VectorShuffle<Float>[] ROTATE = rotations(F);
    private static final VectorShuffle<Double>[] DROTATE = rotations(D);

    @SuppressWarnings("unchecked")
    private static <E> VectorShuffle<E>[] rotations(VectorSpecies<E> species) {
        int n = species.length();
        VectorShuffle<E>[] r = new VectorShuffle[n];
        for (int w = 1; w < n; w *= 2) {
            int shift = w;
            r[w] = VectorShuffle.fromOp(species, i -> (i + shift) % n);
        }
        return r;
    }

    // Phi(z) = 1/2 erfc(-z / sqrt 2); erfc(x) = t exp(-x^2 + Q(t)), t = 1 / (1 + x/2), x >= 0, with
    // the Chebyshev fit Q of Press et al. (fractional error below 1.2e-7 for every x >= 0)
    private static final float[] Q = {0.17087277f, -0.82215223f, 1.48851587f, -1.13520398f, 0.27886807f,
            -0.18628806f, 0.09678418f, 0.37409196f, 1.00002368f, -1.26551223f};
    private static final float INV_SQRT2 = 0.70710678118654752f, X_MAX = 6f; // erfc(6) / 2 = 1e-17
    private static final FloatVector V_HALF = FloatVector.broadcast(F, 0.5f), V_XMAX = FloatVector.broadcast(F, X_MAX),
            V_Q0 = FloatVector.broadcast(F, Q[0]), V_Q1 = FloatVector.broadcast(F, Q[1]), V_Q2 = FloatVector.broadcast(F, Q[2]),
            V_Q3 = FloatVector.broadcast(F, Q[3]), V_Q4 = FloatVector.broadcast(F, Q[4]), V_Q5 = FloatVector.broadcast(F, Q[5]),
            V_Q6 = FloatVector.broadcast(F, Q[6]), V_Q7 = FloatVector.broadcast(F, Q[7]), V_Q8 = FloatVector.broadcast(F, Q[8]),
            V_Q9 = FloatVector.broadcast(F, Q[9]), V_INV_SQRT2 = FloatVector.broadcast(F, INV_SQRT2);

    /** Phi(z); the vector kernel computes it lane by lane the same way. */
    static float phi(float z) {
        float x = Math.min(Math.abs(z) * INV_SQRT2, X_MAX);
        float t = 1f / Math.fma(x, 0.5f, 1f);
        float q = Q[0];
        for (int i = 1; i < Q.length; i++) q = Math.fma(q, t, Q[i]);
        float lower = t * exp(-(x * x) + q) * 0.5f;
        return z > 0f ? 1f - lower : lower;
    }

    /** GELU on z[from, to): cdf = Phi(z), y = z Phi(z); Phi and exp as {@link #phi(float)} and {@link #exp(float)}. */
    static void siluVector(float[] z, float[] s, float[] u, float[] y, int from, int to) {
        int i = from, up = from + F.loopBound(to - from);
        for (; i < up; i += F.length()) {
            FloatVector zv = FloatVector.fromArray(F, z, i);
            FloatVector a = zv.abs().neg(); // exp(a), as in expRows
            FloatVector e = expLanes(a);
            FloatVector num = V_ONE.blend(e, zv.compare(VectorOperators.LT, 0f));
            FloatVector v = zv.mul(num.div(V_ONE.add(e)));
            if (s != null) v.intoArray(s, i);
            if (y != null) v.mul(FloatVector.fromArray(F, u, i)).intoArray(y, i);
        }
        for (; i < to; i++) {
            float v = silu(z[i]);
            if (s != null) s[i] = v;
            if (y != null) y[i] = v * u[i];
        }
    }

    static void geluVector(float[] z, float[] cdf, float[] y, int from, int to) {
        int i = from, up = from + F.loopBound(to - from);
        for (; i < up; i += F.length()) {
            FloatVector zv = FloatVector.fromArray(F, z, i);
            FloatVector x = zv.abs().mul(V_INV_SQRT2).min(V_XMAX);
            FloatVector t = V_ONE.div(x.fma(V_HALF, V_ONE));
            FloatVector q = t.fma(V_Q0, V_Q1).fma(t, V_Q2).fma(t, V_Q3).fma(t, V_Q4).fma(t, V_Q5)
                    .fma(t, V_Q6).fma(t, V_Q7).fma(t, V_Q8).fma(t, V_Q9);
            FloatVector a = x.mul(x).neg().add(q); // exp(a), as in softmaxVector
            FloatVector e = expLanes(a);
            FloatVector lower = t.mul(e).mul(V_HALF); // Phi(-|z|)
            FloatVector p = lower.blend(V_ONE.sub(lower), zv.compare(VectorOperators.GT, 0f));
            if (cdf != null) p.intoArray(cdf, i);
            zv.mul(p).intoArray(y, i);
        }
        for (; i < to; i++) {
            float p = phi(z[i]);
            if (cdf != null) cdf[i] = p;
            y[i] = z[i] * p;
        }
    }
}
