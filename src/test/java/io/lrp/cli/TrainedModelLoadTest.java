package io.lrp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's recipe for minilm-sst2 (GLUE TSV train set, stsa dev and test sets, one fine-tuned
 * layer), run end to end at a tiny size: the directory `lrp train` writes loads with --model DIR
 * and --model DIR/model.safetensors, and its LRP (AH+LN) explanations conserve the logit.
 */
class TrainedModelLoadTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void minilmHeadModelFromTheReadmeRecipeLoads(@TempDir Path dir) throws Exception {
        Path stsa = TrainCliTest.tinySet(dir, "stsa.txt");
        List<String> glue = new ArrayList<>(List.of("text\tlabel"));
        for (String l : Files.readAllLines(stsa)) glue.add(l.substring(2) + " \t" + l.charAt(0));
        Path train = Files.write(dir.resolve("glue_train.tsv"), glue);
        Path out = dir.resolve("minilm-sst2");
        CliRunner.Result r = CliRunner.run("train", "--arch", "minilm-head", "--data", train.toString(), "--dev", stsa.toString(),
                "--test", stsa.toString(), "--out", out.toString(), "--epochs", "1", "--lr", "1e-4", "--seed", "1",
                "--finetune-layers", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("test accuracy"), r.out());
        for (String spec : List.of(out.toString(), out.resolve("model.safetensors").toString())) {
            CliRunner.Result e = CliRunner.run("explain", "--model", spec, "--format", "json", "a wonderful film");
            assertEquals(0, e.code(), e.err());
            JsonNode j = JSON.readTree(e.out().lines().findFirst().orElseThrow());
            assertEquals(List.of("negative", "positive").get(j.get("target").asInt()), j.get("label").asText());
            JsonNode c = j.get("conservation");
            double sum = c.get("sum").asDouble(), bias = c.get("bias").asDouble(), logit = c.get("logit").asDouble();
            assertEquals(logit, sum + bias, 1e-5 * Math.max(1, Math.abs(logit)), e.out());
            CliRunner.Result info = CliRunner.run("info", "--model", spec);
            assertEquals(0, info.code(), info.err());
        }
    }

    @Test
    void paperModelDirectoryLoads(@TempDir Path dir) throws Exception {
        Path data = TrainCliTest.tinySet(dir, "train.txt");
        Path out = dir.resolve("paper");
        CliRunner.Result r = CliRunner.run("train", "--arch", "paper", "--data", data.toString(), "--dev", data.toString(),
                "--out", out.toString(), "--epochs", "1", "--batch", "8");
        assertEquals(0, r.code(), r.err());
        CliRunner.Result e = CliRunner.run("explain", "--model", out.toString(), "--format", "json", "a wonderful film");
        assertEquals(0, e.code(), e.err());
    }

    @Test
    void aSafetensorsFileOfNoKnownKindIsRefusedByName(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x.safetensors");
        io.lrp.io.SafeTensors.write(f, java.util.Map.of("w", io.lrp.tensor.Tensor.zeros(2)), java.util.Map.of());
        CliRunner.Result e = CliRunner.run("explain", "--model", f.toString(), "a film");
        assertEquals(2, e.code(), e.err());
        assertTrue(e.err().contains("minilm-head"), e.err());
    }
}
