package io.lrp.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lrp.models.Batch;
import io.lrp.models.bert.BertConfig;
import io.lrp.models.bert.BertModel;
import io.lrp.models.bert.RandomBert;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Relevance.compute's afterForward callback (lrp bench times the two passes apart with it): it
 * runs once for the methods of one forward and one backward pass, never for the others, and it
 * changes no result.
 */
class RelevanceSplitTest {

    @Test
    void callbackRunsOnceBetweenThePassesOfSinglePassMethods() {
        BertConfig c = new BertConfig(200, 32, 2, 4, 64, 16, 2, 1e-12, 0, List.of("a", "b"), BertConfig.Pooling.CLS_POOLER);
        BertModel model = RandomBert.create("tiny", c, 5, null);
        Batch batch = Batch.single(new int[] {2, 17, 42, 99, 3});
        for (Method m : Method.values()) {
            int[] calls = {0};
            Relevance.Result plain = Relevance.compute(model, batch, m, null, Relevance.Options.DEFAULT);
            Relevance.Result timed = Relevance.compute(model, batch, m, null, Relevance.Options.DEFAULT, () -> calls[0]++);
            assertEquals(m.singlePass() ? 1 : 0, calls[0], m.id());
            assertArrayEquals(plain.relevance()[0], timed.relevance()[0], 0, m.id());
            assertArrayEquals(plain.logits()[0], timed.logits()[0], 0f, m.id());
        }
        for (Method m : List.of(Method.GI, Method.LRP_AH, Method.LRP_AH_LN, Method.ATTNLRP, Method.SALIENCY, Method.GAE)) {
            assertEquals(true, m.singlePass(), m.id());
        }
    }
}
