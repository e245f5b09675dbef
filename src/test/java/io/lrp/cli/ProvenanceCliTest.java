package io.lrp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lrp.explain.GoldenFiles;
import io.lrp.tensor.Gemm;
import io.lrp.tensor.Simd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every explanation's JSON and every evaluation's run.json say what produced them. */
class ProvenanceCliTest {
    @TempDir Path tmp;

    private static Map<String, JsonNode> explain(String model, String methods) throws Exception {
        CliRunner.Result r = CliRunner.run("explain", "--model", model, "--method", methods, "--gamma", "0.25", "--format", "json",
                "Never again, thanks.");
        assertEquals(0, r.code(), r.err());
        Map<String, JsonNode> byMethod = new HashMap<>();
        for (String l : r.out().split("\n")) {
            JsonNode o = GoldenFiles.JSON.readTree(l);
            byMethod.put(o.get("method").asText(), o.get("provenance"));
        }
        return byMethod;
    }

    @Test
    void explanationsCarryLibraryModelMethodRuleSetKernelsAndJava() throws Exception {
        String dir = GoldenFiles.path("families/distilbert_small").toString();
        Map<String, JsonNode> p = explain(dir, "lrp-ah-ln,gi,occlusion");
        JsonNode lrp = p.get("lrp-ah-ln");
        assertTrue(lrp.get("library").asText().startsWith("lrp-transformers "), lrp.toString());
        assertEquals("distilbert_small", lrp.at("/model/name").asText());
        assertEquals("distilbert", lrp.at("/model/family").asText());
        assertEquals(Path.of(dir, "model.safetensors").toString(), lrp.at("/model/weights").asText());
        assertTrue(lrp.at("/model/fingerprint").asText().matches("sha256:[0-9a-f]{64}"), lrp.toString());
        assertEquals("lrp-ah-ln", lrp.get("method").asText());
        // the gamma rule is part of the LRP rule set, not of gi's
        assertEquals("lrp-ah-ln+gamma0.25", lrp.at("/rule_set/name").asText());
        assertEquals("Stop[]", lrp.at("/rule_set/rules/attention_probs").asText());
        assertEquals("Stop[]", lrp.at("/rule_set/rules/norm_scale").asText());
        assertEquals("Identity[]", lrp.at("/rule_set/rules/activation").asText());
        assertEquals("Gamma[gamma=0.25]", lrp.at("/rule_set/rules/encoder_linear").asText());
        assertEquals("gradient", p.get("gi").at("/rule_set/name").asText());
        assertTrue(p.get("occlusion").get("rule_set").isNull(), "occlusion is a procedure, not a rule set");
        assertEquals(Gemm.get().name(), lrp.at("/kernels/gemm").asText());
        assertEquals(Simd.kind(), lrp.at("/kernels/elementwise").asText());
        assertEquals(System.getProperty("java.vendor") + " " + System.getProperty("java.runtime.version"), lrp.get("java").asText());
    }

    @Test
    void theFingerprintFollowsTheWeightValuesNotThePath() throws Exception {
        Path src = GoldenFiles.path("families/distilbert_small");
        Path copy = Files.createDirectories(tmp.resolve("copy")), changed = Files.createDirectories(tmp.resolve("changed"));
        try (Stream<Path> files = Files.list(src)) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
                Files.copy(f, changed.resolve(f.getFileName()));
            }
        }
        // one float of the classifier bias changed
        Path st = changed.resolve("model.safetensors");
        io.lrp.io.SafeTensors s = io.lrp.io.SafeTensors.open(GoldenFiles.path("families/distilbert_small/model.safetensors"));
        Map<String, io.lrp.tensor.Tensor> all = new java.util.TreeMap<>(s.getAll());
        all.get("classifier.bias").data[0] += 0.5f;
        io.lrp.io.SafeTensors.write(st, all, s.metadata());
        String a = explain(src.toString(), "gi").get("gi").at("/model/fingerprint").asText();
        assertEquals(a, explain(copy.toString(), "gi").get("gi").at("/model/fingerprint").asText());
        assertNotEquals(a, explain(changed.toString(), "gi").get("gi").at("/model/fingerprint").asText());
    }

    @Test
    void runJsonOfAnEvaluationCarriesProvenance() throws Exception {
        Path data = tmp.resolve("data.txt");
        Files.writeString(data, "1 a charming and funny film .\n0 dull , flat and far too long .\n");
        Path out = tmp.resolve("out");
        CliRunner.Result r = CliRunner.run("evaluate", "--model", "src/test/resources/golden/hf_bert_small", "--data", data.toString(),
                "--methods", "lrp-ah-ln,random", "--out", out.toString(), "--no-plots");
        assertEquals(0, r.code(), r.err());
        JsonNode p = GoldenFiles.JSON.readTree(out.resolve("run.json").toFile()).get("provenance");
        assertTrue(p.get("library").asText().startsWith("lrp-transformers "), p.toString());
        assertEquals("bert", p.at("/model/family").asText());
        assertEquals("lrp-ah-ln", p.at("/rule_sets/lrp-ah-ln").asText());
        assertTrue(p.at("/rule_sets/random").isNull());
        assertEquals(Gemm.get().name(), p.at("/kernels/gemm").asText());
        assertTrue(p.has("java"));
    }
}
