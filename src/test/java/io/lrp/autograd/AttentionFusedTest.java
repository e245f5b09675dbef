package io.lrp.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.lrp.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The three ways to an attention layer give the same values and gradients under every rule set:
 * scores, softmax and attend as separate ops; probabilities (scores and softmax in one op) and
 * attend; and attention (per head in direct memory when the products run natively, which needs
 * T * T * d >= 2048: T = 40 here; T = 5 takes the plain path).
 */
class AttentionFusedTest {
    static final int B = 2, HEADS = 3, H = 12;

    static Tensor random(Random r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.data.length; i++) t.data[i] = (float) r.nextGaussian();
        return t;
    }

    @Test
    void fusedEqualsComposedUnderEveryRuleSet() {
        for (int T : new int[] {5, 40}) {
            float[] mask = new float[B * T];
            mask[T - 1] = -10000f; // one padded key in the first sequence
            mask[2 * T - 1] = -10000f; // and two in the second
            mask[2 * T - 2] = -10000f;
            for (RuleSet rules : List.of(RuleSet.GRADIENT, RuleSet.LRP_AH, RuleSet.LRP_AH_LN, RuleSet.ATTNLRP)) {
                Random r = new Random(3);
                Tensor qt = random(r, B * T, H), kt = random(r, B * T, H), vt = random(r, B * T, H), seed = random(r, B * T, H);
                float[][] grads = new float[3][], ctx = new float[3][], probs = new float[3][];
                for (int way = 0; way < 3; way++) {
                    Tape tape = Tape.recording(rules).batch(B);
                    Var q = Var.leaf(qt.copy()), k = Var.leaf(kt.copy()), v = Var.leaf(vt.copy());
                    Var c;
                    if (way == 2) {
                        c = Attention.attention(tape, q, k, v, B, T, HEADS, 0.5f, mask).context();
                    } else {
                        Var p = way == 1 ? Attention.probabilities(tape, q, k, B, T, HEADS, 0.5f, mask)
                                : Attention.softmax(tape, Attention.scores(tape, q, k, B, T, HEADS, 0.5f, mask));
                        c = Attention.attend(tape, p, v, B, T, HEADS);
                    }
                    tape.backward(c, seed);
                    ctx[way] = c.value.data;
                    probs[way] = tape.attention().get(0).value.data;
                    assertEquals(B * HEADS * T * T, probs[way].length);
                    if (rules.stops(Role.ATTENTION_PROBS)) {
                        assertNull(q.grad(), rules.name() + ": nothing reaches q under the AH-rule");
                        grads[way] = v.grad().data;
                    } else {
                        float[] g = new float[2 * q.value.size() + v.value.size()];
                        System.arraycopy(q.grad().data, 0, g, 0, q.value.size());
                        System.arraycopy(k.grad().data, 0, g, q.value.size(), q.value.size());
                        System.arraycopy(v.grad().data, 0, g, 2 * q.value.size(), v.value.size());
                        grads[way] = g;
                    }
                }
                for (int way = 1; way < 3; way++) {
                    String what = rules.name() + " T=" + T + " way " + way;
                    assertArrayEquals(probs[0], probs[way], 1e-6f, what + " probabilities");
                    assertArrayEquals(ctx[0], ctx[way], 1e-5f, what + " context");
                    assertArrayEquals(grads[0], grads[way], 1e-4f, what + " gradients");
                }
                if (rules.stops(Role.ATTENTION_PROBS)) { // g_v = factor p^T g per head, here from the probabilities in double
                    double factor = rules == RuleSet.ATTNLRP ? 0.5 : 1;
                    int d = H / HEADS;
                    for (int b = 0; b < B; b++) for (int h = 0; h < HEADS; h++) for (int j = 0; j < T; j++) for (int e = 0; e < d; e++) {
                        double want = 0;
                        for (int i = 0; i < T; i++) {
                            want += (double) probs[0][((b * HEADS + h) * T + i) * T + j] * seed.data[(b * T + i) * H + h * d + e];
                        }
                        want *= factor;
                        for (int way = 0; way < 3; way++) {
                            assertEquals(want, grads[way][(b * T + j) * H + h * d + e], 1e-5 * (1 + Math.abs(want)),
                                    rules.name() + " T=" + T + " way " + way + " g_v");
                        }
                    }
                }
                // padded keys get no attention
                assertEquals(0f, probs[2][T - 1]);
                assertEquals(0f, probs[2][HEADS * T * T + 2 * T - 1 - T]);
            }
        }
    }

    /** v read twice (attention and a residual): the heads add p^T g to the gradient the residual gave v. */
    @Test
    void valueGradientAddsToAnEarlierOne() {
        int T = 40, d = H / HEADS;
        Random r = new Random(5);
        Tensor qt = random(r, B * T, H), kt = random(r, B * T, H), vt = random(r, B * T, H), seed = random(r, B * T, H);
        Tape tape = Tape.recording(RuleSet.LRP_AH).batch(B);
        Var q = Var.leaf(qt), k = Var.leaf(kt), v = Var.leaf(vt);
        Attention.Heads heads = Attention.attention(tape, q, k, v, B, T, HEADS, 0.5f, null);
        Var out = Ops.add(tape, heads.context(), v);
        tape.backward(out, seed);
        float[] p = heads.probs().value.data, gv = v.grad().data;
        for (int b = 0; b < B; b++) for (int h = 0; h < HEADS; h++) for (int j = 0; j < T; j++) for (int e = 0; e < d; e++) {
            int at = (b * T + j) * H + h * d + e;
            double want = seed.data[at];
            for (int i = 0; i < T; i++) want += (double) p[((b * HEADS + h) * T + i) * T + j] * seed.data[(b * T + i) * H + h * d + e];
            assertEquals(want, gv[at], 1e-5 * (1 + Math.abs(want)), "g_v at " + at);
        }
    }
}
