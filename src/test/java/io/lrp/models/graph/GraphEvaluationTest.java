package io.lrp.models.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrp.LrpException;
import io.lrp.autograd.Var;
import io.lrp.data.Example;
import io.lrp.eval.Evaluation;
import io.lrp.eval.Perturbation;
import io.lrp.eval.SampleRecord;
import io.lrp.explain.Explanation;
import io.lrp.explain.Method;
import io.lrp.explain.Relevance;
import io.lrp.models.Batch;
import io.lrp.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The perturbation evaluation on molecules: the mask node, the kept virtual node, resuming. */
class GraphEvaluationTest {

    static final String[] SMILES = {"CC(=O)Nc1ccc(O)cc1", "c1ccccc1O", "CCN(CC)CC", "O=C(O)c1ccccc1", "CC(C)Cc1ccc(cc1)C(C)C(=O)O"};
    static final int[] LABELS = {1, 0, 1, 0, 1};

    /** A seeded molecule model whose biases and LayerNorm parameters are non-zero too. */
    static GraphModel moleculeModel(long seed) {
        GraphConfig c = new GraphConfig(MoleculeGraphs.NODE_CARDINALITIES, 0, 6, MoleculeGraphs.EDGE_CARDINALITIES, 4, 16, 4, 2, 24,
                1e-5, 64, "molecule", GraphTraining.LABELS);
        Random rnd = new Random(seed);
        GraphModel m = GraphModel.create("mol-test", c, rnd);
        for (Var p : m.trainableParameters().values()) {
            float[] d = p.value.data;
            for (int i = 0; i < d.length; i++) d[i] += (float) (0.3 * rnd.nextGaussian());
        }
        return m;
    }

    static float[] row(Tensor t, int r) {
        int h = t.shape()[1];
        float[] out = new float[h];
        System.arraycopy(t.data, r * h, out, 0, h);
        return out;
    }

