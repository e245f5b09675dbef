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
}
