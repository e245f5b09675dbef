package io.lrp.models.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lrp.LrpException;
import io.lrp.explain.GoldenFiles;
import io.lrp.explain.Method;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The decoder entry point: targets, JSON lines in the golden format, and bad input. */
class DecoderExplainerTest {

    @Test
    void jsonLinesHaveTheGoldenKeysAndValues() throws Exception {
        DecoderModel model = DecoderParityTest.model("gpt2_small");
        String text = "Never again, thanks.";
        JsonNode golden = DecoderParityTest.lines("gpt2_small").get(text).get(2); // lrp-ah-ln
        NextTokenExplanation e = DecoderExplainer.of(model).explain(text, List.of(Method.LRP_AH_LN), null).get(0);
        JsonNode got = GoldenFiles.JSON.readTree(e.toJson());
        List<String> keys = new ArrayList<>(), goldenKeys = new ArrayList<>();
        for (Iterator<String> it = got.fieldNames(); it.hasNext(); ) keys.add(it.next());
        for (Iterator<String> it = golden.fieldNames(); it.hasNext(); ) goldenKeys.add(it.next());
        assertEquals(goldenKeys, keys);
        assertTrue(got.get("logits").isNull());
        assertEquals(golden.get("label").asText(), got.get("label").asText());
        assertEquals(golden.get("tokens"), got.get("tokens"));
        assertEquals(golden.get("ids"), got.get("ids"));
        for (int i = 0; i < 5; i++) {
            assertEquals(golden.get("top").get(i).get(0).asInt(), got.get("top").get(i).get(0).asInt());
            assertEquals(golden.get("top").get(i).get(2).asDouble(), got.get("top").get(i).get(2).asDouble(), 1e-4);
        }
        assertEquals(golden.get("conservation").get("bias").asDouble(), got.get("conservation").get("bias").asDouble(), 1e-4);
    }

    @Test
    void aGivenTargetIsExplainedInsteadOfThePrediction() {
        DecoderModel model = DecoderParityTest.model("llama_small");
        DecoderExplainer ex = DecoderExplainer.of(model);
        int paris = ex.parseTarget(" Paris");
        assertEquals("\u2581Paris", model.decoderTokenizer().token(paris));
        assertEquals(7545, ex.parseTarget("blic")); // a vocabulary entry without the word-start mark
        assertEquals(3681, ex.parseTarget("3681"));
        assertEquals(DecoderParityTest.model("gpt2_small").decoderTokenizer().tokens(new int[] {2370})[0],
                "\u0120evidence");
        assertEquals(2370, DecoderExplainer.of(DecoderParityTest.model("gpt2_small")).parseTarget(" evidence"));
        assertEquals(null, ex.parseTarget(null));
        NextTokenExplanation e = ex.explain("The capital of France is", List.of(Method.LRP_AH_LN), paris).get(0);
        assertEquals(paris, e.target());
        double c = e.conservation().logit();
        assertEquals(c, e.conservation().sum() + e.conservation().bias(), 1e-5 * Math.abs(c));
        assertTrue(e.top().get(0).logit() >= c);
    }

    @Test
    void badInputIsOneClearError() {
        DecoderModel model = DecoderParityTest.model("gpt2_small");
        DecoderExplainer ex = DecoderExplainer.of(model);
        assertTrue(assertThrows(LrpException.class, () -> ex.parseTarget(" transformers explain")).getMessage().contains("not one"));
        assertTrue(assertThrows(LrpException.class, () -> ex.parseTarget("60000")).getMessage().contains("outside the vocabulary"));
        assertTrue(assertThrows(LrpException.class, () -> ex.explain("", List.of(Method.GI), null)).getMessage().contains("empty prompt"));
        int[] tooLong = new int[model.maxLength() + 1];
        assertTrue(assertThrows(LrpException.class, () -> ex.explainIds("", tooLong, List.of(Method.GI), null)).getMessage()
                .contains("exceeds the model's limit of 128"));
        assertTrue(assertThrows(LrpException.class, () -> ex.explainIds("", new int[] {1, 70000}, List.of(Method.GI), null))
                .getMessage().contains("outside the vocabulary"));
        int[] full = new int[model.maxLength()];
        assertTrue(assertThrows(LrpException.class, () -> ex.greedy(full, 2)).getMessage().contains("no room to generate"));
    }

    @Test
    void topIdsAreTheLargestDescending() {
        float[] z = {0.5f, 3f, -1f, 3f, 2f, 7f};
        assertArrayEquals(new int[] {5, 1, 3}, DecoderExplainer.topIds(z, 3));
        assertArrayEquals(new int[] {5, 1, 3, 4, 0, 2}, DecoderExplainer.topIds(z, 10));
    }
}
