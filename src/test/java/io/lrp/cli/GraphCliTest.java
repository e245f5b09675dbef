package io.lrp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrp.explain.Explanation;
import io.lrp.models.ModelLoader;
import io.lrp.models.graph.GraphModel;
import io.lrp.viz.JsonLines;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** lrp train --arch graph on BACE (a short run), then explain --smiles with the checkpoint, and the bad inputs. */
class GraphCliTest {

    static Path bace() { return io.lrp.SharedFiles.require("data/bace/bace.csv"); }

    @Test
    void trainsWritesTheSplitAndExplainsMolecules(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("g");
        CliRunner.Result r = CliRunner.run("train", "--arch", "graph", "--data", bace().toString(), "--out", out.toString(),
                "--epochs", "1", "--limit", "48", "--batch", "16", "--seed", "3");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("scaffold split (seed 3): 48 train, "), r.out());
        double auc = Double.parseDouble(r.out().replaceAll("(?s).*test ROC-AUC ([0-9.]+).*", "$1"));
        assertTrue(auc >= 0 && auc <= 1, r.out());
        // the same command again resumes after the finished epoch (nothing left to train): the same model and numbers
        // the training log goes to System.err (progress bars), so it is captured there
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        CliRunner.Result again;
        System.setErr(new java.io.PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            again = CliRunner.run("train", "--arch", "graph", "--data", bace().toString(), "--out", out.toString(),
                    "--epochs", "1", "--limit", "48", "--batch", "16", "--seed", "3");
        } finally {
            System.setErr(saved);
        }
        assertEquals(0, again.code(), again.err());
        assertTrue(Files.isRegularFile(out.resolve("last.safetensors")), "the resume state is written");
        String logged = log.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(logged.contains("resuming after epoch 1 (best dev roc-auc so far "), "the selection metric is named: " + logged);
        assertEquals(r.out().replaceAll("(?s).*(test ROC-AUC [0-9.]+).*", "$1"), again.out().replaceAll("(?s).*(test ROC-AUC [0-9.]+).*", "$1"));
        List<String> split = Files.readAllLines(out.resolve("split.tsv"));
        assertEquals(1514, split.size(), "a header and every BACE row");
        // another initialisation on the same split
        Path other = dir.resolve("g2");
        CliRunner.Result o = CliRunner.run("train", "--arch", "graph", "--data", bace().toString(), "--out", other.toString(),
                "--epochs", "1", "--limit", "48", "--batch", "16", "--seed", "4", "--split-seed", "3");
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("scaffold split (seed 3): 48 train, "), o.out());
        assertEquals(split, Files.readAllLines(other.resolve("split.tsv")), "--split-seed 3 draws the split of --seed 3");
        assertTrue(!java.util.Arrays.equals(Files.readAllBytes(out.resolve("model.safetensors")), Files.readAllBytes(other.resolve("model.safetensors"))),
                "--seed 4 starts from other weights");
        Path model = out.resolve("model.safetensors");
        assertInstanceOf(GraphModel.class, ModelLoader.load(model.toString()));

        CliRunner.Result e = CliRunner.run("explain", "--model", model.toString(), "--smiles", "CC(=O)Nc1ccc(O)cc1", "--format", "json",
                "--method", "lrp-ah-ln,gi");
        assertEquals(0, e.code(), e.err());
        String[] lines = e.out().strip().split("\n");
        assertEquals(2, lines.length, e.out());
        Explanation x = JsonLines.fromJson(lines[0]);
        assertEquals(12, x.tokens().length, "[GRAPH] and 11 heavy atoms");
        assertEquals("[GRAPH]", x.tokens()[0]);
        assertEquals("N3", x.tokens()[4]);
        Explanation.Conservation c = x.conservation();
        assertEquals(c.logit(), c.sum() + c.bias(), 1e-5 * Math.max(1, Math.abs(c.logit())));

        CliRunner.Result text = CliRunner.run("explain", "--model", model.toString(), "--smiles", "c1ccccc1O", "--target", "active");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("lrp-ah-ln") && text.out().contains("[sum "), text.out());
        assertTrue(text.out().contains(" (logit ") , text.out());

        Path svg = dir.resolve("para.svg");
        CliRunner.Result pic = CliRunner.run("explain", "--model", model.toString(), "--smiles", "CC(=O)Nc1ccc(O)cc1", "--format", "svg",
                "--method", "lrp-ah-ln,gi", "--out", svg.toString());
        assertEquals(0, pic.code(), pic.err());
        String s = Files.readString(svg);
        assertTrue(s.startsWith("<?xml") && s.contains("<svg"), s.substring(0, Math.min(200, s.length())));
        // each drawing's most relevant atom glows at full strength, red (positive) or blue (negative)
        assertTrue(s.contains("'#FF0000'") || s.contains("'#0000FF'"), "no atom at full strength");

        CliRunner.Result bad = CliRunner.run("explain", "--model", model.toString(), "--smiles", "C1CC((");
        assertEquals(2, bad.code());
        assertTrue(bad.err().startsWith("lrp: error: invalid SMILES 'C1CC(('"), bad.err());
        assertEquals(1, bad.err().strip().split("\n").length, bad.err());
        CliRunner.Result empty = CliRunner.run("explain", "--model", model.toString(), "--smiles", "[H][H]");
        assertEquals(2, empty.code());
        assertTrue(empty.err().contains("no heavy atoms"), empty.err());
    }

    @Test
    void graphOptionsAreCheckedBeforeWork(@TempDir Path dir) throws Exception {
        CliRunner.Result r = CliRunner.run("train", "--arch", "graph", "--data", bace().toString(), "--dev", bace().toString(),
                "--out", dir.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--arch graph splits --data by scaffold itself"), r.err());
        CliRunner.Result text = CliRunner.run("explain", "--model", "minilm-sst2", "--smiles", "CCO");
        assertEquals(2, text.code());
        assertTrue(text.err().contains("not a graph model"), text.err());
    }
}
