package io.lrp.explain;

import static io.lrp.explain.GoldenFiles.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.lrp.autograd.Tape;
import io.lrp.autograd.Var;
import io.lrp.models.Batch;
import io.lrp.models.bert.BertModel;
import io.lrp.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The embedded all-MiniLM-L6-v2 encoder (ONNX, from the classpath) with the golden mean-pool
 * head: hidden states, logits, and every method against minilm_explanations.json.
 */
class MiniLmParityTest {
    static BertModel model;
    static JsonNode golden;

    @BeforeAll
    static void load() {
        // the vector kernels themselves, not their scalar twins (no-op in the scalar-kernel run)
        io.lrp.tensor.Simd.warmUp();
        golden = json("minilm_explanations.json");
        model = miniLmWithGoldenHead();
    }


    @Test
    void tokenizationHiddenStatesAndLogits() {
        double worstHidden = 0, worstLogit = 0;
        for (JsonNode c : golden.get("cases")) {
            int[] ids = ints(c.get("input_ids"));
            assertArrayEquals(ids, model.tokenizer().encode(c.get("text").asText()).ids(), "tokenization of " + c.get("text"));
            Batch batch = Batch.single(ids);
            Tensor x = model.embed(batch);
            Tape tape = Tape.inference();
            Var last = model.encode(tape, Var.constant(x), batch);
            if (c.has("last_hidden_state")) {
                assertClose("embedding_output", flatten(c.get("embedding_output")), toDouble(x.data), 1e-4, 0);
                worstHidden = Math.max(worstHidden, assertClose("last_hidden_state", flatten(c.get("last_hidden_state")), toDouble(last.value.data), 1e-4, 0));
            }
            double[] pooled = toDouble(model.pool(tape, last, batch).value.data);
            assertClose("pooled", doubles(c.get("pooled")), pooled, 1e-4, 0);
            double[] logits = toDouble(Relevance.logits(model, batch)[0]);
            worstLogit = Math.max(worstLogit, assertClose("logits", doubles(c.get("logits")), logits, 1e-4, 0));
        }
        System.out.printf("MiniLM parity: hidden states max error %.3g (relative to max), logits %.3g%n", worstHidden, worstLogit);
    }

    @Test
    void everyMethodMatches() {
        double worst = 0;
        for (JsonNode c : golden.get("cases")) {
            Batch batch = Batch.single(ints(c.get("input_ids")));
            for (var m : c.get("methods").properties()) {
                Method method = Method.parse(m.getKey());
                JsonNode g = m.getValue();
                Relevance.Result r = Relevance.compute(model, batch, method, null, Relevance.Options.DEFAULT);
                assertEquals(c.get("target").asInt(), r.targets()[0]);
                double[] expected = doubles(g.get("R"));
                double rel = method == Method.IG ? 5e-4 : 1e-4;
                worst = Math.max(worst, assertClose(c.get("text").asText() + " " + method.id(), expected, r.relevance()[0], rel, rel));
                if (method == Method.LRP_AH_LN) {
                    double sum = 0;
                    for (double v : r.relevance()[0]) sum += v;
                    double logit = g.get("logit").asDouble(), bias = r.bias()[0];
                    assertEquals(g.get("bias_relevance").asDouble(), bias, 1e-4 * Math.max(1, Math.abs(logit)), "bias relevance");
                    // conservation of LRP (AH+LN): sum R + bias relevance = logit (float32 arithmetic, 1e-5 relative)
                    assertEquals(logit, sum + bias, 1e-5 * Math.max(1, Math.abs(logit)), "lrp-ah-ln conservation");
                }
            }
        }
        System.out.printf("MiniLM parity: worst relevance error %.3g of max|R|%n", worst);
    }
}
