package io.lrp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrp.io.SafeTensors;
import io.lrp.models.ModelLoader;
import io.lrp.models.paper.PaperModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train through the CLI on a tiny separable set: it learns, and the checkpoint loads as a model. */
class TrainCliTest {

    static Path tinySet(Path dir, String name) throws Exception {
        List<String> lines = new ArrayList<>();
        String[] pos = {"a wonderful film", "great acting and a great story", "i loved it", "a delight", "wonderful and moving",
                "superb , great fun", "a great delight", "loved every minute"};
        String[] neg = {"a terrible film", "awful acting and a dull story", "i hated it", "a bore", "dull and lifeless",
                "awful , no fun", "a terrible bore", "hated every minute"};
        for (int i = 0; i < pos.length; i++) {
            lines.add("1 " + pos[i]);
            lines.add("0 " + neg[i]);
        }
        Path f = dir.resolve(name);
        Files.write(f, lines);
        return f;
    }

    @Test
    void paperModelTrainsAndItsCheckpointLoads(@TempDir Path dir) throws Exception {
        Path data = tinySet(dir, "train.txt");
        CliRunner.Result r = CliRunner.run("train", "--arch", "paper", "--data", data.toString(), "--dev", data.toString(),
                "--test", data.toString(), "--out", dir.resolve("out").toString(), "--epochs", "12", "--lr", "1e-3", "--batch", "4");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("best dev accuracy"), r.out());
        double acc = Double.parseDouble(r.out().replaceAll("(?s).*test accuracy ([0-9.]+).*", "$1"));
        assertTrue(acc >= 0.9, "a separable set is learnt: " + r.out());
        Path ckpt = dir.resolve("out/model.safetensors");
        SafeTensors st = SafeTensors.open(ckpt);
        assertEquals("minilm", st.metadata().get("embeddings"));
        assertTrue(st.names().stream().noneMatch(n -> n.startsWith("embeddings.")), "frozen embeddings are not shipped");
        PaperModel m = ModelLoader.paperModel(ckpt, null, "tiny");
        assertEquals(List.of("negative", "positive"), m.labels());
        assertEquals(100, m.unkId());
    }

    @Test
    void badArchitectureIsAnError(@TempDir Path dir) throws Exception {
        Path data = tinySet(dir, "t.txt");
        CliRunner.Result r = CliRunner.run("train", "--arch", "gpt", "--data", data.toString(), "--dev", data.toString(),
                "--out", dir.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown --arch 'gpt'"), r.err());
    }

    /**
     * The tiny set as JSON Lines with its own field names and the labels as names: the examples read
     * are the stsa file's (the checkpoint's hash of texts and labels is the same), and a label that
     * --labels does not list stops the run before training, with its file and line.
     */
    @Test
    void jsonLinesWithNamedFieldsAndStringLabels(@TempDir Path dir) throws Exception {
        Path stsa = tinySet(dir, "train.txt");
        List<String> json = new ArrayList<>();
        for (String l : Files.readAllLines(stsa)) {
            json.add("{\"sentiment\": \"" + (l.startsWith("1 ") ? "pos" : "neg") + "\", \"review\": \"" + l.substring(2) + "\"}");
        }
        Path jsonl = Files.write(dir.resolve("train.jsonl"), json);
        String[] common = {"--arch", "paper", "--epochs", "1", "--batch", "8", "--labels", "neg,pos"};
        CliRunner.Result a = CliRunner.run(concat(new String[] {"train", "--data", stsa.toString(), "--dev", stsa.toString(),
                "--out", dir.resolve("a").toString()}, common));
        assertEquals(0, a.code(), a.err());
        CliRunner.Result b = CliRunner.run(concat(new String[] {"train", "--data", jsonl.toString(), "--dev", jsonl.toString(),
                "--text-field", "review", "--label-field", "sentiment", "--out", dir.resolve("b").toString()}, common));
        assertEquals(0, b.code(), b.err());
        String hashA = SafeTensors.open(dir.resolve("a/model.safetensors")).metadata().get("data_sha256");
        assertEquals(hashA, SafeTensors.open(dir.resolve("b/model.safetensors")).metadata().get("data_sha256"));
        assertEquals(TrainCommand.contentHash(
                io.lrp.data.Datasets.read(stsa, null), io.lrp.data.Datasets.read(stsa, null)), hashA);

        json.set(5, "{\"sentiment\": \"mixed\", \"review\": \"so so\"}");
        Path bad = Files.write(dir.resolve("bad.jsonl"), json);
        CliRunner.Result c = CliRunner.run(concat(new String[] {"train", "--data", jsonl.toString(), "--dev", jsonl.toString(),
                "--test", bad.toString(), "--text-field", "review", "--label-field", "sentiment", "--out", dir.resolve("c").toString()}, common));
        assertEquals(2, c.code(), c.err());
        assertEquals("lrp: error: " + bad + ":6: unknown label 'mixed': --labels has the labels neg, pos (or give their indices 0..1)",
                c.err().strip());
        assertTrue(!Files.exists(dir.resolve("c/model.safetensors")), "nothing trained");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
