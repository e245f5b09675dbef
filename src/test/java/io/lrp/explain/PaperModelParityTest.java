package io.lrp.explain;

import static io.lrp.explain.GoldenFiles.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lrp.autograd.RuleSet;
import io.lrp.models.Batch;
import io.lrp.models.ModelLoader;
import io.lrp.models.paper.PaperModel;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The paper's attention-only model at small size (golden/paper_small.*): forward, every rule set
 * and every baseline against the float64 PyTorch reference.
 */
class PaperModelParityTest {
    static PaperModel model;
    static JsonNode golden;

    @BeforeAll
    static void load() {
        model = ModelLoader.paperModel(path("paper_small.safetensors"), null);
        golden = json("paper_small_explanations.json");
    }

    @Test
    void logitsAndEmbeddingsMatch() {
        for (JsonNode c : golden.get("cases")) {
            Batch batch = Batch.single(seq(c));
            double[] logits = toDouble(Relevance.logits(model, batch)[0]);
            double[] expected = doubles(c.get("logits"));
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], logits[i], 1e-5 * Math.abs(expected[i]) + 1e-7, "logit " + i);
            }
            double[] emb = toDouble(model.embed(batch).data);
            assertClose("embedding", flatten(c.get("embedding_output")), emb, 1e-5, 1e-5);
        }
    }

    static Batch.Sequence seq(JsonNode c) {
        return new Batch.Sequence(ints(c.get("input_ids")), ints(c.get("token_type_ids")));
    }


    @Test
    void ruleSetVariantsMatch() {
        Map<String, RuleSet> variants = Map.of(
                "gi", RuleSet.GRADIENT, "lrp-ah", RuleSet.LRP_AH, "lrp-ah-ln", RuleSet.LRP_AH_LN,
                "lrp-ah-ln_gamma0.25", RuleSet.LRP_AH_LN.withGamma(0.25));
        for (JsonNode c : golden.get("cases")) {
            Batch batch = Batch.single(seq(c));
            for (var v : variants.entrySet()) {
                JsonNode g = c.get("variants").get(v.getKey());
                boolean gamma = v.getKey().contains("gamma");
                Relevance.Pass p = Relevance.backward(model, batch, v.getValue(), null);
                assertEquals(c.get("target").asInt(), p.targets()[0]);
                double[] r = p.inputTimesGradient(batch)[0];
                assertClose(v.getKey() + " R", doubles(g.get("R")), r, 1e-5, gamma ? 2e-2 : 1e-4);
                assertClose(v.getKey() + " grad", flatten(g.get("grad")), toDouble(p.input().grad().data), 1e-5, gamma ? 2e-2 : 1e-4);
                double encoderOut = p.markedRelevance("encoder_output", batch, 0);
                assertEquals(g.get("R_encoder_output_sum").asDouble(), encoderOut,
                        1e-4 * Math.abs(g.get("R_encoder_output_sum").asDouble()) + 1e-6, v.getKey() + " R_encoder_output_sum");
                if (v.getKey().equals("lrp-ah-ln")) {
                    double blocks = p.tape().biasRelevance("encoder.", 0);
                    assertEquals(g.get("bias_relevance_blocks").asDouble(), blocks, 1e-4 * maxAbs(doubles(g.get("R"))) + 1e-6);
                    // the algebraic identity of the linearised blocks: sum R + block biases = relevance entering the encoder
                    double sum = 0;
                    for (double x : r) sum += x;
                    assertEquals(encoderOut, sum + blocks, 1e-5 * Math.max(1, Math.abs(encoderOut)), "lrp-ah-ln conservation");
                }
            }
        }
    }

    @Test
    void baselinesMatch() {
        for (JsonNode c : golden.get("cases")) {
            Batch batch = Batch.single(seq(c));
            for (String name : new String[] {"attnlrp", "saliency", "a-last", "rollout", "gae", "ig", "occlusion"}) {
                Relevance.Result res = Relevance.compute(model, batch, Method.parse(name), null, Relevance.Options.DEFAULT);
                double[] expected = doubles(c.get("methods").get(name).get("R"));
                assertClose(name, expected, res.relevance()[0], 1e-5, name.equals("ig") ? 5e-4 : 1e-4);
            }
        }
    }

    @Test
    void paddedBatchEqualsOneByOne() {
        var cases = golden.get("cases");
        java.util.List<Batch.Sequence> seqs = new java.util.ArrayList<>();
        for (JsonNode c : cases) seqs.add(seq(c));
        Batch batch = Batch.ofSequences(seqs, 0);
        assertTrue(batch.additiveMask() != null, "cases of different lengths must pad");
        Relevance.Result all = Relevance.compute(model, batch, Method.LRP_AH_LN, null, Relevance.Options.DEFAULT);
        for (int i = 0; i < seqs.size(); i++) {
            Relevance.Result one = Relevance.compute(model, Batch.single(seqs.get(i)), Method.LRP_AH_LN, null, Relevance.Options.DEFAULT);
            assertClose("batched vs single " + i, one.relevance()[0], all.relevance()[i], 1e-6, 1e-5);
        }
    }
}
