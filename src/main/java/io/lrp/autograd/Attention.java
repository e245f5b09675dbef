package io.lrp.autograd;

import java.nio.FloatBuffer;

import io.lrp.tensor.Direct;
import io.lrp.tensor.Gemm;
import io.lrp.tensor.NativeGemm;
import io.lrp.tensor.Parallel;
import io.lrp.tensor.Simd;
import io.lrp.tensor.SimdKernels;
import io.lrp.tensor.Tensor;

/**
 * The attention ops of a Transformer head: scores q k^T (+ mask), the softmax whose output the
 * AH-rule detaches, and the context p v. Both products carry {@link Role#ATTENTION_MATMUL}
 * (AttnLRP scales their gradient); the probabilities carry {@link Role#ATTENTION_PROBS}.
 * Hidden states are [B*T, H] with heads side by side; scores and probabilities [B, heads, T, T].
 */
public final class Attention {
    private Attention() {}

    /**
     * Per-head attention products are small (T x d with d = 32 or 64) and live at offsets inside
     * the [B*T, H] buffers; plain loops beat a JNI call that copies the whole buffer per head.
     */
    private static final Gemm SMALL = new io.lrp.tensor.JavaGemm();

    /** Below this many multiply-adds a JNI call costs more than it saves. */
    private static final long SMALL_PRODUCT = Long.getLong("lrp.attention.javaBelow", 2048);

    private static Gemm headGemm(int m, int n, int k) { return (long) m * n * k < SMALL_PRODUCT ? SMALL : Ops.gemm(); }

    /**
     * Attention scores S[b, h, i, j] = scale * q_i . k_j + mask[b, j] for q, k [B*T, H] split
     * into heads of H / heads columns. maskAdd is [B*T] (0 for real keys, -10000 for padding)
     * or null.
     */
    public static Var scores(Tape tape, Var q, Var k, int batch, int len, int heads,
                                      float scale, float[] maskAdd) {
        Tensor s = computeScores(q, k, batch, len, heads, scale, maskAdd);
        boolean grad = tape.needsGrad(q, k);
        Var sv = Ops.out(s, grad);
        if (!grad) return sv;
        float factor = scale * matmulScale(tape);
        tape.readsValue(q, k);
        tape.record(new Tape.Node() {
            public Var output() { return sv; }
            public void backward(float[] g) { scoresBackward(g, q, k, batch, len, heads, factor); }
        });
        return sv;
    }

    /**
     * The attention probabilities softmax(scale * q k^T + mask) in one op: the scores are a
     * temporary (the probabilities overwrite them), and under the AH-rule nothing is recorded at
     * all, so neither the scores nor q and k are kept for a backward pass that will not reach them.
     * Same values and gradients as {@link #scores} followed by {@link #softmax}.
     */
    public static Var probabilities(Tape tape, Var q, Var k, int batch, int len, int heads, float scale, float[] maskAdd) {
        Tensor p = computeScores(q, k, batch, len, heads, scale, maskAdd);
        softmaxRows(p.data, p.data, len);
        return recordProbabilities(tape, p, q, k, batch, len, heads, scale);
    }

    private static Var recordProbabilities(Tape tape, Tensor p, Var q, Var k, int batch, int len, int heads, float scale) {
        boolean grad = tape.needsGrad(q, k) && !tape.rules().stops(Role.ATTENTION_PROBS);
        Var pv = Ops.out(p, grad);
        tape.observeAttention(pv);
        if (!grad) return pv;
        float factor = scale * matmulScale(tape);
        tape.readsValue(q, k);
        tape.record(new Tape.Node() {
            public Var output() { return pv; }
            public void backward(float[] g) {
                float[] gs = new float[g.length];
                softmaxBackward(g, p.data, gs, len);
                scoresBackward(gs, q, k, batch, len, heads, factor);
            }
        });
        return pv;
    }

    /**
     * The probabilities [B, heads, T, T] (null when the tape keeps no attention maps and records
     * nothing) and the context [B*T, H] of one attention layer.
     */
    public record Heads(Var probs, Var context) { }

