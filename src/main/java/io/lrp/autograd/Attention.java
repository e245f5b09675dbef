package io.lrp.autograd;

import io.lrp.tensor.Gemm;
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
    private static final long SMALL_PRODUCT = 1L << 15;

    private static Gemm headGemm(int m, int n, int k) { return (long) m * n * k < SMALL_PRODUCT ? SMALL : Ops.gemm(); }

    /**
     * Attention scores S[b, h, i, j] = scale * q_i . k_j + mask[b, j] for q, k [B*T, H] split
     * into heads of H / heads columns. maskAdd is [B*T] (0 for real keys, -10000 for padding)
     * or null.
     */
    public static Var scores(Tape tape, Var q, Var k, int batch, int len, int heads,
                                      float scale, float[] maskAdd) {
        int hidden = q.value.dim(-1), d = hidden / heads;
        Tensor s = Tensor.zeros(batch, heads, len, len);
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                int qo = b * len * hidden + h * d, so = (b * heads + h) * len * len;
                headGemm(len, len, d).sgemm(false, true, len, len, d, scale, q.value.data, qo, hidden,
                        k.value.data, qo, hidden, 0f, s.data, so, len);
                if (maskAdd != null) {
                    for (int i = 0; i < len; i++) {
                        int ro = so + i * len;
                        for (int j = 0; j < len; j++) s.data[ro + j] += maskAdd[b * len + j];
                    }
                }
            }
        }
        boolean grad = tape.needsGrad(q, k);
        Var sv = Ops.out(s, grad);
        if (!grad) return sv;
        float factor = scale * matmulScale(tape);
        tape.record(new Tape.Node() {
            public Var output() { return sv; }
            public void backward(float[] g) {
                for (int b = 0; b < batch; b++) {
                    for (int h = 0; h < heads; h++) {
                        int qo = b * len * hidden + h * d, so = (b * heads + h) * len * len;
                        if (q.requiresGrad()) headGemm(len, d, len).sgemm(false, false, len, d, len, factor, g, so, len,
                                k.value.data, qo, hidden, 1f, q.gradBuffer(), qo, hidden);
                        if (k.requiresGrad()) headGemm(len, d, len).sgemm(true, false, len, d, len, factor, g, so, len,
                                q.value.data, qo, hidden, 1f, k.gradBuffer(), qo, hidden);
                    }
                }
            }
        });
        return sv;
    }

    private static float matmulScale(Tape tape) {
        return tape.rules().get(Role.ATTENTION_MATMUL) instanceof Rule.Scale sc ? (float) sc.factor() : 1f;
    }

    /** Softmax over the last axis; the attention probabilities, which the AH-rule detaches. */
    public static Var softmax(Tape tape, Var s) {
        int len = s.value.dim(-1), rows = s.value.size() / len;
        Tensor p = Tensor.zeros(s.value.shape());
        for (int r = 0; r < rows; r++) {
            int o = r * len;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < len; j++) max = Math.max(max, s.value.data[o + j]);
            double sum = 0;
            for (int j = 0; j < len; j++) {
                float e = (float) Math.exp(s.value.data[o + j] - max);
                p.data[o + j] = e;
                sum += e;
            }
            float inv = (float) (1.0 / sum);
            for (int j = 0; j < len; j++) p.data[o + j] *= inv;
        }
        boolean grad = tape.needsGrad(s) && !tape.rules().stops(Role.ATTENTION_PROBS);
        Var pv = Ops.out(p, grad);
        tape.observeAttention(pv);
        if (!grad) return pv;
        tape.record(new Tape.Node() {
            public Var output() { return pv; }
            public void backward(float[] g) {
                float[] gs = s.gradBuffer();
                for (int r = 0; r < rows; r++) {
                    int o = r * len;
                    double dot = 0;
                    for (int j = 0; j < len; j++) dot += (double) g[o + j] * p.data[o + j];
                    for (int j = 0; j < len; j++) gs[o + j] += p.data[o + j] * (float) (g[o + j] - dot);
                }
            }
        });
        return pv;
    }

    /** Context c = p v per head, written back into [B*T, H] with heads side by side. */
    public static Var attend(Tape tape, Var p, Var v, int batch, int len, int heads) {
        int hidden = v.value.dim(-1), d = hidden / heads;
        Tensor c = Tensor.zeros(batch * len, hidden);
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                int vo = b * len * hidden + h * d, po = (b * heads + h) * len * len;
                headGemm(len, d, len).sgemm(false, false, len, d, len, 1f, p.value.data, po, len,
                        v.value.data, vo, hidden, 0f, c.data, vo, hidden);
            }
        }
        boolean grad = tape.needsGrad(p, v);
        Var cv = Ops.out(c, grad);
        if (!grad) return cv;
        float factor = matmulScale(tape);
        tape.record(new Tape.Node() {
            public Var output() { return cv; }
            public void backward(float[] g) {
                for (int b = 0; b < batch; b++) {
                    for (int h = 0; h < heads; h++) {
                        int vo = b * len * hidden + h * d, po = (b * heads + h) * len * len;
                        if (p.requiresGrad()) headGemm(len, len, d).sgemm(false, true, len, len, d, factor, g, vo, hidden,
                                v.value.data, vo, hidden, 1f, p.gradBuffer(), po, len);
                        if (v.requiresGrad()) headGemm(len, d, len).sgemm(true, false, len, d, len, factor, p.value.data, po, len,
                                g, vo, hidden, 1f, v.gradBuffer(), vo, hidden);
                    }
                }
            }
        });
        return cv;
    }
}
