package io.lrp.models.llama;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrp.explain.GoldenFiles;
import io.lrp.explain.Method;
import io.lrp.explain.Methods;
import io.lrp.explain.Relevance;
import io.lrp.models.Batch;
import io.lrp.models.decoder.DecoderExplainer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The last block computed for the head's rows only (the query-row attention with its own
 * backward, RoPE at each sample's last position) against the whole block: every method, on a
 * right-padded batch of two prompts of different lengths, gives the same logits and relevance up
 * to float32 rounding (1e-5 of the largest |R|). GI and IG send gradient through the
 * probabilities into q and k, so this checks that part of the backward too.
 */
class LlamaLastLayerTest {
    @Test void onlyTheHeadsRowsGiveTheSameRelevanceForEveryMethod() {
        LlamaModel model = LlamaModel.load(GoldenFiles.path("families/llama_small"), false);
        DecoderExplainer e = DecoderExplainer.of(model);
        Batch batch = Batch.of(List.of(e.encode("The capital of France is"), e.encode("Never again, thanks. I said it twice")),
                model.padId());
        assertTrue(batch.lengths()[0] != batch.lengths()[1], "two lengths: the shorter one is padded");
        try {
            for (Method m : Methods.ALL) {
                Relevance.Result[] r = new Relevance.Result[2];
                for (int k = 0; k < 2; k++) {
                    model.trimLastLayer(k == 1);
                    r[k] = Relevance.compute(model, batch, m, null, Relevance.Options.DEFAULT);
                }
                SameResults.assertSame(m, r[0], r[1], 2);
            }
        } finally {
            model.trimLastLayer(true);
        }
    }
}
