package io.lrp.models.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lrp.explain.GoldenFiles;
import io.lrp.explain.Method;
import io.lrp.explain.Relevance;
import io.lrp.models.Batch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Greedy generation with the KV cache: the first generated token is the golden next token of
 * each text; every step's token is the argmax of a full (uncached) forward pass over everything
 * before it, whose logits the cached step reproduces; and every step's lrp-ah-ln explanation
 * conserves (sum R + bias = that step's logit within 1e-5 relative).
 */
class GenerationTest {

    static Stream<Arguments> texts() {
        List<Arguments> a = new ArrayList<>();
        for (String m : List.of("gpt2_small", "llama_small")) {
            for (Map.Entry<String, List<JsonNode>> e : DecoderParityTest.lines(m).entrySet()) {
                a.add(Arguments.of(m, e.getKey(), e.getValue().get(0).get("target").asInt()));
            }
        }
        return a.stream();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("texts")
    void greedyStepsMatchTheReferenceAndConserve(String name, String text, int goldenNext) {
        DecoderModel model = DecoderParityTest.model(name);
        DecoderExplainer ex = DecoderExplainer.of(model);
        DecoderExplainer.Generation g = ex.generate(text, 4, List.of(Method.LRP_AH_LN));
        assertEquals(goldenNext, g.generated()[0], "first generated token = the reference's next token");
        assertEquals(g.generated().length, g.steps().size());
        for (DecoderExplainer.Step s : g.steps()) {
            int[] expectedContext = new int[g.promptIds().length + s.index()];
            System.arraycopy(g.promptIds(), 0, expectedContext, 0, g.promptIds().length);
            System.arraycopy(g.generated(), 0, expectedContext, g.promptIds().length, s.index());
            assertArrayEquals(expectedContext, s.context());
            NextTokenExplanation e = s.explanations().get(0);
            assertEquals(s.token(), e.top().get(0).id(), "step " + s.index() + ": the cached greedy token is the full pass's argmax");
            assertEquals(s.token(), e.target());
            double c = e.conservation().logit();
            assertEquals(c, e.conservation().sum() + e.conservation().bias(), 1e-5 * Math.abs(c), "step " + s.index() + " conservation");
        }
    }

    @Test
    void cachedStepsGiveTheLogitsOfFullPasses() {
        for (String name : List.of("gpt2_small", "llama_small")) {
            DecoderModel model = DecoderParityTest.model(name);
            int[] ids = model.decoderTokenizer().encode("Dr. Smith says transformers explain themselves poorly");
            KvCache cache = model.newCache(ids.length);
            // prompt in two chunks, then one token at a time
            float[] z = model.step(cache, Arrays.copyOf(ids, 3));
            assertClose(Relevance.logits(model, Batch.single(Arrays.copyOf(ids, 3)))[0], z, name + " at 3");
            z = model.step(cache, Arrays.copyOfRange(ids, 3, 6));
            assertClose(Relevance.logits(model, Batch.single(Arrays.copyOf(ids, 6)))[0], z, name + " at 6");
            for (int t = 6; t < ids.length; t++) {
                z = model.step(cache, new int[] {ids[t]});
                assertClose(Relevance.logits(model, Batch.single(Arrays.copyOf(ids, t + 1)))[0], z, name + " at " + (t + 1));
            }
            assertEquals(ids.length, cache.length());
        }
    }

    @Test
    void rightPaddedBatchExplainsEachSequenceAtItsLastToken() {
        for (String name : List.of("gpt2_small", "llama_small")) {
            DecoderModel model = DecoderParityTest.model(name);
            int[] a = model.decoderTokenizer().encode("Never again, thanks.");
            int[] b = model.decoderTokenizer().encode("Is it worth $25? Honestly, maybe not.");
            Batch both = Batch.of(List.of(a, b), model.padId());
            for (Method m : List.of(Method.LRP_AH_LN, Method.GI, Method.ROLLOUT)) {
                Relevance.Result r = Relevance.compute(model, both, m, null, Relevance.Options.DEFAULT);
                for (int i = 0; i < 2; i++) {
                    Relevance.Result one = Relevance.compute(model, Batch.single(i == 0 ? a : b), m, null, Relevance.Options.DEFAULT);
                    assertEquals(one.targets()[0], r.targets()[i]);
                    assertClose(one.logits()[0], r.logits()[i], name + " " + m.id() + " logits of sample " + i);
                    double[] x = one.relevance()[0], y = r.relevance()[i];
                    assertEquals(x.length, y.length);
                    double max = Arrays.stream(x).map(Math::abs).max().orElse(0);
                    for (int t = 0; t < x.length; t++) assertEquals(x[t], y[t], 1e-4 * Math.max(1, max), name + " " + m.id() + " token " + t);
                }
            }
        }
    }

    @Test
    void generationStopsAfterAStopToken() {
        DecoderModel model = DecoderParityTest.model("gpt2_small");
        int[] ids = model.decoderTokenizer().encode("Never again, thanks.");
        int[] free = DecoderExplainer.of(model).greedy(ids, 3);
        assertEquals(3, free.length);
        assertTrue(Arrays.stream(free).noneMatch(t -> t == 50256), "no EOS generated here: " + Arrays.toString(free));
        DecoderExplainer.Generation g = DecoderExplainer.of(model).stopTokens(free[1]).generateIds("", ids, 3, List.of(Method.GI));
        assertArrayEquals(Arrays.copyOf(free, 2), g.generated(), "stops after the stop token, which is kept");
        assertTrue(g.stoppedAtEos());
        assertEquals(2, g.steps().size());
    }

    static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], actual[i], 2e-5 * Math.max(1, Math.abs(expected[i])), what + " logit " + i);
    }
}
