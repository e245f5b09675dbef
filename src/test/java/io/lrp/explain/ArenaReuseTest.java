package io.lrp.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lrp.models.ModelLoader;
import io.lrp.models.Model;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Explanations reuse the arrays of the previous one on the same thread (io.lrp.tensor.Arena):
 * a long text, then a short one, then the long one again must give the first result to the bit,
 * for every method, on one thread and on several.
 */
class ArenaReuseTest {
    static final String LONG = "An absolutely wonderful, moving film with a brilliant cast, a clever script "
            + "and music that stays with you long after the credits have rolled.";
    static final String SHORT = "Never again, thanks.";

    @Test
    void reusedArraysChangeNoResult() {
        Model model = ModelLoader.load("minilm-sst2");
        for (Method m : Method.values()) {
            for (int threads : new int[] {1, 2}) {
                Explainer ex = Explainer.of(model).method(m).seed(3).threads(threads).batchSize(1);
                Explanation first = ex.explain(List.of(LONG), null).get(0);
                Explanation other = ex.explain(List.of(SHORT, LONG, SHORT), null).get(1);
                Explanation again = ex.explain(List.of(LONG), null).get(0);
                String what = m.id() + ", " + threads + " thread(s)";
                assertArrayEquals(first.relevance(), again.relevance(), 0, what);
                assertArrayEquals(first.relevance(), other.relevance(), 0, what + ", between short texts");
                assertArrayEquals(first.logits(), again.logits(), 0f, what);
                assertEquals(first.conservation().sum(), again.conservation().sum(), 0, what);
            }
        }
    }

    /**
     * A forward pass that records nothing hands each activation back as soon as the next layer
     * has read it (Tape#discard), and keeps no attention maps (Tape#withoutAttention): its logits
     * equal those of a recording pass, which keeps everything, and of one that keeps the maps,
     * to the bit, for a padded batch of two and for one text alone.
     */
    @Test
    void discardedActivationsChangeNoLogit() {
        Model model = ModelLoader.load("minilm-sst2");
        var tok = model.tokenizer();
        for (List<String> texts : List.of(List.of(LONG, SHORT), List.of(SHORT))) {
            io.lrp.models.Batch batch = io.lrp.models.Batch.of(texts.stream().map(t -> tok.encode(t).ids()).toList(), model.padId());
            float[][] inference = Relevance.logits(model, batch);
            float[][] again = Relevance.logits(model, batch);
            float[][] recorded;
            try (io.lrp.tensor.Arena scope = io.lrp.tensor.Arena.open()) {
                io.lrp.autograd.Tape tape = io.lrp.autograd.Tape.recording(io.lrp.autograd.RuleSet.GRADIENT).batch(batch.size());
                io.lrp.autograd.Var x = io.lrp.autograd.Var.leaf(model.embed(batch));
                io.lrp.tensor.Tensor out = model.forward(tape, x, batch).value;
                recorded = new float[batch.size()][];
                int c = out.dim(1);
                for (int b = 0; b < batch.size(); b++) recorded[b] = java.util.Arrays.copyOfRange(out.data, b * c, (b + 1) * c);
            }
            // a tape that keeps the attention maps (a-last, rollout) gets one per layer and the same logits
            io.lrp.autograd.Tape maps = io.lrp.autograd.Tape.inference().batch(batch.size());
            io.lrp.tensor.Tensor out = model.forward(maps, io.lrp.autograd.Var.constant(model.embed(batch)), batch).value;
            assertEquals(6, maps.attention().size());
            io.lrp.autograd.Tape bare = io.lrp.autograd.Tape.inference().withoutAttention();
            model.forward(bare, io.lrp.autograd.Var.constant(model.embed(batch)), batch);
            assertEquals(0, bare.attention().size());
            for (int b = 0; b < texts.size(); b++) {
                assertArrayEquals(recorded[b], inference[b], 0f, "text " + b + " of " + texts.size());
                assertArrayEquals(inference[b], again[b], 0f);
                assertArrayEquals(inference[b], java.util.Arrays.copyOfRange(out.data, 2 * b, 2 * b + 2), 0f);
            }
        }
    }
}
