package io.lrp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lrp.explain.GoldenFiles;
import io.lrp.io.SafeTensors;
import io.lrp.models.Families;
import io.lrp.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Loading the golden family models through the registry: lrp info names family, sizes, tokenizer
 * and head; sharded checkpoints give the same explanation as the single file; malformed inputs of
 * the new kinds end in one line and exit code 2.
 */
class FamilyLoadingCliTest {
    @TempDir Path tmp;

    /** A copy of a golden family model in its own directory (the CLI caches models by path). */
    private Path copy(String family) throws Exception { return copy(family, family); }

    private Path copy(String family, String name) throws Exception {
        Path src = GoldenFiles.path("families/" + family), dir = Files.createDirectories(tmp.resolve(name));
        try (Stream<Path> files = Files.list(src)) {
            for (Path f : files.toList()) Files.copy(f, dir.resolve(f.getFileName()));
        }
        return dir;
    }

    /**
     * Two runs of the same model on the same text: equal up to float32 rounding (the element-wise
     * kernels switch from their scalar twins to the vector ones at a time that depends on the load).
     */
    private static void assertSameNumbers(JsonNode expected, JsonNode actual) {
        double[] e = GoldenFiles.doubles(expected), a = GoldenFiles.doubles(actual);
        GoldenFiles.assertClose("values", e, a, 1e-6, 1e-5);
    }

    @Test
    void infoNamesFamilySizesTokenizerAndHead() throws Exception {
        CliRunner.Result r = CliRunner.run("info", "--model", GoldenFiles.path("families/distilbert_small").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("family:       distilbert"), r.out());
        assertTrue(r.out().contains("2 layers, dim 64, 4 heads, FFN 128, vocab 30522, max 128 positions"), r.out());
        assertTrue(r.out().contains("tokenizer:    WordPiece, 30522 tokens"), r.out());
        assertTrue(r.out().contains("head:         token 0: pre_classifier, ReLU, classifier"), r.out());
        CliRunner.Result b = CliRunner.run("info", "--model", "src/test/resources/golden/hf_bert_small");
        assertTrue(b.out().contains("family:       bert") && b.out().contains("head:         [CLS] pooler (dense, tanh) + classifier"), b.out());
    }

