package io.lrp.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrp.autograd.Var;
import io.lrp.eval.SampleRecord;
import io.lrp.io.SafeTensors;
import io.lrp.models.graph.GraphConfig;
import io.lrp.models.graph.GraphFamily;
import io.lrp.models.graph.GraphModel;
import io.lrp.models.graph.GraphTraining;
import io.lrp.models.graph.MoleculeGraphs;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** lrp evaluate on a molecule CSV with a seeded graph model; info on a graph model; molecule pictures as PNG and HTML. */
class GraphEvaluateCliTest {

    static final String CSV = "smiles,Class\nCC(=O)Nc1ccc(O)cc1,1\nC1CC((,0\nc1ccccc1O,0\nCCN(CC)CC,1\nO=C(O)c1ccccc1,0\n";

    /** A seeded molecule model with non-zero biases, written as lrp train --arch graph writes one. */
    static Path model(Path dir) {
        GraphConfig c = new GraphConfig(MoleculeGraphs.NODE_CARDINALITIES, 0, 6, MoleculeGraphs.EDGE_CARDINALITIES, 4, 16, 4, 2, 24,
                1e-5, 64, "molecule", GraphTraining.LABELS);
        Random rnd = new Random(21);
        GraphModel m = GraphModel.create("g", c, rnd);
        for (Var p : m.trainableParameters().values()) {
            float[] d = p.value.data;
            for (int i = 0; i < d.length; i++) d[i] += (float) (0.3 * rnd.nextGaussian());
        }
        Path file = dir.resolve("model.safetensors");
        SafeTensors.write(file, m.weights(), GraphFamily.metadata(c));
        return file;
    }

    @Test
    void evaluatesMoleculesWithTheSplitAndResumes(@TempDir Path dir) throws Exception {
        Path model = model(dir), csv = dir.resolve("mols.csv"), out = dir.resolve("ev");
        Files.writeString(csv, CSV, StandardCharsets.UTF_8);
        CliRunner.Result r = CliRunner.run("evaluate", "--model", model.toString(), "--data", csv.toString(), "--out", out.toString(),
                "--methods", "lrp-ah-ln,gi,random", "--no-plots");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("lrp: skipped " + csv + ":3: invalid SMILES 'C1CC(('"), r.err());
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        for (String method : List.of("lrp-ah-ln", "gi", "random")) assertEquals(4, summary.get(method).get("n").asInt(), method);
        List<String> lines = Files.readAllLines(out.resolve("samples.jsonl"));
        assertEquals(12, lines.size());
        SampleRecord first = SampleRecord.parse(lines.get(0));
        assertEquals(2, first.line());
        assertEquals(12, first.n(), "[GRAPH] and paracetamol's 11 atoms");
        assertEquals(first.logit(), first.relevanceSum() + first.biasRelevance(), 1e-5 * Math.max(1, Math.abs(first.logit())));
        // the relevance is explain --smiles's
        CliRunner.Result e = CliRunner.run("explain", "--model", model.toString(), "--smiles", "CC(=O)Nc1ccc(O)cc1", "--target", "active",
                "--format", "json");
        assertEquals(0, e.code(), e.err());
        assertArrayEquals(io.lrp.viz.JsonLines.fromJson(e.out().strip()).relevance(), first.relevance(), 1e-12);

        // the same command again: everything is resumed, the tables are the same
        String before = Files.readString(out.resolve("summary.json"));
        CliRunner.Result again = CliRunner.run("evaluate", "--model", model.toString(), "--data", csv.toString(), "--out", out.toString(),
                "--methods", "lrp-ah-ln,gi,random", "--no-plots");
        assertEquals(0, again.code(), again.err());
        assertTrue(again.err().contains("resumed: 12 results"), again.err());
        assertEquals(before, Files.readString(out.resolve("summary.json")));

        // --split test reads split.tsv beside the model
        Files.writeString(dir.resolve("split.tsv"), "line\tsplit\tlabel\tscaffold\tsmiles\n2\ttrain\t1\tx\tCC(=O)Nc1ccc(O)cc1\n"
                + "4\ttest\t0\tx\tc1ccccc1O\n5\tvalid\t1\t\tCCN(CC)CC\n6\ttest\t0\tx\tO=C(O)c1ccccc1\n", StandardCharsets.UTF_8);
        Path test = dir.resolve("test");
        CliRunner.Result t = CliRunner.run("evaluate", "--model", model.toString(), "--data", csv.toString(), "--split", "test",
                "--out", test.toString(), "--methods", "random", "--no-plots");
        assertEquals(0, t.code(), t.err());
        assertTrue(t.err().contains("the test split of " + dir.resolve("split.tsv") + ": 2 molecules"), t.err());
        List<String> tl = Files.readAllLines(test.resolve("samples.jsonl"));
        assertEquals(List.of(4, 6), tl.stream().map(l -> SampleRecord.parse(l).line()).toList());