    /**
     * {@link #probabilities} followed by {@link #attend} (same values, same tape), fused per
     * head when the products run natively: q, k and v go to direct memory once, and each head's
     * scores, softmax and p v are chained there while they are in cache; only the probabilities
     * (kept for the backward pass and the attention maps) and the context come back to the heap.
     */
    public static Heads attention(Tape tape, Var q, Var k, Var v, int batch, int len, int heads, float scale, float[] maskAdd) {
        int hidden = q.value.dim(-1), d = hidden / heads;
        if (!(Ops.gemm() instanceof NativeGemm g) || (long) len * len * d < SMALL_PRODUCT) {
            Var probs = probabilities(tape, q, k, batch, len, heads, scale, maskAdd);
            return new Heads(probs, attend(tape, probs, v, batch, len, heads));
        }
        // every head writes all its rows of p and its column block of the context; a tape that
        // keeps no attention maps gets no p (each head's probabilities in a scratch row block)
        boolean keep = tape.keepsAttention();
        Tensor p = keep ? Tensor.uninitialized(batch, heads, len, len) : null, c = Tensor.uninitialized(batch * len, hidden);
        Buffers io = BUFFERS.get();
        int size = batch * len * hidden;
        Direct qd = io.q.load(q.value.data, size), kd = io.k.load(k.value.data, size), vd = io.v.load(v.value.data, size);
        Direct cd = io.c.reserve(size);
        eachHead(batch, heads, len, (bh, b, h) -> {
            int xo = b * len * hidden + h * d, po = bh * len * len;
            Direct sd = SCORES.get().reserve(len * len);
            g.direct(false, true, len, len, d, scale, qd.floats(), xo, hidden, kd.floats(), xo, hidden, 0f, sd.floats(), 0, len);
            float[] pd = keep ? p.data : headScratch(len * len);
            int pOff = keep ? po : 0;
            if (Simd.ENABLED) SimdKernels.softmaxRowsDirect(sd.bytes(), 0, maskAdd, b * len, pd, pOff, len, len);
            else softmaxRowsDirect(sd.floats(), maskAdd, b * len, pd, pOff, len);
            g.direct(false, false, len, d, len, 1f, sd.floats(), 0, len, vd.floats(), xo, hidden, 0f, cd.floats(), xo, hidden);
        });
        cd.store(c.data, size);
        if (!keep) return new Heads(null, Ops.out(c, false));
        Var probs = recordProbabilities(tape, p, q, k, batch, len, heads, scale);
        return new Heads(probs, recordAttend(tape, c, probs, v, batch, len, heads));
    }

    private static final ThreadLocal<float[][]> HEAD_SCRATCH = ThreadLocal.withInitial(() -> new float[1][0]);

    /** One head's probabilities when nobody keeps them, per thread. */
    private static float[] headScratch(int n) {
        float[][] h = HEAD_SCRATCH.get();
        if (h[0].length < n) h[0] = new float[n];
        return h[0];
    }

