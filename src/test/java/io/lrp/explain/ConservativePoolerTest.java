package io.lrp.explain;

import static io.lrp.explain.GoldenFiles.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lrp.models.Batch;
import io.lrp.models.ModelLoader;
import io.lrp.models.bert.BertConfig;
import io.lrp.models.bert.BertModel;
import io.lrp.models.bert.RandomBert;
import io.lrp.models.paper.PaperModel;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * lrp-ah-ln-cp: the paper model's pooler tanh by the identity rule. On the paper model it
 * conserves at the logit (sum R + bias = logit), which the authors' convention (lrp-ah-ln,
 * tanh differentiated) does not; on a BERT model, whose pooler already uses the identity rule,
 * it is lrp-ah-ln bit for bit.
 */
class ConservativePoolerTest {

    @Test
    void paperModelConservesAtTheLogit() {
        PaperModel model = ModelLoader.paperModel(path("paper_small.safetensors"), null);
        JsonNode golden = json("paper_small_explanations.json");
        double worstAuthors = 0;
        for (JsonNode c : golden.get("cases")) {
            Batch batch = Batch.single(PaperModelParityTest.seq(c));
            Relevance.Result cp = Relevance.compute(model, batch, Method.LRP_AH_LN_CP, null, Relevance.Options.DEFAULT);
            Relevance.Result authors = Relevance.compute(model, batch, Method.LRP_AH_LN, null, Relevance.Options.DEFAULT);
            double logit = cp.logits()[0][cp.targets()[0]];
            double sum = 0;
            for (double r : cp.relevance()[0]) sum += r;
            assertEquals(logit, sum + cp.bias()[0], 1e-5 * Math.max(1, Math.abs(logit)), "sum R + bias = logit");
            double authorsSum = 0;
            for (double r : authors.relevance()[0]) authorsSum += r;
            worstAuthors = Math.max(worstAuthors, Math.abs(authorsSum + authors.bias()[0] - logit) / Math.max(1, Math.abs(logit)));
        }
        // the authors' convention scales the relevance entering the encoder by tanh'(z) and misses the logit
        assertTrue(worstAuthors > 1e-3, "lrp-ah-ln on the paper model should miss the logit, off by " + worstAuthors);
    }

    @Test
    void bertModelsAlreadyUseTheIdentityRuleAtThePooler() {
        BertConfig c = new BertConfig(200, 32, 2, 4, 64, 16, 2, 1e-12, 0, List.of("a", "b"), BertConfig.Pooling.CLS_POOLER);
        BertModel model = RandomBert.create("tiny", c, 5, null);
        Batch batch = Batch.single(new int[] {2, 17, 42, 99, 3});
        Relevance.Result cp = Relevance.compute(model, batch, Method.LRP_AH_LN_CP, null, Relevance.Options.DEFAULT);
        Relevance.Result ln = Relevance.compute(model, batch, Method.LRP_AH_LN, null, Relevance.Options.DEFAULT);
        assertArrayEquals(ln.relevance()[0], cp.relevance()[0], 0);
        assertEquals(ln.bias()[0], cp.bias()[0], 0);
    }
}