        CliRunner.Result noSplit = CliRunner.run("evaluate", "--model", model.toString(), "--data", csv.toString(), "--split", "test",
                "--split-file", dir.resolve("none.tsv").toString(), "--out", dir.resolve("x").toString());
        assertEquals(2, noSplit.code());
        assertEquals(1, noSplit.err().strip().split("\n").length, noSplit.err());
        CliRunner.Result badPart = CliRunner.run("evaluate", "--model", model.toString(), "--data", csv.toString(), "--split", "dev",
                "--out", dir.resolve("x").toString());
        assertEquals(2, badPart.code());
        assertTrue(badPart.err().startsWith("lrp: error: unknown split 'dev'"), badPart.err());
    }

    @Test
    void wrongPairsOfModelAndDataAreOneLine(@TempDir Path dir) throws Exception {
        Path model = model(dir), csv = dir.resolve("mols.csv"), text = dir.resolve("t.tsv");
        Files.writeString(csv, CSV, StandardCharsets.UTF_8);
        Files.writeString(text, "sentence\tlabel\na fine film\t1\n", StandardCharsets.UTF_8);
        CliRunner.Result r = CliRunner.run("evaluate", "--model", model.toString(), "--data", text.toString(), "--out", dir.resolve("a").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("lrp: error: model is a graph model: --data must be a molecule CSV"), r.err());
        CliRunner.Result s = CliRunner.run("evaluate", "--model", "minilm-sst2", "--data", csv.toString(), "--out", dir.resolve("b").toString());
        assertEquals(2, s.code());
        assertTrue(s.err().contains("not a graph model"), s.err());
        assertEquals(1, s.err().strip().split("\n").length, s.err());
        CliRunner.Result split = CliRunner.run("evaluate", "--model", model.toString(), "--data", text.toString(), "--split", "test",
                "--out", dir.resolve("c").toString());
        assertEquals(2, split.code());
        assertTrue(split.err().contains("--split needs a molecule CSV"), split.err());
    }

    @Test
    void infoCountsTheTablesAndPicturesArePngAndHtml(@TempDir Path dir) throws Exception {
        Path model = model(dir);
        CliRunner.Result info = CliRunner.run("info", "--model", model.toString());
        assertEquals(0, info.code(), info.err());
        assertFalse(info.out().contains("embeddings excluded"), info.out());
        GraphModel m = (GraphModel) io.lrp.models.ModelLoader.load(model.toString());
        assertTrue(info.out().contains(String.format("parameters:   %,d (all of them", m.parameterCount())), info.out());
        assertTrue(info.out().contains("max length:   64 nodes"), info.out());

        Path png = dir.resolve("para.png");
        CliRunner.Result p = CliRunner.run("explain", "--model", model.toString(), "--smiles", "CC(=O)Nc1ccc(O)cc1",
                "--method", "lrp-ah-ln,gi", "--out", png.toString());
        assertEquals(0, p.code(), p.err());
        BufferedImage img = ImageIO.read(png.toFile());
        assertTrue(img.getWidth() > 2 * img.getHeight(), "two drawings side by side: " + img.getWidth() + "x" + img.getHeight());
        // each drawing's most relevant atom glows at full strength: pure red (positive) or pure blue (negative) pixels
        boolean full = false;
        for (int y = 0; y < img.getHeight() && !full; y++) {
            for (int x = 0; x < img.getWidth() && !full; x++) {
                int rgb = img.getRGB(x, y) & 0xffffff;
                full = rgb == 0xff0000 || rgb == 0x0000ff;
            }
        }
        assertTrue(full, "no atom at full strength");

        CliRunner.Result many = CliRunner.run("explain", "--model", model.toString(), "--smiles", "CCO", "--smiles", "CCN", "--format", "png",
                "--out", dir.resolve("two.png").toString());
        assertEquals(2, many.code());
        assertTrue(many.err().contains("draws one molecule"), many.err());
        CliRunner.Result noOut = CliRunner.run("explain", "--model", model.toString(), "--smiles", "CCO", "--format", "png");
        assertEquals(2, noOut.code());
        assertTrue(noOut.err().contains("give --out FILE.png"), noOut.err());

        Path html = dir.resolve("mols.html");
        CliRunner.Result h = CliRunner.run("explain", "--model", model.toString(), "--smiles", "CC(=O)Nc1ccc(O)cc1", "--smiles", "CCO",
                "--method", "lrp-ah-ln,gi,attnlrp", "--format", "html", "--out", html.toString());
        assertEquals(0, h.code(), h.err());
        String page = Files.readString(html);
        assertEquals(2, page.split("<section class=\"molecule\">", -1).length - 1);
        assertEquals(6, page.split("<figure ", -1).length - 1, "one drawing per molecule and method");
        assertEquals(6, page.split("<svg", -1).length - 1);
        assertEquals(2, page.split("data-method=\"attnlrp\"", -1).length - 1);
        assertFalse(page.contains("<?xml"), "the drawings are inline");
        assertTrue(page.contains("sum R + bias = "), "the conservation line of lrp-ah-ln");
    }
}