    /** Direct copies of q, k, v and the context, per calling thread (its heads read them). */
    private static final class Buffers {
        final Direct q = new Direct(), k = new Direct(), v = new Direct(), c = new Direct();
    }

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);
    /** One head's scores, then its probabilities, per thread that runs heads. */
    private static final ThreadLocal<Direct> SCORES = ThreadLocal.withInitial(Direct::new);

    /** The scalar version of {@link SimdKernels#softmaxRowsDirect} (len x len rows from the start of s). */
    private static void softmaxRowsDirect(FloatBuffer s, float[] mask, int mo, float[] dst, int dOff, int len) {
        for (int r = 0; r < len; r++) {
            int o = r * len, d = dOff + r * len;
            for (int j = 0; j < len; j++) dst[d + j] = s.get(o + j) + (mask == null ? 0f : mask[mo + j]);
            softmaxRows(dst, dst, len, d / len, d / len + 1);
            for (int j = 0; j < len; j++) s.put(o + j, dst[d + j]);
        }
    }

    /** S[b, h] = scale * Q_bh K_bh^T (+ mask on the keys), [B, heads, T, T]. */
    private static Tensor computeScores(Var q, Var k, int batch, int len, int heads, float scale, float[] maskAdd) {
        int hidden = q.value.dim(-1), d = hidden / heads;
        Tensor s = Tensor.zeros(batch, heads, len, len);
        eachHead(batch, heads, len, (bh, b, h) -> {
            int qo = b * len * hidden + h * d, so = bh * len * len;
            headGemm(len, len, d).sgemm(false, true, len, len, d, scale, q.value.data, qo, hidden,
                    k.value.data, qo, hidden, 0f, s.data, so, len);
            if (maskAdd != null) {
                for (int i = 0; i < len; i++) {
                    int ro = so + i * len;
                    for (int j = 0; j < len; j++) s.data[ro + j] += maskAdd[b * len + j];
                }
            }
        });
        return s;
    }

    /** The work of one head: index bh = b * heads + h of sample b and head h. */
    @FunctionalInterface
    private interface HeadWork {
        void run(int bh, int b, int h);
    }

    /** Runs work for every (sample, head), split over the explanation's threads when the heads are big enough to pay for it. */
    private static void eachHead(int batch, int heads, int len, HeadWork work) {
        int perPart = Math.max(1, 16384 / (len * len));
        Parallel.range(batch * heads, perPart, (first, last) -> {
            for (int bh = first; bh < last; bh++) work.run(bh, bh / heads, bh % heads);
        });
    }

    /** g_q += factor * gS K, g_k += factor * gS^T Q, per head. */
    private static void scoresBackward(float[] gs, Var q, Var k, int batch, int len, int heads, float factor) {
        int hidden = q.value.dim(-1), d = hidden / heads;
        float[] gq = q.requiresGrad() ? q.gradBuffer() : null, gk = k.requiresGrad() ? k.gradBuffer() : null;
        eachHead(batch, heads, len, (bh, b, h) -> {
            int qo = b * len * hidden + h * d, so = bh * len * len;
            if (gq != null) headGemm(len, d, len).sgemm(false, false, len, d, len, factor, gs, so, len,
                    k.value.data, qo, hidden, 1f, gq, qo, hidden);
            if (gk != null) headGemm(len, d, len).sgemm(true, false, len, d, len, factor, gs, so, len,
                    q.value.data, qo, hidden, 1f, gk, qo, hidden);
        });
    }

    /** Row-wise softmax of src into dst (which may be src). */
    private static void softmaxRows(float[] src, float[] dst, int len) {
        Parallel.range(src.length / len, Math.max(1, 8192 / len), (r0, r1) -> {
            if (Simd.ENABLED) SimdKernels.softmaxRows(src, dst, len, r0, r1);
            else softmaxRows(src, dst, len, r0, r1);
        });
    }

    private static void softmaxRows(float[] src, float[] dst, int len, int r0, int r1) {
        for (int r = r0; r < r1; r++) softmaxRow(src, dst, r * len, len);
    }

    /** The scalar softmax of src[o .. o+n) into dst[o .. o+n) (the same array for in place), the sum in double. */
    static void softmaxRow(float[] src, float[] dst, int o, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            float v = src[o + j];
            max = v > max ? v : max; // a NaN score is skipped here and turns the row to NaN below
        }
        double sum = 0;
        for (int j = 0; j < n; j++) {
            float e = io.lrp.tensor.Exp.negative(src[o + j] - max);
            dst[o + j] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int j = 0; j < n; j++) dst[o + j] *= inv;
    }

    /** gs += p * (g - sum_j g_j p_j), row by row. */
    private static void softmaxBackward(float[] g, float[] p, float[] gs, int len) {
        int rows = p.length / len;
        for (int r = 0; r < rows; r++) {
            int o = r * len;
            double dot = 0;
            for (int j = 0; j < len; j++) dot += (double) g[o + j] * p[o + j];
            for (int j = 0; j < len; j++) gs[o + j] += p[o + j] * (float) (g[o + j] - dot);
        }
    }

    private static float matmulScale(Tape tape) {
        return tape.rules().get(Role.ATTENTION_MATMUL) instanceof Rule.Scale sc ? (float) sc.factor() : 1f;
    }

    /** Softmax over the last axis; the attention probabilities, which the AH-rule detaches. */
    public static Var softmax(Tape tape, Var s) {
        int len = s.value.dim(-1);
        Tensor p = Tensor.zeros(s.value.shape());
        softmaxRows(s.value.data, p.data, len);
        boolean grad = tape.needsGrad(s) && !tape.rules().stops(Role.ATTENTION_PROBS);
        Var pv = Ops.out(p, grad);
        tape.observeAttention(pv);
        if (!grad) return pv;
        tape.record(new Tape.Node() {
            public Var output() { return pv; }
            public void backward(float[] g) { softmaxBackward(g, p.data, s.gradBuffer(), len); }
        });
        return pv;
    }

    /** Context c = p v per head, written back into [B*T, H] with heads side by side. */
    public static Var attend(Tape tape, Var p, Var v, int batch, int len, int heads) {
        int hidden = v.value.dim(-1), d = hidden / heads;
        Tensor c = Tensor.zeros(batch * len, hidden);
        eachHead(batch, heads, len, (bh, b, h) -> {
            int vo = b * len * hidden + h * d, po = bh * len * len;
            headGemm(len, d, len).sgemm(false, false, len, d, len, 1f, p.value.data, po, len,
                    v.value.data, vo, hidden, 0f, c.data, vo, hidden);
        });
        return recordAttend(tape, c, p, v, batch, len, heads);
    }

    private static Var recordAttend(Tape tape, Tensor c, Var p, Var v, int batch, int len, int heads) {
        int hidden = v.value.dim(-1), d = hidden / heads;
        boolean grad = tape.needsGrad(p, v);
        Var cv = Ops.out(c, grad);
        if (!grad) return cv;
        float factor = matmulScale(tape);
        if (p.requiresGrad()) tape.readsValue(v); // g v^T into p
        if (v.requiresGrad()) tape.readsValue(p); // p^T g into v
        tape.record(new Tape.Node() {
            public Var output() { return cv; }
            public void backward(float[] g) {
                float accumulateV = v.grad == null ? 0f : 1f; // heads write disjoint blocks of a fresh (zero) buffer
                float[] gp = p.requiresGrad() ? p.gradBuffer() : null, gv = v.requiresGrad() ? v.gradBuffer() : null;
                eachHead(batch, heads, len, (bh, b, h) -> {
                    int vo = b * len * hidden + h * d, po = bh * len * len;
                    if (gp != null) headGemm(len, len, d).sgemm(false, true, len, len, d, factor, g, vo, hidden,
                            v.value.data, vo, hidden, 1f, gp, po, len);
                    if (gv != null) headGemm(len, d, len).sgemm(true, false, len, d, len, factor, p.value.data, po, len,
                            g, vo, hidden, accumulateV, gv, vo, hidden);
                });
            }
        });
        return cv;
    }
}
