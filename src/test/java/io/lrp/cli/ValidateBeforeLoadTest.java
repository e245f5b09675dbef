package io.lrp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrp.explain.GoldenFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Wrong arguments are reported before the model is loaded: the model here is a directory whose
 * config.json and tokenizer.json are fine but whose weights are garbage, so any load fails; the
 * errors must name the argument instead (exit 2, one line).
 */
class ValidateBeforeLoadTest {

    private static Path brokenModel(Path dir) throws Exception {
        Path src = GoldenFiles.path("hf_bert_small"), m = Files.createDirectories(dir.resolve("model"));
        Files.copy(src.resolve("config.json"), m.resolve("config.json"));
        Files.copy(src.resolve("tokenizer.json"), m.resolve("tokenizer.json"));
        Files.writeString(m.resolve("model.safetensors"), "not a safetensors file");
        return m;
    }

    private static void assertError(CliRunner.Result r, String expected) {
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("lrp: error: " + expected), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }

    @Test
    void explainChecksTargetFileAndOutBeforeLoading(@TempDir Path dir) throws Exception {
        String model = brokenModel(dir).toString();
        assertError(CliRunner.run("explain", "--model", model, "--target", "neutral", "a film"),
                "unknown target label 'neutral': model model has labels negative, positive");
        assertError(CliRunner.run("explain", "--model", model, "--target", "2", "a film"), "target 2 out of range");
        assertError(CliRunner.run("explain", "--model", model, "--file", dir.resolve("missing.txt").toString()),
                "text file not found: " + dir.resolve("missing.txt"));
        assertError(CliRunner.run("explain", "--model", model, "--out", dir.resolve("no/such/dir/x.json").toString(), "a film"),
                "cannot write " + dir.resolve("no/such/dir/x.json"));
        assertError(CliRunner.run("explain", "--model", model, "--out", dir.toString(), "a film"), "cannot write " + dir + ": it is a directory");
        // and the model's own problem is still reported when the arguments are fine
        CliRunner.Result r = CliRunner.run("explain", "--model", model, "a film");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("model.safetensors"), r.err());
    }

    @Test
    void evaluateAndSimilarCheckOutBeforeLoading(@TempDir Path dir) throws Exception {
        String model = brokenModel(dir).toString();
        Path data = TrainCliTest.tinySet(dir, "d.txt"), file = Files.writeString(dir.resolve("file"), "x");
        assertError(CliRunner.run("evaluate", "--model", model, "--data", data.toString(), "--out", file.resolve("sub").toString()),
                "cannot create " + file.resolve("sub"));
        assertError(CliRunner.run("similar", "--model", model, "--out", dir.resolve("nope/x.html").toString(), "a", "b"),
                "cannot write " + dir.resolve("nope/x.html"));
    }

    @Test
    void builtInLabelsAreReadFromTheHeaderOnly() {
        assertEquals(List.of("negative", "positive"), ModelLabels.peek("minilm-sst2"));
        assertEquals(List.of("negative", "positive"), ModelLabels.peek("paper-sst2"));
    }
}
