package io.lrp.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrp.LrpException;
import io.lrp.models.Model;
import io.lrp.models.ModelLoader;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Java API on the small Hugging Face classifier: batching, targets, conservation, errors. */
class ExplainerTest {
    static Model model;

    static final List<String> TEXTS = List.of(
            "Never again, thanks.",
            "An absolutely wonderful, moving film with a brilliant cast and a clever script.",
            "ok",
            "The plot was thin; the acting, however, was superb and the music unforgettable.",
            "I would not recommend it to anyone.");

    @BeforeAll
    static void load() {
        model = ModelLoader.load(GoldenFiles.path("hf_bert_small").toString());
    }

    @Test
    void batchedAndThreadedEqualsOneByOneForEveryMethod() {
        for (Method m : Method.values()) {
            Explainer ex = Explainer.of(model).method(m).batchSize(2).threads(2);
            List<Explanation> batched = ex.explain(TEXTS, null);
            assertEquals(TEXTS.size(), batched.size());
            for (int i = 0; i < TEXTS.size(); i++) {
                Explanation one = Explainer.of(model).method(m).seed(0).explain(List.of(TEXTS.get(i)), null).get(0);
                Explanation b = batched.get(i);
                assertEquals(TEXTS.get(i), b.text(), "input order kept");
                assertArrayEquals(one.ids(), b.ids());
                assertEquals(one.target(), b.target());
                if (m == Method.RANDOM) continue; // seeded per position in the batch, not per text
                double scale = 0;
                for (double r : one.relevance()) scale = Math.max(scale, Math.abs(r));
                GoldenFiles.assertClose(m.id() + " text " + i, one.relevance(), b.relevance(), 1e-6, 1e-5);
                assertEquals(one.logits()[0], b.logits()[0], 1e-5);
            }
        }
    }

    @Test
    void repeatedThreadedCallsAgreeAndAFailingChunkFailsTheCall() {
        // the worker threads (and their BLAS buffers) outlive a call: later calls must not see stale state
        Explainer ex = Explainer.of(model).method(Method.LRP_AH_LN).batchSize(1).threads(3);
        List<Explanation> first = ex.explain(TEXTS, null);
        for (int round = 0; round < 3; round++) {
            List<Explanation> again = ex.explain(TEXTS, null);
            for (int i = 0; i < TEXTS.size(); i++) {
                assertArrayEquals(first.get(i).relevance(), again.get(i).relevance(), 0, "round " + round + " text " + i);
            }
        }
        int[] badTarget = {0, 1, 7, 0, 1}; // one chunk fails: the whole call reports it
        LrpException e = assertThrows(LrpException.class, () -> ex.explain(TEXTS, badTarget));
        assertTrue(e.getMessage().contains("7"), e.getMessage());
        assertEquals(TEXTS.size(), ex.explain(TEXTS, null).size(), "the explainer still works afterwards");
    }

    @Test
    void lrpAhLnConservesAndOtherMethodsReportNoBias() {
        for (Explanation e : Explainer.of(model).method(Method.LRP_AH_LN).explain(TEXTS, null)) {
            var c = e.conservation();
            assertEquals(e.logits()[e.target()], c.logit(), 0);
            // sum R + bias relevance = logit: the rule-modified network is linear in (x, biases)
            assertEquals(c.logit(), c.sum() + c.bias(), 1e-5 * Math.max(1, Math.abs(c.logit())));
        }
        for (Explanation e : Explainer.of(model).method(Method.GI).explain(TEXTS, null)) assertNull(e.conservation().bias());
    }

    @Test
    void explicitTargetIsExplained() {
        int[] targets = {0, 0, 1, 1, 0};
        List<Explanation> res = Explainer.of(model).method(Method.LRP_AH_LN).explain(TEXTS, targets);
        for (int i = 0; i < targets.length; i++) {
            assertEquals(targets[i], res.get(i).target());
            assertEquals(model.labels().get(targets[i]), res.get(i).label());
            assertEquals(res.get(i).logits()[targets[i]], res.get(i).conservation().logit(), 0);
        }
        // each logit is conserved separately: sum R + bias = logit for the non-predicted class too
        for (int c = 0; c < 2; c++) {
            Explanation e = Explainer.of(model).explain(List.of(TEXTS.get(1)), new int[] {c}).get(0);
            assertEquals(e.logits()[c], e.conservation().sum() + e.conservation().bias(), 1e-5 * Math.max(1, Math.abs(e.logits()[c])));
        }
        assertThrows(LrpException.class, () -> Explainer.of(model).explain(List.of("x y"), new int[] {2}));
    }

    @Test
    void overLongInputFailsUnlessTruncated() {
        String longText = "word ".repeat(300);
        LrpException e = assertThrows(LrpException.class, () -> Explainer.of(model).explain(longText));
        assertTrue(e.getMessage().contains("128"), e.getMessage());
        Explanation t = Explainer.of(model).truncate(true).explain(longText);
        assertEquals(128, t.relevance().length);
        assertEquals("[SEP]", t.tokens()[127]);
    }
}
