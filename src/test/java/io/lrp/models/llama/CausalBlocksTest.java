package io.lrp.models.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrp.autograd.DecoderOps;
import io.lrp.explain.GoldenFiles;
import io.lrp.explain.Method;
import io.lrp.explain.Methods;
import io.lrp.explain.Relevance;
import io.lrp.models.Batch;
import io.lrp.models.decoder.DecoderExplainer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Causal attention a block of query rows at a time (each block multiplies only the keys it
 * sees) against the whole square, on prompts longer than several blocks: every method gives
 * the same logits and relevance up to float32 rounding (1e-5 of the largest |R|), a right-padded
 * batch of two lengths included (a block boundary falls inside the padding of one of them), and
 * lrp-ah-ln still conserves (the AH-rule's backward computes the probabilities again, blockwise).
 */
class CausalBlocksTest {
    @Test void blocksOfQueriesGiveTheWholeSquaresRelevanceForEveryMethod() {
        LlamaModel model = LlamaModel.load(GoldenFiles.path("families/llama_small"), false);
        DecoderExplainer e = DecoderExplainer.of(model);
        String text = "The capital of France is Paris, and the capital of Italy is Rome. ";
        Batch batch = Batch.of(List.of(e.encode(text.repeat(7)), e.encode(text.repeat(4) + "Never again")), model.padId());
        assertTrue(batch.lengths()[0] > 3 * 24 && batch.lengths()[1] > 2 * 24 && batch.lengths()[0] != batch.lengths()[1],
                "lengths " + batch.lengths()[0] + ", " + batch.lengths()[1]);
        int old = DecoderOps.causalBlock(24);
        try {
            for (Method m : Methods.ALL) {
                Relevance.Result[] r = new Relevance.Result[2];
                for (int k = 0; k < 2; k++) {
                    DecoderOps.causalBlock(k == 0 ? 1 << 20 : 24);
                    r[k] = Relevance.compute(model, batch, m, null, Relevance.Options.DEFAULT);
                }
                SameResults.assertSame(m, r[0], r[1], 2);
                if (m.id().equals("lrp-ah-ln")) {
                    for (int b = 0; b < 2; b++) {
                        double sum = 0;
                        for (double v : r[1].relevance()[b]) sum += v;
                        double logit = r[1].logits()[b][r[1].targets()[b]];
                        assertEquals(logit, sum + (r[1].bias()[b] == null ? 0 : r[1].bias()[b]), 1e-5 * Math.abs(logit), "conservation");
                    }
                }
            }
        } finally {
            DecoderOps.causalBlock(old);
        }
    }
}