    @Test void theMaskReplacesExactlyTheChosenAtomsAndNeverTheGraphNode() {
        GraphModel m = moleculeModel(5);
        Graph g = MoleculeGraphs.graph(SMILES[0]); // paracetamol: 11 heavy atoms
        Batch.Sequence seq = GraphModel.sequence(g);
        // [GRAPH] the most relevant of all: it must still not be removed; atoms by relevance i (ties none)
        double[] r = new double[12];
        r[0] = 100;
        for (int i = 1; i < 12; i++) r[i] = (i * 7) % 11 - 5; // a permutation of -5..5
        Perturbation.Result p = Perturbation.run(m, new Perturbation.Input(seq, 1), 1, r);
        assertEquals(12, p.n());
        assertArrayEquals(Perturbation.nFlip(11), p.nFlip(), "N counts the 11 atoms");
        assertArrayEquals(new int[] {0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, p.nFlip());
        // atoms 1..11 have R = 2, -2, 5, 1, -3, 4, 0, -4, 3, -1, -5; position 0 is in neither order
        assertArrayEquals(new int[] {3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11}, p.orderGenerate());
        assertArrayEquals(new int[] {7, 4, 10, 1, 2, 5, 9, 6, 8, 3, 11}, p.orderPruning(), "|R| ascending, the lower index first on ties");

        Tensor clean = m.embed(GraphModel.batch(List.of(g)));
        int[][] pruning = Perturbation.pruningInputs(seq.ids(), p.orderPruning(), GraphModel.MASK);
        for (int k = 0; k < Perturbation.STEPS; k++) {
            Batch b = Batch.ofSequences(List.of(new Batch.Sequence(pruning[k], seq.types())), GraphModel.PAD);
            Tensor x = m.embed(b);
            java.util.Set<Integer> removed = new java.util.HashSet<>();
            for (int j = 0; j < p.nFlip()[k]; j++) removed.add(p.orderPruning()[j]);
            assertTrue(!removed.contains(0));
            for (int t = 0; t < 12; t++) {
                float[] want = removed.contains(t) ? new float[clean.shape()[1]] : row(clean, t);
                assertArrayEquals(want, row(x, t), 0f, "step " + k + " position " + t);
            }
            // the recorded logits are those of this input's own forward pass
            float[] z = Relevance.logits(m, b)[0];
            for (int c = 0; c < 2; c++) assertEquals(z[c], p.pruning().logits()[k][c], 1e-5, "pruning step " + k);
        }
        // generate at 0: every atom removed, [GRAPH] kept; a graph with all 11 atoms zero is still not the empty input
        int[] none = Perturbation.generateInputs(seq.ids(), p.orderGenerate(), GraphModel.MASK)[0];
        int[] want = new int[12];
        java.util.Arrays.fill(want, GraphModel.MASK);
        want[0] = 0;
        assertArrayEquals(want, none);
    }

    @Test void removingNothingGivesTheUnperturbedLogits() {
        GraphModel m = moleculeModel(9);
        for (int s = 0; s < SMILES.length; s++) {
            Graph g = MoleculeGraphs.graph(SMILES[s]);
            Explanation e = GraphExplainer.explain(m, g, Method.LRP_AH_LN, LABELS[s], Relevance.Options.DEFAULT);
            Perturbation.Result p = Perturbation.run(m, new Perturbation.Input(GraphModel.sequence(g), 1), LABELS[s], e.relevance());
            for (int c = 0; c < 2; c++) {
                assertEquals(e.logits()[c], p.z0()[c], 1e-5, SMILES[s]);
                assertEquals(p.z0()[c], p.pruning().logits()[0][c], 0, "0% removed");
                assertEquals(p.z0()[c], p.generate().logits()[10][c], 0, "100% restored");
            }
            assertEquals(0.0, p.pruning().m()[0], 0);
            double e0 = Math.exp(p.z0()[LABELS[s]]) / (Math.exp(p.z0()[0]) + Math.exp(p.z0()[1]));
            assertEquals(e0, p.pruning().e()[0], 1e-12);
            // all atoms removed changes the logits (the bonds and distances alone do not carry the molecule)
            assertNotEquals(p.z0()[0], p.pruning().logits()[10][0]);
            assertArrayEquals(p.pruning().logits()[10], p.generate().logits()[0], 0, "both curves meet with every atom removed");
        }
    }

    @Test void aKeptPrefixMustLeaveSomethingToPerturb() {
        Graph g = MoleculeGraphs.graph("C");
        assertThrows(LrpException.class, () -> new Perturbation.Input(GraphModel.sequence(g), 2));
        Perturbation.Input one = new Perturbation.Input(GraphModel.sequence(g), 1);
        Perturbation.Result p = Perturbation.run(moleculeModel(1), one, 0, new double[] {5, 1});
        assertArrayEquals(new int[] {1}, p.orderGenerate());
        assertArrayEquals(new int[] {0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, p.nFlip());
    }

    static List<Example> examples() {
        List<Example> ex = new ArrayList<>();
        for (int i = 0; i < SMILES.length; i++) ex.add(new Example(SMILES[i], LABELS[i], "mols.csv", i + 2));
        return ex;
    }

    static Map<Integer, Graph> graphs() {
        Map<Integer, Graph> g = new HashMap<>();
        for (int i = 0; i < SMILES.length; i++) g.put(i + 2, MoleculeGraphs.graph(SMILES[i]));
        return g;
    }

    static Evaluation evaluation(GraphModel m, Path dir) {
        List<Example> ex = examples();
        return new Evaluation(m, ex, new Evaluation.Settings(List.of(Method.LRP_AH_LN, Method.RANDOM), 3, 0, 2, false), dir)
                .inputs(GraphEvaluation.inputs(m, ex, graphs())).progress(null).plots(false);
    }

    static List<String> lines(Path dir) throws IOException {
        List<String> l = new ArrayList<>(Files.readAllLines(dir.resolve(Evaluation.SAMPLES), StandardCharsets.UTF_8));
        l.removeIf(String::isBlank);
        return l;
    }

    @Test void resumesAfterAKillWithIdenticalRecords(@TempDir Path tmp) throws IOException {
        GraphModel m = moleculeModel(11);
        Path full = tmp.resolve("full"), killed = tmp.resolve("killed");
        Evaluation.Report ref = evaluation(m, full).run();
        assertEquals(10, ref.computed());
        for (SampleRecord r : ref.records().get("lrp-ah-ln")) {
            // the records are the explain --smiles numbers: conservation of the explained logit
            assertEquals(r.logit(), r.relevanceSum() + r.biasRelevance(), 1e-5 * Math.max(1, Math.abs(r.logit())));
            assertEquals(MoleculeGraphs.graph(SMILES[r.index()]).nodes() + 1, r.n());
        }
        int[] count = {0};
        RuntimeException kill = new RuntimeException("simulated kill");
        assertEquals(kill, assertThrows(RuntimeException.class, () -> evaluation(m, killed).listener(r -> {
            if (++count[0] == 3) throw kill;
        }).run()));
        assertEquals(3, lines(killed).size());
        String next = lines(full).get(3);
        Files.writeString(killed.resolve(Evaluation.SAMPLES), next.substring(0, next.length() / 2), StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);
        Evaluation.Report resumed = evaluation(m, killed).run();
        assertEquals(3, resumed.resumed());
        assertEquals(7, resumed.computed());
        List<String> a = lines(full), b = lines(killed);
        Collections.sort(a);
        Collections.sort(b);
        assertEquals(a, b, "the same records, line for line");
        assertEquals(Files.readString(full.resolve("summary.json")), Files.readString(killed.resolve("summary.json")));
        assertTrue(Files.readString(full.resolve(Evaluation.RUN)).contains("[GRAPH] kept"), "run.json names the graph inputs");
        // another model in the same directory is refused
        LrpException e = assertThrows(LrpException.class, () -> evaluation(moleculeModel(12), killed).run());
        assertTrue(e.getMessage().contains("model_fingerprint"), e.getMessage());
    }

    @Test void readsTheSplitsPartAndReportsUnparseableRows(@TempDir Path tmp) throws IOException {
        Path csv = tmp.resolve("mols.csv");
        Files.writeString(csv, "smiles,Class\nCC(=O)Nc1ccc(O)cc1,1\nC1CC((,0\nc1ccccc1O,0\nCCN(CC)CC,1\n", StandardCharsets.UTF_8);
        GraphModel m = moleculeModel(2);
        GraphEvaluation.Molecules all = GraphEvaluation.read(m, csv, null, null);
        assertEquals(List.of(2, 4, 5), all.examples().stream().map(Example::line).toList());
        assertEquals(1, all.skipped().size());
        assertEquals(3, all.skipped().get(0).line());
        assertTrue(all.skipped().get(0).reason().startsWith("invalid SMILES 'C1CC(('"), all.skipped().get(0).reason());

        Path split = tmp.resolve("split.tsv");
        Files.writeString(split, "line\tsplit\tlabel\tscaffold\tsmiles\n2\ttrain\t1\tx\tCC(=O)Nc1ccc(O)cc1\n4\ttest\t0\tx\tc1ccccc1O\n"
                + "5\ttest\t1\t\tCCN(CC)CC\n", StandardCharsets.UTF_8);
        GraphEvaluation.Molecules test = GraphEvaluation.read(m, csv, split, MoleculeData.Part.TEST);
        assertEquals(List.of(4, 5), test.examples().stream().map(Example::line).toList());
        assertEquals(List.of(0, 1), test.examples().stream().map(Example::label).toList());

        // a split of other data: a changed label, a missing row
        Files.writeString(split, "line\tsplit\tlabel\tscaffold\tsmiles\n2\ttrain\t0\tx\tCC(=O)Nc1ccc(O)cc1\n", StandardCharsets.UTF_8);
        LrpException e = assertThrows(LrpException.class, () -> GraphEvaluation.read(m, csv, split, MoleculeData.Part.TEST));
        assertTrue(e.getMessage().startsWith(split + ":2: data line 2 is 'CC(=O)Nc1ccc(O)cc1' label 1"), e.getMessage());
        Files.writeString(split, "line\tsplit\tlabel\tscaffold\tsmiles\n2\ttest\t1\tx\tCC(=O)Nc1ccc(O)cc1\n", StandardCharsets.UTF_8);
        e = assertThrows(LrpException.class, () -> GraphEvaluation.read(m, csv, split, MoleculeData.Part.TEST));
        assertTrue(e.getMessage().contains("lists 1 molecules") && e.getMessage().contains("has 3"), e.getMessage());
    }
}
