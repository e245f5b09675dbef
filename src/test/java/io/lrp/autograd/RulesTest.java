package io.lrp.autograd;

import io.lrp.autograd.Ops.NormKind;
import io.lrp.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** Each replacement backward rule against its closed form on tiny inputs. */
class RulesTest {
    private final Random rnd = new Random(11);

    /** AttnLRP's softmax and normalisation behaviour without the halving of the attention products. */
    private static final RuleSet NO_HALVING = RuleSet.of("x", Map.of(Role.NORM_SCALE, Rule.STOP, Role.ACTIVATION, Rule.IDENTITY));

    private Tensor gauss(int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.data.length; i++) t.data[i] = (float) rnd.nextGaussian();
        return t;
    }

    private static Tensor t(float[] v, int... shape) { return new Tensor(v, shape); }

    // ------------------------------------------------------------------ (a) identity rule

    @Test
    void identityRuleOnGeluPassesRelevanceUnchanged() {
        float[] z = {-2.5f, -1f, -0.3f, 0.2f, 0.7f, 1.5f, 3f, -0.05f};
        float[] g = {0.4f, -1.2f, 2f, 0.5f, -0.7f, 1.1f, 0.9f, -2f};
        Tape tape = Tape.recording(RuleSet.LRP_AH);
        Var x = Var.leaf(t(z.clone(), 2, 4));
        Var y = Ops.gelu(tape, x, Role.ACTIVATION);
        tape.backward(y, t(g, 2, 4));
        for (int i = 0; i < z.length; i++) {
            double in = (double) z[i] * x.grad().data[i], out = (double) y.value.data[i] * g[i];
            assertEquals(out, in, 1e-6 * Math.abs(out) + 1e-9, "gelu relevance at " + i);
            // and the rule is not the derivative: Phi(z) + z phi(z) differs from Phi(z)
            double cdf = y.value.data[i] / z[i];
            assertEquals(cdf * g[i], x.grad().data[i], 1e-6);
        }
        // the same op with another role keeps the true derivative: gelu'(1) = Phi(1) + phi(1)
        Tape plain = Tape.recording(RuleSet.LRP_AH);
        Var one = Var.leaf(t(new float[] {1f}, 1));
        plain.backward(Ops.gelu(plain, one, Role.PLAIN), t(new float[] {1f}, 1));
        assertEquals(0.8413447460685429 + Math.exp(-0.5) / Math.sqrt(2 * Math.PI), one.grad().data[0], 1e-6);
    }

    @Test
    void identityRuleOnTanhPassesRelevanceUnchanged() {
        float[] z = {-2f, -0.5f, 0.1f, 0.8f, 2.5f, 0f};
        float[] g = {1.5f, -0.25f, 3f, -1f, 0.75f, -1.25f};
        Tape tape = Tape.recording(RuleSet.LRP_AH);
        Var x = Var.leaf(t(z.clone(), 6));
        Var y = Ops.tanh(tape, x, Role.ACTIVATION);
        tape.backward(y, t(g, 6));
        for (int i = 0; i < 5; i++) {
            double in = (double) z[i] * x.grad().data[i], out = (double) y.value.data[i] * g[i];
            assertEquals(out, in, 1e-6 * Math.abs(out) + 1e-9, "tanh relevance at " + i);
        }
        // z = 0: tanh(z)/z -> 1, the gradient passes as it is
        assertEquals(g[5], x.grad().data[5], 0f);
        // the plain gradient instead: 1 - tanh^2
        Tape plain = Tape.recording(RuleSet.GRADIENT);
        Var x2 = Var.leaf(t(z.clone(), 6));
        plain.backward(Ops.tanh(plain, x2, Role.ACTIVATION), t(g, 6));
        for (int i = 0; i < 6; i++) assertEquals(g[i] * (1 - Math.pow(Math.tanh(z[i]), 2)), x2.grad().data[i], 1e-6);
    }

    // ------------------------------------------------------------------ (b) AH-rule: stop at the probabilities

    @Test
    void ahRuleStopsAtAttentionProbabilities() {
        int batch = 1, len = 3, hidden = 4, heads = 2, d = 2;
        Var q = Var.leaf(gauss(len, hidden)), k = Var.leaf(gauss(len, hidden)), v = Var.leaf(gauss(len, hidden));
        Tape tape = Tape.recording(RuleSet.LRP_AH);
        Var s = Attention.scores(tape, q, k, batch, len, heads, 0.5f, null);
        Var p = Attention.softmax(tape, s);
        Var c = Attention.attend(tape, p, v, batch, len, heads);
        Tensor g = gauss(len, hidden);
        tape.backward(c, g);

        assertFalse(p.requiresGrad(), "probabilities are a constant under the AH-rule");
        assertNull(p.grad());
        assertNull(s.grad());
        assertNull(q.grad());
        assertNull(k.grad());
        assertNotNull(v.grad());
        assertSame(p, tape.attention().get(0));
        // v gets P_h^T g_h per head
        for (int h = 0; h < heads; h++)
            for (int j = 0; j < len; j++)
                for (int e = 0; e < d; e++) {
                    double want = 0;
                    for (int i = 0; i < len; i++) want += (double) p.value.data[(h * len + i) * len + j] * g.data[i * hidden + h * d + e];
                    assertEquals(want, v.grad().data[j * hidden + h * d + e], 1e-6);
                }

        // the same graph under the plain gradient does reach q and k
        Tape grad = Tape.recording(RuleSet.GRADIENT);
        q.zeroGrad();
        k.zeroGrad();
        v.zeroGrad();
        Var c2 = Attention.attend(grad, Attention.softmax(grad, Attention.scores(grad, q, k, batch, len, heads, 0.5f, null)), v, batch, len, heads);
        grad.backward(c2, g);
        assertNotNull(q.grad());
        assertNotNull(k.grad());
    }

    @Test
    void ahRuleSendsInputRelevanceOnlyThroughValues() {
        // x -> q, k, v: with the probabilities constant, x's gradient is (P^T g) Wv
        int batch = 1, len = 3, hidden = 2, heads = 1;
        Var x = Var.leaf(gauss(len, hidden));
        Var wq = Var.constant(gauss(hidden, hidden)), wk = Var.constant(gauss(hidden, hidden)), wv = Var.constant(gauss(hidden, hidden));
        Tape tape = Tape.recording(RuleSet.LRP_AH);
        Var q = Ops.linear(tape, x, wq, null, Role.ENCODER_LINEAR, "q");
        Var k = Ops.linear(tape, x, wk, null, Role.ENCODER_LINEAR, "k");
        Var v = Ops.linear(tape, x, wv, null, Role.ENCODER_LINEAR, "v");
        Var p = Attention.softmax(tape, Attention.scores(tape, q, k, batch, len, heads, 1f, null));
        Var c = Attention.attend(tape, p, v, batch, len, heads);
        Tensor g = gauss(len, hidden);
        tape.backward(c, g);
        assertNull(q.grad());
        assertNull(k.grad());
        for (int j = 0; j < len; j++) {
            for (int i = 0; i < hidden; i++) {
                double want = 0;
                for (int o = 0; o < hidden; o++) {
                    double gv = 0;
                    for (int r = 0; r < len; r++) gv += (double) p.value.data[r * len + j] * g.data[r * hidden + o];
                    want += gv * wv.value.data[o * hidden + i];
                }
                assertEquals(want, x.grad().data[j * hidden + i], 1e-5);
            }
        }
    }

    // ------------------------------------------------------------------ (c) AttnLRP: halved products

    @Test
    void attnLrpHalvesAttendGradients() {
        int batch = 2, len = 3, hidden = 4, heads = 2;
        Tensor p0 = gauss(batch, heads, len, len), v0 = gauss(batch * len, hidden), g = gauss(batch * len, hidden);
        Var[] half = attend(RuleSet.ATTNLRP, p0, v0, g, batch, len, heads);
        Var[] full = attend(NO_HALVING, p0, v0, g, batch, len, heads);
        Var[] plain = attend(RuleSet.GRADIENT, p0, v0, g, batch, len, heads);
        assertHalf(full[1].grad(), half[1].grad(), 0.5, "v");
        assertHalf(full[0].grad(), half[0].grad(), 0.5, "p");
        assertArrayEquals(plain[1].grad().data, full[1].grad().data, 0f, "without Scale the product has its plain gradient");
        assertArrayEquals(full[2].value.data, half[2].value.data, 0f, "the forward pass does not change");
    }

    private static Var[] attend(RuleSet rules, Tensor p0, Tensor v0, Tensor g, int batch, int len, int heads) {
        Tape tape = Tape.recording(rules).batch(batch);
        Var p = Var.leaf(p0.copy()), v = Var.leaf(v0.copy());
        Var c = Attention.attend(tape, p, v, batch, len, heads);
        tape.backward(c, g);
        return new Var[] {p, v, c};
    }

    @Test
    void attnLrpHalvesScoreGradients() {
        int batch = 1, len = 4, hidden = 6, heads = 3;
        Tensor q0 = gauss(len, hidden), k0 = gauss(len, hidden), g = gauss(batch, heads, len, len);
        Var[] half = scores(RuleSet.ATTNLRP, q0, k0, g, batch, len, heads);
        Var[] full = scores(NO_HALVING, q0, k0, g, batch, len, heads);
        assertHalf(full[0].grad(), half[0].grad(), 0.5, "q");
        assertHalf(full[1].grad(), half[1].grad(), 0.5, "k");
    }

    private static Var[] scores(RuleSet rules, Tensor q0, Tensor k0, Tensor g, int batch, int len, int heads) {
        Tape tape = Tape.recording(rules);
        Var q = Var.leaf(q0.copy()), k = Var.leaf(k0.copy());
        tape.backward(Attention.scores(tape, q, k, batch, len, heads, 0.75f, null), g);
        return new Var[] {q, k};
    }

    @Test
    void attnLrpHalvingsCompoundThroughTheSoftmax() {
        // q k^T and p v both halve: v gets 1/2, q and k (behind p, which is differentiated) 1/4
        int batch = 1, len = 3, hidden = 4, heads = 2;
        Tensor q0 = gauss(len, hidden), k0 = gauss(len, hidden), v0 = gauss(len, hidden), g = gauss(len, hidden);
        Var[] half = block(RuleSet.ATTNLRP, q0, k0, v0, g, batch, len, heads);
        Var[] full = block(NO_HALVING, q0, k0, v0, g, batch, len, heads);
        assertHalf(full[2].grad(), half[2].grad(), 0.5, "v");
        assertHalf(full[0].grad(), half[0].grad(), 0.25, "q");
        assertHalf(full[1].grad(), half[1].grad(), 0.25, "k");
    }

    private static Var[] block(RuleSet rules, Tensor q0, Tensor k0, Tensor v0, Tensor g, int batch, int len, int heads) {
        Tape tape = Tape.recording(rules);
        Var q = Var.leaf(q0.copy()), k = Var.leaf(k0.copy()), v = Var.leaf(v0.copy());
        Var p = Attention.softmax(tape, Attention.scores(tape, q, k, batch, len, heads, 0.5f, null));
        tape.backward(Attention.attend(tape, p, v, batch, len, heads), g);
        return new Var[] {q, k, v};
    }

    private static void assertHalf(Tensor full, Tensor half, double factor, String what) {
        assertNotNull(full, what);
        assertNotNull(half, what);
        boolean nonzero = false;
        for (int i = 0; i < full.data.length; i++) {
            assertEquals((float) (factor * full.data[i]), half.data[i], 0f, what + " at " + i);
            nonzero |= full.data[i] != 0;
        }
        assertTrue(nonzero, what + ": gradient is all zero");
    }

    // ------------------------------------------------------------------ (d) LN-rule

    @Test
    void lnRuleBiasedVarianceAffine() { lnRule(NormKind.BIASED_VARIANCE, true); }

    @Test
    void lnRuleBiasedVarianceNoAffine() { lnRule(NormKind.BIASED_VARIANCE, false); }

    @Test
    void lnRuleUnbiasedStdAffine() { lnRule(NormKind.UNBIASED_STD, true); }

    @Test
    void lnRuleUnbiasedStdNoAffine() { lnRule(NormKind.UNBIASED_STD, false); }

    /** Two samples of two rows each; a large eps so that where it enters s shows. */
    private void lnRule(NormKind kind, boolean affine) {
        int rows = 4, n = 5, batch = 2;
        double eps = 0.1;
        Tensor x0 = gauss(rows, n), g = gauss(rows, n);
        Var w = affine ? Var.constant(gauss(n)) : null, b = affine ? Var.constant(gauss(n)) : null;
        Tape tape = Tape.recording(RuleSet.LRP_AH_LN).batch(batch);
        Var x = Var.leaf(x0);
        Var y = Ops.layerNorm(tape, x, w, b, eps, kind, "enc.ln");
        tape.backward(y, g);
        float[] gx = x.grad().data;
        double[] biasPerSample = new double[batch];
        for (int r = 0; r < rows; r++) {
            double mean = 0, ss = 0;
            for (int i = 0; i < n; i++) mean += x0.data[r * n + i];
            mean /= n;
            for (int i = 0; i < n; i++) ss += Math.pow(x0.data[r * n + i] - mean, 2);
            double s = kind == NormKind.BIASED_VARIANCE ? Math.sqrt(ss / n + eps) : Math.sqrt(ss / (n - 1)) + eps;
            double[] gw = new double[n];
            double meanGw = 0;
            for (int i = 0; i < n; i++) {
                gw[i] = g.data[r * n + i] * (affine ? w.value.data[i] : 1.0);
                meanGw += gw[i] / n;
            }
            double in = 0, out = 0, bias = 0;
            for (int i = 0; i < n; i++) {
                assertEquals((gw[i] - meanGw) / s, gx[r * n + i], 1e-5, kind + " row " + r + " col " + i);
                in += (double) x0.data[r * n + i] * gx[r * n + i];
                out += (double) y.value.data[r * n + i] * g.data[r * n + i];
                if (affine) bias += (double) b.value.data[i] * g.data[r * n + i];
            }
            // conservation: what leaves through x plus what the bias absorbs is what came in
            assertEquals(out, in + bias, 1e-5 * (1 + Math.abs(out)), "conservation, row " + r);
            biasPerSample[r / 2] += bias;
        }
        if (affine) {
            for (int smp = 0; smp < batch; smp++) {
                assertEquals(biasPerSample[smp], tape.biasRelevance("enc.ln.bias", smp), 1e-5);
                assertEquals(biasPerSample[smp], tape.biasRelevance().get("enc.ln.bias")[smp], 1e-5);
            }
            assertEquals(biasPerSample[0], tape.biasRelevance("enc.", 0), 1e-5);
            assertEquals(0.0, tape.biasRelevance("other", 0), 0.0);
        } else {
            assertTrue(tape.biasRelevance().isEmpty());
        }
    }

    @Test
    void lnRuleDiffersFromTheGradient() {
        Tensor x0 = gauss(1, 4), g = gauss(1, 4);
        float[][] gx = new float[2][];
        RuleSet[] sets = {RuleSet.LRP_AH_LN, RuleSet.LRP_AH};
        for (int i = 0; i < 2; i++) {
            Tape tape = Tape.recording(sets[i]);
            Var x = Var.leaf(x0.copy());
            tape.backward(Ops.layerNorm(tape, x, null, null, 1e-9, NormKind.BIASED_VARIANCE, "ln"), g);
            gx[i] = x.grad().data;
        }
        // the full gradient is orthogonal to x - mean (LayerNorm is scale invariant for eps -> 0); the LN-rule's is not
        double mean = 0;
        for (float v : x0.data) mean += v / 4;
        double dotRule = 0, dotGrad = 0;
        for (int i = 0; i < 4; i++) {
            dotRule += gx[0][i] * (x0.data[i] - mean);
            dotGrad += gx[1][i] * (x0.data[i] - mean);
        }
        assertEquals(0, dotGrad, 1e-5);
        assertTrue(Math.abs(dotRule) > 1e-2, "LN-rule gradient " + dotRule);
    }

    // ------------------------------------------------------------------ (e) gamma rule

    @Test
    void gammaRuleOnASmallLinear() {
        float[] w = {0.5f, -1f, 2f, -0.3f, 0.4f, 1f};  // [2 out, 3 in]
        float[] b = {0.1f, -0.2f};
        float[] xs = {1f, -2f, 0.5f, 0f, 1f, 1f};      // two samples of one row
        float[] g = {1f, 2f, -0.5f, 1.5f};
        RuleSet rules = RuleSet.LRP_AH_LN.withGamma(0.25);
        assertInstanceOf(Rule.Gamma.class, rules.get(Role.ENCODER_LINEAR));
        assertNull(rules.get(Role.HEAD_LINEAR));

        Tape tape = Tape.recording(rules).batch(2);
        Var x = Var.leaf(t(xs.clone(), 2, 3));
        Var y = Ops.linear(tape, x, Var.constant(t(w, 2, 3)), Var.constant(t(b, 2)), Role.ENCODER_LINEAR, "ff");
        tape.backward(y, t(g, 2, 2));

        // forward from W: z = x W^T + b
        assertArrayEquals(new float[] {3.6f, -0.8f, 1.1f, 1.2f}, y.value.data, 1e-6f);

        // Wp = W + 0.25 max(W, 0), bp = b + 0.25 max(b, 0)
        double[] wp = {0.625, -1, 2.5, -0.3, 0.5, 1.25};
        double[] bp = {0.125, -0.2};
        // zp by hand: row 0: 0.625 + 2 + 1.25 + 0.125 = 4, -0.3 - 1 + 0.625 - 0.2 = -0.875
        //             row 1: -1 + 2.5 + 0.125 = 1.625, 0.5 + 1.25 - 0.2 = 1.55
        double[] zp = {4.0, -0.875, 1.625, 1.55};
        double[] z = {3.6, -0.8, 1.1, 1.2};
        for (int r = 0; r < 2; r++) {
            double[] gz = {g[2 * r] * z[2 * r] / zp[2 * r], g[2 * r + 1] * z[2 * r + 1] / zp[2 * r + 1]};
            double in = 0, out = 0;
            for (int i = 0; i < 3; i++) {
                double want = gz[0] * wp[i] + gz[1] * wp[3 + i];
                assertEquals(want, x.grad().data[3 * r + i], 1e-5, "row " + r + " input " + i);
                in += xs[3 * r + i] * x.grad().data[3 * r + i];
            }
            double bias = gz[0] * bp[0] + gz[1] * bp[1];
            for (int o = 0; o < 2; o++) out += z[2 * r + o] * g[2 * r + o];
            assertEquals(bias, tape.biasRelevance("ff.bias", r), 1e-6, "bias relevance, sample " + r);
            assertEquals(out, in + tape.biasRelevance("ff.bias", r), 1e-5, "conservation, sample " + r);
        }
        // row 0 worked out: gz = (0.9, 1.6 / 0.875)
        assertArrayEquals(new float[] {0.0139286f, 0.0142857f, 4.5357143f}, java.util.Arrays.copyOf(x.grad().data, 3), 1e-5f);
        assertEquals(2.0, 0.9 * 0.125 + 1.6 / 0.875 * -0.2 + 0.0139286 - 2 * 0.0142857 + 0.5 * 4.5357143, 1e-5);
    }

    @Test
    void gammaRuleLeavesOtherRolesAndTrainingAlone() {
        RuleSet rules = RuleSet.LRP_AH.withGamma(0.5);
        assertSame(RuleSet.LRP_AH, RuleSet.LRP_AH.withGamma(0));
        // a head linear layer keeps the plain gradient: x's gradient is g W
        Tape tape = Tape.recording(rules);
        Var x = Var.leaf(t(new float[] {1f, 2f}, 1, 2));
        Var w = Var.constant(t(new float[] {1f, -1f, 0.5f, 2f}, 2, 2));
        tape.backward(Ops.linear(tape, x, w, null, Role.HEAD_LINEAR, "cls"), t(new float[] {1f, 1f}, 1, 2));
        assertArrayEquals(new float[] {1.5f, 1f}, x.grad().data, 0f);
        // weights that require a gradient cannot go through the gamma rule
        Tape t2 = Tape.recording(rules);
        Var wt = Var.leaf(t(new float[] {1f, -1f, 0.5f, 2f}, 2, 2));
        assertThrows(IllegalStateException.class, () -> Ops.linear(t2, x, wt, null, Role.ENCODER_LINEAR, "enc"));
        assertThrows(IllegalArgumentException.class, () -> new Rule.Gamma(-0.1));
    }
}
