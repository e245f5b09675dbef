package io.lrp.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrp.models.ModelLoader;
import io.lrp.models.bert.BertModel;
import io.lrp.nn.Weights;
import io.lrp.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Similarity explanations on the embedded MiniLM. The identity that holds: with the other
 * side's embedding fixed and the own norm ||u|| held constant, s = u . e_other / ||u|| is
 * linear in the mean-pooled vector u, and under the LRP (AH+LN) rules the encoder is linear in
 * (x, biases); so sum_t R_t + bias relevance = s exactly (up to float32 rounding).
 */
class SimilarityTest {
    static BertModel minilm;

    @BeforeAll
    static void load() { minilm = ModelLoader.miniLm(null); }

    @Test
    void eachSideConservesTheSimilarity() {
        Similarity.Pair p = Similarity.explain(minilm, "a cat sits on the mat", "a kitten rests on a rug");
        assertTrue(p.similarity() > 0.3 && p.similarity() < 0.95, "related sentences: " + p.similarity());
        for (Explanation e : new Explanation[] {p.a(), p.b()}) {
            var c = e.conservation();
            assertEquals(p.similarity(), c.logit(), 0);
            assertEquals(p.similarity(), c.sum() + c.bias(), 1e-5, "sum R + bias = s for " + e.text());
            assertEquals(e.tokens().length, e.relevance().length);
        }
    }

    @Test
    void identicalTextsHaveSimilarityOne() {
        Similarity.Pair p = Similarity.explain(minilm, "the same sentence", "the same sentence");
        assertEquals(1.0, p.similarity(), 1e-6);
        GoldenFiles.assertClose("A vs B", p.a().relevance(), p.b().relevance(), 1e-7, 1e-6);
    }

    /** The same relevance through an independent path: a linear head w = e_B / ||u_A|| explained by Explainer. */
    @Test
    void equalsLrpOfTheEquivalentLinearHead() {
        String a = "the film is a charming, funny delight", b = "a delightful and funny movie";
        Similarity.Pair p = Similarity.explain(minilm, a, b);
        double[] ua = Reference.pooled(minilm, a), ub = Reference.pooled(minilm, b);
        double na = Reference.norm(ua), nb = Reference.norm(ub);
        Tensor w = Tensor.zeros(1, 384);
        for (int i = 0; i < 384; i++) w.data[i] = (float) (ub[i] / nb / na);
        BertModel head = ModelLoader.miniLm("sim-head",
                new Weights(Map.of("classifier.weight", w, "classifier.bias", Tensor.zeros(1)), "test head"), java.util.List.of("s"));
        Explanation e = Explainer.of(head).method(Method.LRP_AH_LN).explain(a);
        GoldenFiles.assertClose("similarity side A", e.relevance(), p.a().relevance(), 1e-6, 1e-5);
    }

    static final class Reference {
        static double[] pooled(BertModel m, String text) {
            var batch = io.lrp.models.Batch.single(m.tokenizer().encode(text).ids());
            var tape = io.lrp.autograd.Tape.inference();
            float[] u = m.pool(tape, m.encode(tape, io.lrp.autograd.Var.constant(m.embed(batch)), batch), batch).value.data;
            double[] d = new double[u.length];
            for (int i = 0; i < d.length; i++) d[i] = u[i];
            return d;
        }

        static double norm(double[] v) {
            double s = 0;
            for (double x : v) s += x * x;
            return Math.sqrt(s);
        }
    }
}
