package io.lrp.autograd;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrp.tensor.Arena;
import io.lrp.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Tape#discard hands a value's array back to the arena (the next array of that size is that one)
 * unless a recorded node reads the value in the backward pass, the tape keeps it as an attention
 * map, or it is marked.
 */
class TapeDiscardTest {
    static final int ROWS = 64, COLS = 80; // 5120 floats: above the arena's smallest pooled size

    static Var input() {
        Tensor t = Tensor.zeros(ROWS, COLS);
        for (int i = 0; i < t.data.length; i++) t.data[i] = (i % 7) * 0.25f - 0.5f;
        return Var.leaf(t);
    }

    static Var weight(boolean trainable) {
        Tensor t = Tensor.zeros(COLS, COLS);
        for (int i = 0; i < t.data.length; i++) t.data[i] = (i % 5) * 0.1f - 0.2f;
        Var w = Var.constant(t);
        w.setRequiresGrad(trainable);
        return w;
    }

    /** Whether discarding v handed its array back: the next array of its size is v's. */
    static boolean handedBack(Tape tape, Var v) {
        tape.discard(v);
        int[] shape = v.value.shape();
        return Tensor.uninitialized(shape).data == v.value.data;
    }

    @Test
    void unreadValuesGoBackReadOnesStay() {
        try (Arena scope = Arena.open()) {
            Var x = input();
            // an explanation: constant weights, so the linear's backward reads only g and W
            Tape explain = Tape.recording(RuleSet.LRP_AH_LN);
            Var h = Ops.add(explain, x, x);
            Ops.linear(explain, h, weight(false), null, Role.ENCODER_LINEAR, "lin");
            assertTrue(handedBack(explain, h), "an activation nobody reads goes back");

            // training: the weight's gradient reads the input
            Tape train = Tape.recording(RuleSet.GRADIENT);
            Var h2 = Ops.add(train, x, x);
            Ops.linear(train, h2, weight(true), null, Role.ENCODER_LINEAR, "lin");
            assertFalse(handedBack(train, h2), "kept for the weight's gradient");

            Tape marked = Tape.recording(RuleSet.LRP_AH_LN);
            Var h3 = Ops.add(marked, x, x);
            marked.mark("h3", h3);
            assertFalse(handedBack(marked, h3), "marked");

            Tape inference = Tape.inference();
            assertTrue(handedBack(inference, Ops.add(inference, x, x)), "a tape that records nothing");
        }
    }

    @Test
    void attentionKeepsWhatItsBackwardReads() {
        int batch = 1, len = 64, heads = 4;
        try (Arena scope = Arena.open()) {
            // AH-rule: the probabilities (p^T g into v) and nothing of q, k, v
            Tape ah = Tape.recording(RuleSet.LRP_AH);
            Var q = input(), k = input(), v = input();
            Attention.Heads out = Attention.attention(ah, q, k, v, batch, len, heads, 0.5f, null);
            assertFalse(handedBack(ah, out.probs()), "the attention map");
            assertTrue(handedBack(ah, q));
            assertTrue(handedBack(ah, v));
            // the gradient rule reads q, k (into the scores) and v (g v^T into p)
            Tape gi = Tape.recording(RuleSet.GRADIENT);
            Var q2 = input(), k2 = input(), v2 = input();
            Attention.attention(gi, q2, k2, v2, batch, len, heads, 0.5f, null);
            assertFalse(handedBack(gi, q2));
            assertFalse(handedBack(gi, k2));
            assertFalse(handedBack(gi, v2));
        }
    }
}