    @Test
    void robertaAndXlmRobertaLayouts() throws Exception {
        CliRunner.Result r = CliRunner.run("info", "--model", GoldenFiles.path("families/roberta_small").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("family:       roberta"), r.out());
        assertTrue(r.out().contains("2 layers, hidden 32, 4 heads, FFN 128, vocab 50261, max 128 tokens"), r.out());
        assertTrue(r.out().contains("tokenizer:    BPE (byte-level), 50261 tokens"), r.out());
        assertTrue(r.out().contains("head:         token 0: dense, tanh, out_proj"), r.out());
        Path xlm = copy("roberta_small", "xlm");
        Path config = xlm.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"model_type\": \"roberta\"", "\"model_type\": \"xlm-roberta\""));
        CliRunner.Result x = CliRunner.run("explain", "--model", xlm.toString(), "--format", "json", "Never again, thanks.");
        CliRunner.Result y = CliRunner.run("explain", "--model", GoldenFiles.path("families/roberta_small").toString(), "--format", "json",
                "Never again, thanks.");
        assertEquals(0, x.code(), x.err());
        assertSameNumbers(GoldenFiles.JSON.readTree(y.out()).get("relevance"), GoldenFiles.JSON.readTree(x.out()).get("relevance"));
        assertTrue(CliRunner.run("info", "--model", xlm.toString()).out().contains("family:       xlm-roberta"));
    }

    @Test
    void aShardedCheckpointExplainsLikeTheSingleFile() throws Exception {
        Path dir = copy("distilbert_small");
        SafeTensors st = SafeTensors.open(dir.resolve("model.safetensors"));
        Map<String, Tensor> a = new TreeMap<>(), b = new TreeMap<>();
        Map<String, String> weightMap = new LinkedHashMap<>();
        for (String n : st.names()) {
            boolean first = n.contains("embeddings") || n.contains("layer.0");
            (first ? a : b).put(n, st.get(n));
            weightMap.put(n, first ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
        }
        SafeTensors.write(dir.resolve("model-00001-of-00002.safetensors"), a, Map.of("format", "pt"));
        SafeTensors.write(dir.resolve("model-00002-of-00002.safetensors"), b, Map.of("format", "pt"));
        ObjectNode index = GoldenFiles.JSON.createObjectNode();
        index.putObject("metadata").put("total_size", 0);
        ObjectNode map = index.putObject("weight_map");
        weightMap.forEach(map::put);
        Files.writeString(dir.resolve("model.safetensors.index.json"), index.toString(), StandardCharsets.UTF_8);
        CliRunner.Result single = CliRunner.run("explain", "--model", GoldenFiles.path("families/distilbert_small").toString(),
                "--format", "json", "Never again, thanks.");
        Files.delete(dir.resolve("model.safetensors"));
        CliRunner.Result sharded = CliRunner.run("explain", "--model", dir.toString(), "--format", "json", "Never again, thanks.");
        assertEquals(0, sharded.code(), sharded.err());
        JsonNode x = GoldenFiles.JSON.readTree(single.out()), y = GoldenFiles.JSON.readTree(sharded.out());
        assertSameNumbers(x.get("relevance"), y.get("relevance"));
        assertSameNumbers(x.get("logits"), y.get("logits"));

        // the index names a shard that is not there
        Path broken = Files.createDirectories(tmp.resolve("broken"));
        for (String f : new String[] {"config.json", "tokenizer.json", "model.safetensors.index.json", "model-00001-of-00002.safetensors"}) {
            Files.copy(dir.resolve(f), broken.resolve(f));
        }
        BadInputCliTest.assertBadInput(CliRunner.run("explain", "--model", broken.toString(), "a test"),
                "model.safetensors.index.json names shard model-00002-of-00002.safetensors, which is missing");
    }

    @Test
    void unknownModelTypeNamesTheSupportedOnes() throws Exception {
        Path dir = copy("distilbert_small");
        Path config = dir.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"distilbert\"", "\"mamba\""));
        BadInputCliTest.assertBadInput(CliRunner.run("explain", "--model", dir.toString(), "a test"),
                "unsupported architecture 'mamba'", config.toString(), String.join(", ", Families.modelTypes()));
    }

    @Test
    void aPytorchPickleIsRefusedWithTheWayToConvertIt() throws Exception {
        Path dir = copy("distilbert_small");
        Files.delete(dir.resolve("model.safetensors"));
        Files.write(dir.resolve("pytorch_model.bin"), new byte[] {(byte) 0x80, 2, 'c', 'o', 's'});
        BadInputCliTest.assertBadInput(CliRunner.run("info", "--model", dir.toString()),
                "pytorch_model.bin is a PyTorch pickle", "never read here", "save_pretrained", "safe_serialization=True");
    }

    @ParameterizedTest
    @ValueSource(strings = {"distilbert_small", "roberta_small"})
    void missingTokenizerAndWrongShapes(String family) throws Exception {
        Path dir = copy(family);
        Files.delete(dir.resolve("tokenizer.json"));
        Files.deleteIfExists(dir.resolve("vocab.txt"));
        BadInputCliTest.assertBadInput(CliRunner.run("explain", "--model", dir.toString(), "a test"),
                "tokenizer not found", dir.resolve("tokenizer.json").toString());

        Path dir2 = copy(family, family + "_shape");
        Path config = dir2.resolve("config.json");
        ObjectNode c = (ObjectNode) GoldenFiles.JSON.readTree(config.toFile());
        String key = c.has("intermediate_size") ? "intermediate_size" : "hidden_dim";
        c.put(key, c.get(key).asInt() * 2);
        Files.writeString(config, c.toString());
        BadInputCliTest.assertBadInput(CliRunner.run("explain", "--model", dir2.toString(), "a test"),
                "has shape", "but " + config + " implies");
    }
}
