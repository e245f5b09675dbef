package io.lrp.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.lrp.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Attention.probabilities equals Attention.scores followed by Attention.softmax, forward and backward. */
class AttentionFusedTest {
    static final int B = 2, T = 5, HEADS = 3, H = 12;

    static Tensor random(Random r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.data.length; i++) t.data[i] = (float) r.nextGaussian();
        return t;
    }

    @Test
    void fusedEqualsComposedUnderEveryRuleSet() {
        float[] mask = new float[B * T];
        mask[T - 1] = -10000f; // one padded key in the first sequence
        for (RuleSet rules : List.of(RuleSet.GRADIENT, RuleSet.LRP_AH, RuleSet.LRP_AH_LN, RuleSet.ATTNLRP)) {
            Random r = new Random(3);
            Tensor qt = random(r, B * T, H), kt = random(r, B * T, H), vt = random(r, B * T, H), seed = random(r, B * T, H);
            float[][] grads = new float[2][];
            float[][] ctx = new float[2][];
            for (int fused = 0; fused < 2; fused++) {
                Tape tape = Tape.recording(rules).batch(B);
                Var q = Var.leaf(qt.copy()), k = Var.leaf(kt.copy()), v = Var.leaf(vt.copy());
                Var p = fused == 1 ? Attention.probabilities(tape, q, k, B, T, HEADS, 0.5f, mask)
                        : Attention.softmax(tape, Attention.scores(tape, q, k, B, T, HEADS, 0.5f, mask));
                Var c = Attention.attend(tape, p, v, B, T, HEADS);
                tape.backward(c, seed);
                ctx[fused] = c.value.data;
                if (rules.stops(Role.ATTENTION_PROBS)) {
                    assertNull(q.grad(), rules.name() + ": nothing reaches q under the AH-rule");
                    grads[fused] = v.grad().data;
                } else {
                    float[] g = new float[2 * q.value.size() + v.value.size()];
                    System.arraycopy(q.grad().data, 0, g, 0, q.value.size());
                    System.arraycopy(k.grad().data, 0, g, q.value.size(), q.value.size());
                    System.arraycopy(v.grad().data, 0, g, 2 * q.value.size(), v.value.size());
                    grads[fused] = g;
                }
                assertEquals(B * HEADS * T * T, tape.attention().get(0).value.size());
            }
            assertArrayEquals(ctx[0], ctx[1], 1e-6f, rules.name() + " context");
            assertArrayEquals(grads[0], grads[1], 1e-5f, rules.name() + " gradients");
        }
    }
}
