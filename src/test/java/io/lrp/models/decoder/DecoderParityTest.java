package io.lrp.models.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lrp.explain.GoldenFiles;
import io.lrp.explain.Method;
import io.lrp.models.gpt2.Gpt2Model;
import io.lrp.models.llama.LlamaModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Parity of the decoder families with the golden vectors of gpt2_small and llama_small
 * (golden README, "families/"): for every text and method, the ids, the explained token, the
 * top-5 next tokens and logits (1e-4), the relevance (max(1e-4, 1e-4 max|R|) per token, 5x for
 * ig; random by length), conservation.sum (widened to 1e-4 sum|R|), and for lrp-ah-ln the bias
 * relevance and sum + bias = logit within 1e-5 relative.
 */
class DecoderParityTest {

    private static final Map<String, DecoderModel> MODELS = new LinkedHashMap<>();

    static synchronized DecoderModel model(String name) {
        return MODELS.computeIfAbsent(name, n -> {
            Path dir = GoldenFiles.path("families/" + n);
            return n.startsWith("gpt2") ? Gpt2Model.load(dir) : LlamaModel.load(dir);
        });
    }

    /** Golden lines grouped by text, in file order. */
    static Map<String, List<JsonNode>> lines(String name) {
        Map<String, List<JsonNode>> byText = new LinkedHashMap<>();
        try {
            for (String l : Files.readAllLines(GoldenFiles.path("families/" + name + "_explanations.jsonl"))) {
                if (l.isBlank()) continue;
                JsonNode n = GoldenFiles.JSON.readTree(l);
                byText.computeIfAbsent(n.get("text").asText(), k -> new ArrayList<>()).add(n);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return byText;
    }

    static Stream<Arguments> cases() {
        List<Arguments> a = new ArrayList<>();
        for (String m : List.of("gpt2_small", "llama_small")) {
            int i = 0;
            for (var e : lines(m).entrySet()) a.add(Arguments.of(m, i++, e.getKey(), e.getValue()));
        }
        return a.stream();
    }

    @ParameterizedTest(name = "{0} text {1}")
    @MethodSource("cases")
    void everyMethodMatchesTheGoldenVectors(String name, int index, String text, List<JsonNode> golden) {
        DecoderModel model = model(name);
        DecoderExplainer ex = DecoderExplainer.of(model);
        int[] ids = ex.encode(text);
        assertArrayEquals(GoldenFiles.ints(golden.get(0).get("ids")), ids, "ids of " + text);
        List<Method> methods = new ArrayList<>();
        for (JsonNode g : golden) methods.add(Method.parse(g.get("method").asText()));
        assertEquals(11, methods.size());
        List<NextTokenExplanation> got = ex.explain(text, methods, null);
        for (int i = 0; i < golden.size(); i++) compare(golden.get(i), got.get(i), model);
    }

    static void compare(JsonNode g, NextTokenExplanation e, DecoderModel model) {
        String what = g.get("model").asText() + " / " + g.get("method").asText() + " / " + g.get("text").asText();
        assertEquals(g.get("method").asText(), e.method());
        assertEquals(g.get("target").asInt(), e.target(), what + ": target");
        assertEquals(g.get("label").asText(), e.label(), what + ": label");
        assertArrayEquals(GoldenFiles.ints(g.get("ids")), e.ids(), what);
        for (int i = 0; i < e.tokens().length; i++) assertEquals(g.get("tokens").get(i).asText(), e.tokens()[i], what + ": token " + i);
        JsonNode top = g.get("top");
        assertEquals(top.size(), e.top().size());
        for (int i = 0; i < top.size(); i++) {
            assertEquals(top.get(i).get(0).asInt(), e.top().get(i).id(), what + ": top " + i);
            assertEquals(top.get(i).get(1).asText(), e.top().get(i).token(), what + ": top token " + i);
            assertEquals(top.get(i).get(2).asDouble(), e.top().get(i).logit(), 1e-4, what + ": top logit " + i);
        }
        double logit = g.get("conservation").get("logit").asDouble();
        assertEquals(logit, e.conservation().logit(), 1e-4, what + ": explained logit");
        double[] r = GoldenFiles.doubles(g.get("relevance"));
        assertEquals(r.length, e.relevance().length, what + ": length");
        if (g.get("method").asText().equals("random")) return;
        double max = 0, abs = 0;
        for (double v : r) {
            max = Math.max(max, Math.abs(v));
            abs += Math.abs(v);
        }
        double tol = Math.max(1e-4, 1e-4 * max) * (g.get("method").asText().equals("ig") ? 5 : 1);
        for (int t = 0; t < r.length; t++) {
            assertEquals(r[t], e.relevance()[t], tol, what + ": token " + t);
            WORST.merge(g.get("model").asText(), Math.abs(r[t] - e.relevance()[t]) / tol, Math::max);
        }
        assertEquals(g.get("conservation").get("sum").asDouble(), e.conservation().sum(), Math.max(tol, 1e-4 * abs), what + ": sum");
        if (g.get("method").asText().equals("lrp-ah-ln")) {
            assertNotNull(e.conservation().bias());
            double bias = e.conservation().bias();
            assertEquals(g.get("conservation").get("bias").asDouble(), bias, Math.max(tol, 1e-4 * abs), what + ": bias");
            double c = e.conservation().logit();
            assertEquals(c, e.conservation().sum() + bias, 1e-5 * Math.abs(c), what + ": sum R + bias = logit");
        } else {
            assertNull(e.conservation().bias());
        }
    }

    private static final Map<String, Double> WORST = new java.util.concurrent.ConcurrentHashMap<>();

    @org.junit.jupiter.api.AfterAll
    static void report() {
        WORST.forEach((m, w) -> System.out.printf("%s parity: worst relevance error %.4f of the tolerance%n", m, w));
    }

    @Test
    void llamaHasNoBiasRelevance() {
        List<NextTokenExplanation> e = DecoderExplainer.of(model("llama_small")).explain("Hello, World!", List.of(Method.LRP_AH_LN), null);
        assertEquals(0.0, e.get(0).conservation().bias(), 0.0);
        double c = e.get(0).conservation().logit();
        assertEquals(c, e.get(0).conservation().sum(), 1e-5 * Math.abs(c));
    }

    @ParameterizedTest
    @MethodSource("tokenizations")
    void tokenizationEqualsTheGoldenIds(String name, String text, int[] ids) {
        assertArrayEquals(ids, model(name).decoderTokenizer().encode(text), name + ": " + text);
    }

    static Stream<Arguments> tokenizations() {
        List<Arguments> a = new ArrayList<>();
        for (String m : List.of("gpt2_small", "llama_small")) {
            JsonNode t = GoldenFiles.json("families/" + m + "_tokenization.json");
            for (JsonNode c : t.get("cases")) a.add(Arguments.of(m, c.get("text").asText(), GoldenFiles.ints(c.get("input_ids"))));
        }
        assertTrue(a.size() >= 32);
        return a.stream();
    }
}
