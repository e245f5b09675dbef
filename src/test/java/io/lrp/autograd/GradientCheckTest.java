package io.lrp.autograd;

import io.lrp.autograd.Ops.NormKind;
import io.lrp.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The tape's plain gradient (RuleSet.GRADIENT) of every op against central finite differences
 * of the scalar objective f = sum_i c_i y_i with fixed random c, plus forward values against
 * direct computations in double. The tolerance (5e-3 relative + 1e-4 absolute) is about 30
 * times the largest float32 finite-difference error seen on these inputs.
 */
class GradientCheckTest {
    private static final double STEP = 1e-2, RTOL = 5e-3, ATOL = 1e-4;

    /** Builds the graph on a tape from the (mutable) input Vars and returns its output. */
    interface Graph { Var build(Tape t); }

    private final Random rnd = new Random(20240607);

    private Tensor gauss(double sd, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.data.length; i++) t.data[i] = (float) (rnd.nextGaussian() * sd);
        return t;
    }

    private Var leaf(int... shape) { return Var.leaf(gauss(1, shape)); }

    /** A parameter: created as a constant, then switched to requiring a gradient. */
    private Var param(double sd, int... shape) {
        Var p = Var.constant(gauss(sd, shape));
        assertFalse(p.requiresGrad());
        p.setRequiresGrad(true);
        return p;
    }

    private static double objective(Var y, Tensor c) {
        double f = 0;
        for (int i = 0; i < c.data.length; i++) f += (double) c.data[i] * y.value.data[i];
        return f;
    }

    /**
     * Backward under RuleSet.GRADIENT seeded with c, then every element of every input perturbed
     * by +-STEP on a forward-only tape. Returns the analytic gradients, in input order.
     */
    private List<Tensor> check(String what, int batch, Graph g, Var... inputs) {
        Tape tape = Tape.recording(RuleSet.GRADIENT).batch(batch);
        Var y = g.build(tape);
        Tensor c = gauss(1, y.shape());
        tape.backward(y, c);
        List<Tensor> grads = new ArrayList<>();
        for (int n = 0; n < inputs.length; n++) {
            Tensor gr = inputs[n].grad();
            assertNotNull(gr, what + ": no gradient reached input " + n);
            grads.add(gr.copy());
        }
        int compared = 0;
        for (int n = 0; n < inputs.length; n++) {
            float[] x = inputs[n].value.data, ga = grads.get(n).data;
            for (int i = 0; i < x.length; i++) {
                float orig = x[i];
                float up = (float) (orig + STEP), down = (float) (orig - STEP);
                x[i] = up;
                double fp = objective(g.build(Tape.inference()), c);
                x[i] = down;
                double fm = objective(g.build(Tape.inference()), c);
                x[i] = orig;
                double num = (fp - fm) / ((double) up - down);
                double tol = ATOL + RTOL * Math.abs(num);
                if (!(Math.abs(ga[i] - num) <= tol)) {
                    fail(what + ": input " + n + " element " + i + ": tape " + ga[i] + ", finite difference " + num);
                }
                compared++;
            }
        }
        assertTrue(compared > 0);
        // the forward value is the same on a recording and an inference tape
        assertArrayEquals(y.value.data, g.build(Tape.inference()).value.data, 0f, what + ": forward differs between tapes");
        return grads;
    }

    private static void assertAllZero(float[] a, int from, int to, String what) {
        for (int i = from; i < to; i++) assertEquals(0f, a[i], 0f, what + " at " + i);
    }

    // ------------------------------------------------------------------ linear

    @Test
    void linearInputWeightAndBias() {
        Var x = leaf(2, 3, 5);
        Var w = param(0.5, 4, 5), b = param(1, 4);
        check("linear", 1, t -> Ops.linear(t, x, w, b, Role.ENCODER_LINEAR, "lin"), x, w, b);
        // forward: y = x W^T + b, shape [2, 3, 4]
        Var y = Ops.linear(Tape.inference(), x, w, b, Role.PLAIN, "lin");
        assertArrayEquals(new int[] {2, 3, 4}, y.shape());
        for (int r = 0; r < 6; r++) {
            for (int o = 0; o < 4; o++) {
                double s = b.value.data[o];
                for (int i = 0; i < 5; i++) s += (double) x.value.data[r * 5 + i] * w.value.data[o * 5 + i];
                assertEquals(s, y.value.data[r * 4 + o], 1e-5);
            }
        }
    }

    @Test
    void linearWithoutBiasAndFrozenWeights() {
        Var x = leaf(3, 6);
        Var w = param(0.5, 2, 6);
        check("linear no bias", 1, t -> Ops.linear(t, x, w, null, Role.HEAD_LINEAR, "lin"), x, w);

        // frozen weights: only the input receives a gradient
        Var x2 = leaf(3, 6);
        Var wf = Var.constant(gauss(0.5, 2, 6)), bf = Var.constant(gauss(1, 2));
        check("linear frozen", 1, t -> Ops.linear(t, x2, wf, bf, Role.PLAIN, "lin"), x2);
        assertNull(wf.grad());
        assertNull(bf.grad());
    }

    // ------------------------------------------------------------------ attention

    @Test
    void attentionScoresWithoutMask() {
        int batch = 2, len = 3, hidden = 8, heads = 2;
        Var q = leaf(batch * len, hidden), k = leaf(batch * len, hidden);
        check("scores", batch, t -> Attention.scores(t, q, k, batch, len, heads, 0.5f, null), q, k);
        Var s = Attention.scores(Tape.inference(), q, k, batch, len, heads, 0.5f, null);
        assertArrayEquals(new int[] {batch, heads, len, len}, s.shape());
        assertArrayEquals(naiveScores(q, k, batch, len, heads, 0.5, null), s.value.data, 1e-5f);
    }

    @Test
    void attentionScoresWithMaskSeveralHeads() {
        int batch = 2, len = 4, hidden = 12, heads = 3;
        float[] mask = {0, 0, 0, -3, 0, 0, -3, -3}; // moderate values keep float32 differences clean
        Var q = leaf(batch * len, hidden), k = leaf(batch * len, hidden);
        float scale = (float) (1 / Math.sqrt(hidden / heads));
        check("scores masked", batch, t -> Attention.scores(t, q, k, batch, len, heads, scale, mask), q, k);
        Var s = Attention.scores(Tape.inference(), q, k, batch, len, heads, scale, mask);
        assertArrayEquals(naiveScores(q, k, batch, len, heads, scale, mask), s.value.data, 1e-5f);
    }

    @Test
    void attentionScoresSelfProductAccumulates() {
        // the same Var as query and key: both paths accumulate into one gradient
        int batch = 1, len = 4, hidden = 6, heads = 2;
        Var q = leaf(batch * len, hidden);
        check("scores q=k", batch, t -> Attention.scores(t, q, q, batch, len, heads, 0.7f, null), q);
    }

    private static float[] naiveScores(Var q, Var k, int batch, int len, int heads, double scale, float[] mask) {
        int hidden = q.value.dim(-1), d = hidden / heads;
        float[] s = new float[batch * heads * len * len];
        for (int b = 0; b < batch; b++)
            for (int h = 0; h < heads; h++)
                for (int i = 0; i < len; i++)
                    for (int j = 0; j < len; j++) {
                        double dot = 0;
                        for (int e = 0; e < d; e++) {
                            dot += (double) q.value.data[(b * len + i) * hidden + h * d + e]
                                    * k.value.data[(b * len + j) * hidden + h * d + e];
                        }
                        s[((b * heads + h) * len + i) * len + j] = (float) (scale * dot + (mask == null ? 0 : mask[b * len + j]));
                    }
        return s;
    }

    @Test
    void attentionSoftmax() {
        Var s = Var.leaf(gauss(1.5, 2, 2, 3, 5));
        check("softmax", 2, t -> Attention.softmax(t, s), s);
        Var p = Attention.softmax(Tape.inference(), s);
        for (int r = 0; r < 12; r++) {
            double z = 0;
            for (int j = 0; j < 5; j++) z += Math.exp(s.value.data[r * 5 + j]);
            for (int j = 0; j < 5; j++) {
                assertEquals(Math.exp(s.value.data[r * 5 + j]) / z, p.value.data[r * 5 + j], 1e-6);
            }
        }
    }

    @Test
    void attend() {
        int batch = 2, len = 3, hidden = 8, heads = 2, d = 4;
        Var p = Var.leaf(gauss(1, batch, heads, len, len)), v = leaf(batch * len, hidden);
        check("attend", batch, t -> Attention.attend(t, p, v, batch, len, heads), p, v);
        Var c = Attention.attend(Tape.inference(), p, v, batch, len, heads);
        assertArrayEquals(new int[] {batch * len, hidden}, c.shape());
        for (int b = 0; b < batch; b++)
            for (int h = 0; h < heads; h++)
                for (int i = 0; i < len; i++)
                    for (int e = 0; e < d; e++) {
                        double s = 0;
                        for (int j = 0; j < len; j++) {
                            s += (double) p.value.data[((b * heads + h) * len + i) * len + j]
                                    * v.value.data[(b * len + j) * hidden + h * d + e];
                        }
                        assertEquals(s, c.value.data[(b * len + i) * hidden + h * d + e], 1e-5);
                    }
    }

    // ------------------------------------------------------------------ layer norm

    @Test
    void layerNormBiasedVarianceAffine() {
        Var x = leaf(4, 6), w = param(1, 6), b = param(1, 6);
        check("LN biased affine", 1, t -> Ops.layerNorm(t, x, w, b, 1e-5, NormKind.BIASED_VARIANCE, "ln"), x, w, b);
        assertLayerNormForward(x, w, b, 1e-5, NormKind.BIASED_VARIANCE);
    }

    @Test
    void layerNormBiasedVarianceNoAffine() {
        Var x = leaf(4, 6);
        check("LN biased", 1, t -> Ops.layerNorm(t, x, null, null, 1e-5, NormKind.BIASED_VARIANCE, "ln"), x);
        assertLayerNormForward(x, null, null, 1e-5, NormKind.BIASED_VARIANCE);
    }

    @Test
    void layerNormUnbiasedStdAffine() {
        Var x = leaf(4, 6), w = param(1, 6), b = param(1, 6);
        check("LN unbiased affine", 1, t -> Ops.layerNorm(t, x, w, b, 1e-3, NormKind.UNBIASED_STD, "ln"), x, w, b);
        assertLayerNormForward(x, w, b, 1e-3, NormKind.UNBIASED_STD);
    }

    @Test
    void layerNormUnbiasedStdNoAffine() {
        Var x = leaf(4, 6);
        check("LN unbiased", 1, t -> Ops.layerNorm(t, x, null, null, 1e-3, NormKind.UNBIASED_STD, "ln"), x);
        assertLayerNormForward(x, null, null, 1e-3, NormKind.UNBIASED_STD);
    }

    private static void assertLayerNormForward(Var x, Var w, Var b, double eps, NormKind kind) {
        Var y = Ops.layerNorm(Tape.inference(), x, w, b, eps, kind, "ln");
        int n = x.value.dim(-1), rows = x.value.size() / n;
        for (int r = 0; r < rows; r++) {
            double mean = 0, ss = 0;
            for (int i = 0; i < n; i++) mean += x.value.data[r * n + i];
            mean /= n;
            for (int i = 0; i < n; i++) ss += Math.pow(x.value.data[r * n + i] - mean, 2);
            double s = kind == NormKind.BIASED_VARIANCE ? Math.sqrt(ss / n + eps) : Math.sqrt(ss / (n - 1)) + eps;
            for (int i = 0; i < n; i++) {
                double e = (x.value.data[r * n + i] - mean) / s;
                if (w != null) e *= w.value.data[i];
                if (b != null) e += b.value.data[i];
                assertEquals(e, y.value.data[r * n + i], 1e-5, kind + " row " + r + " col " + i);
            }
        }
    }

    // ------------------------------------------------------------------ elementwise

    @Test
    void gelu() {
        Var x = Var.leaf(gauss(1.5, 3, 5));
        check("gelu activation", 1, t -> Ops.gelu(t, x, Role.ACTIVATION), x);
        Var x2 = Var.leaf(gauss(1.5, 3, 5));
        check("gelu plain", 1, t -> Ops.gelu(t, x2, Role.PLAIN), x2);
        // exact-erf values: gelu(z) = z Phi(z)
        Var z = Var.constant(new Tensor(new float[] {0f, 1f, -1f, 2f, -3f}, 5));
        Var y = Ops.gelu(Tape.inference(), z, Role.ACTIVATION);
        assertArrayEquals(new float[] {0f, 0.8413447f, -0.15865526f, 1.9544997f, -0.0040496136f}, y.value.data, 1e-6f);
    }

    @Test
    void tanh() {
        Var x = Var.leaf(gauss(1.5, 3, 5));
        check("tanh", 1, t -> Ops.tanh(t, x, Role.ACTIVATION), x);
        Var y = Ops.tanh(Tape.inference(), Var.constant(new Tensor(new float[] {0f, 0.5f, -2f}, 3)), Role.ACTIVATION);
        assertArrayEquals(new float[] {0f, 0.46211716f, -0.9640276f}, y.value.data, 1e-6f);
    }

    @Test
    void add() {
        Var a = leaf(3, 4), b = leaf(3, 4);
        check("add", 1, t -> Ops.add(t, a, b), a, b);
        // one input used twice: gradient 2 c
        Var a2 = leaf(2, 3);
        check("add a+a", 1, t -> Ops.add(t, a2, a2), a2);
        Tape tape = Tape.recording(RuleSet.GRADIENT);
        Var a3 = leaf(2, 3);
        Var y = Ops.add(tape, a3, a3);
        tape.backward(y, new Tensor(new float[] {1, 2, 3, -1, -2, 0.5f}, 2, 3));
        assertArrayEquals(new float[] {2, 4, 6, -2, -4, 1}, a3.grad().data, 0f);
    }

    /**
     * Inner nodes hand their output gradient to an input (add: to a, a copy to b; gelu: in place):
     * the chain's gradients still match finite differences, x used three times; and a marked
     * value keeps its own gradient (nothing is handed over or overwritten in place from it).
     */
    @Test
    void gradientsHandedOverBetweenNodes() {
        Var x = leaf(2, 5);
        Graph g = t -> Ops.tanh(t, Ops.add(t, Ops.gelu(t, Ops.add(t, x, x), Role.ACTIVATION), x), Role.ACTIVATION);
        check("handed over", 1, g, x);

        Tape tape = Tape.recording(RuleSet.GRADIENT);
        Var inner = Ops.add(tape, x, x);
        Var act = Ops.gelu(tape, inner, Role.ACTIVATION);
        tape.mark("act", act);
        tape.mark("inner", inner);
        Var y = Ops.tanh(tape, Ops.add(tape, act, x), Role.ACTIVATION);
        Tensor seed = gauss(1, 2, 5);
        x.zeroGrad();
        tape.backward(y, seed);
        for (int i = 0; i < 10; i++) {
            double t = Math.tanh(act.value.data[i] + x.value.data[i]);
            double gAct = seed.data[i] * (1 - t * t);
            assertEquals(gAct, act.grad().data[i], 1e-6, "marked act keeps its gradient");
            double z = inner.value.data[i], phi = 0.5 * (1 + org.apache.commons.numbers.gamma.Erf.value(z / Math.sqrt(2)));
            double gInner = gAct * (phi + z * Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI));
            assertEquals(gInner, inner.grad().data[i], 1e-5, "marked inner keeps its gradient");
            assertEquals(gAct + 2 * gInner, x.grad().data[i], 1e-5, "x");
            assertNotSame(act.grad().data, inner.grad().data);
        }
    }

    // ------------------------------------------------------------------ pooling and loss

    @Test
    void meanPoolWithPaddingMask() {
        int batch = 2, len = 4, hidden = 3;
        float[] mask = {1, 1, 1, 0, 1, 1, 0, 0};
        Var x = leaf(batch * len, hidden);
        List<Tensor> g = check("meanPool", batch, t -> Ops.meanPool(t, x, batch, len, mask), x);
        // padded tokens get nothing back
        assertAllZero(g.get(0).data, 3 * hidden, 4 * hidden, "padding, sample 0");
        assertAllZero(g.get(0).data, 6 * hidden, 8 * hidden, "padding, sample 1");
        Var y = Ops.meanPool(Tape.inference(), x, batch, len, mask);
        for (int h = 0; h < hidden; h++) {
            float[] d = x.value.data;
            assertEquals((d[h] + d[hidden + h] + d[2 * hidden + h]) / 3.0, y.value.data[h], 1e-6);
            assertEquals((d[4 * hidden + h] + d[5 * hidden + h]) / 2.0, y.value.data[hidden + h], 1e-6);
        }
    }

    @Test
    void meanPoolWithoutMask() {
        Var x = leaf(2 * 3, 2);
        check("meanPool no mask", 2, t -> Ops.meanPool(t, x, 2, 3, null), x);
    }

    @Test
    void firstToken() {
        int batch = 3, len = 2, hidden = 4;
        Var x = leaf(batch * len, hidden);
        List<Tensor> g = check("firstToken", batch, t -> Ops.firstToken(t, x, batch, len), x);
        for (int b = 0; b < batch; b++) assertAllZero(g.get(0).data, (b * len + 1) * hidden, (b + 1) * len * hidden, "token 1");
        Var y = Ops.firstToken(Tape.inference(), x, batch, len);
        for (int b = 0; b < batch; b++)
            for (int h = 0; h < hidden; h++) assertEquals(x.value.data[b * len * hidden + h], y.value.data[b * hidden + h], 0f);
    }

    @Test
    void crossEntropy() {
        Var z = Var.leaf(gauss(2, 3, 4));
        int[] labels = {2, 0, 3};
        check("crossEntropy", 3, t -> Ops.crossEntropy(t, z, labels), z);
        Var loss = Ops.crossEntropy(Tape.inference(), z, labels);
        double want = 0;
        for (int b = 0; b < 3; b++) {
            double lse = 0;
            for (int c = 0; c < 4; c++) lse += Math.exp(z.value.data[b * 4 + c]);
            want += Math.log(lse) - z.value.data[b * 4 + labels[b]];
        }
        assertEquals(want / 3, loss.value.data[0], 1e-5);
        // hand-worked: logits (0, ln 3) with label 1: loss = -ln(3/4)
        Var two = Var.constant(new Tensor(new float[] {0f, (float) Math.log(3)}, 1, 2));
        assertEquals(-Math.log(0.75), Ops.crossEntropy(Tape.inference(), two, new int[] {1}).value.data[0], 1e-6);
    }

    // ------------------------------------------------------------------ a composed graph

    @Test
    void oneLayerAttentionBlockWithHead() {
        int batch = 2, len = 3, hidden = 4, heads = 2, classes = 3;
        float[] keep = {1, 1, 1, 1, 1, 0};
        float[] maskAdd = new float[keep.length];
        for (int i = 0; i < keep.length; i++) maskAdd[i] = keep[i] == 1 ? 0 : -10000f;
        int[] labels = {1, 2};
        float scale = (float) (1 / Math.sqrt(hidden / heads));

        Var x = leaf(batch * len, hidden);
        Var wq = param(0.5, hidden, hidden), bq = param(0.2, hidden);
        Var wk = param(0.5, hidden, hidden), bk = param(0.2, hidden);
        Var wv = param(0.5, hidden, hidden), bv = param(0.2, hidden);
        Var wo = param(0.5, hidden, hidden), bo = param(0.2, hidden);
        Var lw = param(0.3, hidden), lb = param(0.3, hidden);
        Var wf = param(0.5, hidden, hidden), bf = param(0.2, hidden);
        Var wc = param(0.5, classes, hidden), bc = param(0.2, classes);

        Graph g = t -> {
            Var q = Ops.linear(t, x, wq, bq, Role.ENCODER_LINEAR, "q");
            Var k = Ops.linear(t, x, wk, bk, Role.ENCODER_LINEAR, "k");
            Var v = Ops.linear(t, x, wv, bv, Role.ENCODER_LINEAR, "v");
            Var s = Attention.scores(t, q, k, batch, len, heads, scale, maskAdd);
            Var p = Attention.softmax(t, s);
            Var c = Attention.attend(t, p, v, batch, len, heads);
            Var o = Ops.linear(t, c, wo, bo, Role.ENCODER_LINEAR, "o");
            Var r = Ops.add(t, x, o);
            Var n = Ops.layerNorm(t, r, lw, lb, 1e-5, NormKind.BIASED_VARIANCE, "ln");
            Var f = Ops.gelu(t, Ops.linear(t, n, wf, bf, Role.ENCODER_LINEAR, "ff"), Role.ACTIVATION);
            Var pooled = Ops.tanh(t, Ops.meanPool(t, Ops.add(t, n, f), batch, len, keep), Role.ACTIVATION);
            Var logits = Ops.linear(t, pooled, wc, bc, Role.HEAD_LINEAR, "cls");
            return Ops.crossEntropy(t, logits, labels);
        };
        List<Tensor> grads = check("attention block", batch, g, x, wq, bq, wk, bk, wv, bv, wo, bo, lw, lb, wf, bf, wc, bc);
        // the padded token is masked as a key (softmax weight exactly 0) and left out of the pooling,
        // so nothing flows back to its input row
        float[] gx = grads.get(0).data;
        assertAllZero(gx, 5 * hidden, 6 * hidden, "padded token input");
    }
}
