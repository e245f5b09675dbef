package io.lrp.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Hugging Face-format BERT classifier (golden/hf_bert_small) explained through the CLI
 * entry point with --method all --format json reproduces every line of
 * hf_bert_small_explanations.jsonl, at the tolerances of the golden README.
 */
class HfBertCliParityTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static Path modelDir() throws Exception {
        return Paths.get(HfBertCliParityTest.class.getResource("/golden/hf_bert_small").toURI());
    }

    static List<JsonNode> golden() throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                HfBertCliParityTest.class.getResourceAsStream("/golden/hf_bert_small_explanations.jsonl"), StandardCharsets.UTF_8))) {
            for (String l; (l = r.readLine()) != null; ) if (!l.isBlank()) lines.add(JSON.readTree(l));
        }
        return lines;
    }

    @Test
    void everyMethodOfEveryTextMatchesTheGoldenFile() throws Exception {
        List<JsonNode> golden = golden();
        assertEquals(88, golden.size());
        Map<String, List<JsonNode>> byText = new LinkedHashMap<>();
        for (JsonNode g : golden) byText.computeIfAbsent(g.get("text").asText(), k -> new ArrayList<>()).add(g);

        double worst = 0;
        for (var entry : byText.entrySet()) {
            CliRunner.Result res = CliRunner.run("explain", "--model", modelDir().toString(), "--method", "all",
                    "--format", "json", entry.getKey());
            assertEquals(0, res.code(), res.err());
            Map<String, JsonNode> ours = new LinkedHashMap<>();
            for (String line : res.out().split("\n")) {
                if (line.isBlank()) continue;
                JsonNode o = JSON.readTree(line);
                assertEquals(entry.getKey(), o.get("text").asText());
                ours.put(o.get("method").asText(), o);
            }
            for (JsonNode g : entry.getValue()) {
                String method = g.get("method").asText();
                JsonNode o = ours.get(method);
                assertNotNull(o, "no output for method " + method);
                worst = Math.max(worst, compare(method, g, o));
            }
        }
        System.out.printf("hf_bert_small CLI parity: worst error %.3g of the tolerance%n", worst);
    }

    /** Asserts one line; returns the largest error as a fraction of its tolerance. */
    static double compare(String method, JsonNode g, JsonNode o) {
        String where = g.get("text").asText() + " / " + method;
        assertArrayEquals(ints(g.get("ids")), ints(o.get("ids")), where + " ids");
        assertEquals(g.get("target").asInt(), o.get("target").asInt(), where + " target");
        assertEquals(g.get("label").asText(), o.get("label").asText(), where + " label");
        double worst = 0;
        double[] gl = doubles(g.get("logits")), ol = doubles(o.get("logits"));
        for (int i = 0; i < gl.length; i++) {
            double err = Math.abs(gl[i] - ol[i]);
            assertTrue(err <= 1e-4, where + " logit " + i + " error " + err);
            worst = Math.max(worst, err / 1e-4);
        }
        double[] gr = doubles(g.get("relevance")), or = doubles(o.get("relevance"));
        assertEquals(gr.length, or.length, where + " relevance length");
        if (method.equals("random")) return worst; // the golden vector is numpy's; only the length is comparable
        double maxAbs = 0, sumAbs = 0;
        for (double v : gr) { maxAbs = Math.max(maxAbs, Math.abs(v)); sumAbs += Math.abs(v); }
        double factor = method.equals("ig") ? 5 : 1;
        double tol = factor * Math.max(1e-4, 1e-4 * maxAbs);
        for (int i = 0; i < gr.length; i++) {
            double err = Math.abs(gr[i] - or[i]);
            assertTrue(err <= tol, String.format("%s R[%d]: golden %.10g, ours %.10g, error %.3g > %.3g", where, i, gr[i], or[i], err, tol));
            worst = Math.max(worst, err / tol);
        }
        JsonNode gc = g.get("conservation"), oc = o.get("conservation");
        double sumTol = Math.max(tol, factor * 1e-4 * sumAbs);
        assertEquals(gc.get("sum").asDouble(), oc.get("sum").asDouble(), sumTol, where + " conservation.sum");
        assertEquals(gc.get("logit").asDouble(), oc.get("logit").asDouble(), 1e-4, where + " conservation.logit");
        if (gc.get("bias").isNull()) {
            assertTrue(oc.get("bias").isNull(), where + ": bias must be null for " + method);
        } else {
            assertEquals(gc.get("bias").asDouble(), oc.get("bias").asDouble(), sumTol, where + " conservation.bias");
            // the LRP (AH+LN) identity: sum R + bias relevance = logit
            double gap = oc.get("sum").asDouble() + oc.get("bias").asDouble() - oc.get("logit").asDouble();
            assertEquals(0, gap, 1e-5 * Math.max(1, Math.abs(oc.get("logit").asDouble())), where + " conservation identity");
        }
        return worst;
    }

    static int[] ints(JsonNode a) { return io.lrp.explain.GoldenFiles.ints(a); }

    static double[] doubles(JsonNode a) { return io.lrp.explain.GoldenFiles.doubles(a); }
}
