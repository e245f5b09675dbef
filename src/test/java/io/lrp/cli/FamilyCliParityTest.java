package io.lrp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lrp.explain.GoldenFiles;
import io.lrp.explain.Method;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each golden family model (golden/families/NAME, copied from the shared golden set) explained
 * through the CLI with --method all --format json reproduces every line of
 * NAME_explanations.jsonl (8 texts x 11 methods) at the tolerances of hf_bert_small; for the
 * decoders (gpt2_small, llama_small) also the top next tokens and their logits.
 */
class FamilyCliParityTest {

    @ParameterizedTest
    @ValueSource(strings = {"distilbert_small", "roberta_small", "gpt2_small", "llama_small"})
    void everyMethodOfEveryTextMatchesTheGoldenFile(String family) throws Exception {
        List<JsonNode> golden = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                getClass().getResourceAsStream("/golden/families/" + family + "_explanations.jsonl"), StandardCharsets.UTF_8))) {
            for (String l; (l = r.readLine()) != null; ) if (!l.isBlank()) golden.add(GoldenFiles.JSON.readTree(l));
        }
        assertEquals(88, golden.size());
        Map<String, List<JsonNode>> byText = new LinkedHashMap<>();
        for (JsonNode g : golden) byText.computeIfAbsent(g.get("text").asText(), k -> new ArrayList<>()).add(g);
        String dir = GoldenFiles.path("families/" + family).toString();
        double worst = 0;
        int lines = 0;
        for (var entry : byText.entrySet()) {
            CliRunner.Result res = CliRunner.run("explain", "--model", dir, "--method", "all", "--format", "json", entry.getKey());
            assertEquals(0, res.code(), res.err());
            Map<String, JsonNode> ours = new LinkedHashMap<>();
            for (String line : res.out().split("\n")) {
                if (line.isBlank()) continue;
                JsonNode o = GoldenFiles.JSON.readTree(line);
                assertEquals(family, o.get("model").asText());
                ours.put(o.get("method").asText(), o);
            }
            assertEquals(Method.ids(), new ArrayList<>(ours.keySet()), "--method all: every registered method, in order");
            for (JsonNode g : entry.getValue()) {
                JsonNode o = ours.get(g.get("method").asText());
                assertNotNull(o, "no output for method " + g.get("method").asText());
                worst = Math.max(worst, HfBertCliParityTest.compare(g.get("method").asText(), g, o));
                if (g.get("logits").isNull()) compareTop(g, o);
                lines++;
            }
        }
        assertEquals(88, lines);
        assertTrue(worst <= 1);
        System.out.printf("%s CLI parity: worst error %.3g of the tolerance%n", family, worst);
    }

    /** Decoders print no logits but the top five next tokens: ids and vocabulary entries equal, logits within 1e-4. */
    private static void compareTop(JsonNode g, JsonNode o) {
        String where = g.get("text").asText() + " / " + g.get("method").asText();
        assertTrue(o.get("logits").isNull(), where + ": no full-vocabulary logits");
        assertEquals(g.get("tokens"), o.get("tokens"), where + " tokens");
        assertEquals(g.get("top").size(), o.get("top").size(), where + " top");
        for (int i = 0; i < g.get("top").size(); i++) {
            JsonNode a = g.get("top").get(i), b = o.get("top").get(i);
            assertEquals(a.get(0).asInt(), b.get(0).asInt(), where + " top " + i + " id");
            assertEquals(a.get(1).asText(), b.get(1).asText(), where + " top " + i + " token");
            assertEquals(a.get(2).asDouble(), b.get(2).asDouble(), 1e-4, where + " top " + i + " logit");
        }
    }
}
