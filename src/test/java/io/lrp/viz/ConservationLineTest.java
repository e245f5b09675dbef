package io.lrp.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrp.explain.Explainer;
import io.lrp.explain.Explanation;
import io.lrp.explain.Method;
import io.lrp.models.ModelLoader;
import io.lrp.models.Model;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The conservation line under each heat map: the identity with its verdict for lrp-ah-ln (holds
 * on a BERT model, said not to hold above the encoder on the paper model, on the line itself),
 * no "sum R" for the methods whose sum means nothing.
 */
class ConservationLineTest {

    @Test
    void lrpOnBertSaysConservedAndPaperModelSaysWhyNot() {
        Model bert = ModelLoader.load("minilm-sst2"), paper = ModelLoader.load("paper-sst2");
        String text = "the film is a charming, funny delight";
        Explanation b = Explainer.of(bert).method(Method.LRP_AH_LN).explain(text);
        String lb = ConservationLine.of(b);
        assertTrue(lb.startsWith("sum R + bias = ") && lb.endsWith("(conserved)"), lb);
        Explanation p = Explainer.of(paper).method(Method.LRP_AH_LN).explain(text);
        double gap = Math.abs(p.conservation().sum() + p.conservation().bias() - p.conservation().logit());
        assertTrue(gap > 1e-2, "the paper model's pooler: " + gap);
        String lp = ConservationLine.of(p);
        assertTrue(lp.contains("not equal") && lp.contains("pooler") && !lp.contains("(conserved)"), lp);
        for (Method m : List.of(Method.ROLLOUT, Method.A_LAST, Method.ATTENTION_FLOW, Method.SALIENCY, Method.RANDOM, Method.GAE)) {
            String l = ConservationLine.of(Explainer.of(bert).method(m).explain(text));
            assertFalse(l.contains("sum R"), m + ": " + l);
            assertTrue(l.startsWith("values: "), m + ": " + l);
        }
        assertTrue(ConservationLine.of(Explainer.of(bert).method(Method.GI).explain(text)).startsWith("sum R = "));
    }
}
