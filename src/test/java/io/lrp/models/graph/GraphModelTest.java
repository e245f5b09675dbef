package io.lrp.models.graph;

import io.lrp.autograd.GraphOps;
import io.lrp.autograd.RuleSet;
import io.lrp.autograd.Tape;
import io.lrp.autograd.Var;
import io.lrp.explain.Method;
import io.lrp.explain.Methods;
import io.lrp.explain.Relevance;
import io.lrp.models.Batch;
import io.lrp.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The graph Transformer: conservation, every method, gradients against finite differences, hand-checked inputs. */
class GraphModelTest {

    static GraphConfig smallConfig(int continuous) {
        return new GraphConfig(new int[] {5, 3}, continuous, 3, new int[] {4, 2}, 4, 16, 4, 2, 24, 1e-5, 64, "none",
                List.of("no", "yes"));
    }

    /** A seeded model whose biases, LayerNorm parameters and attention-bias table are non-zero too. */
    static GraphModel randomModel(long seed, int continuous) {
        Random rnd = new Random(seed);
        GraphModel m = GraphModel.create("test", smallConfig(continuous), rnd);
        for (Var p : m.trainableParameters().values()) {
            float[] d = p.value.data;
            for (int i = 0; i < d.length; i++) d[i] += (float) (0.2 * rnd.nextGaussian());
        }
        return m;
    }

    /** n nodes: a ring of the first min(n, 5), then a chain, and two random chords; random features. */
    static Graph randomGraph(Random rnd, int n, int continuous) {
        List<int[]> edges = new ArrayList<>();
        for (int i = 1; i < n; i++) edges.add(new int[] {i - 1, i});
        if (n >= 5) edges.add(new int[] {4, 0});
        int[][] cat = new int[n][], ecat;
        float[][] cont = new float[n][continuous];
        String[] labels = new String[n];
        for (int i = 0; i < n; i++) {
            cat[i] = new int[] {rnd.nextInt(5), rnd.nextInt(3)};
            for (int c = 0; c < continuous; c++) cont[i][c] = (float) rnd.nextGaussian();
            labels[i] = "X" + i;
        }
        ecat = new int[edges.size()][];
        for (int e = 0; e < ecat.length; e++) ecat[e] = new int[] {rnd.nextInt(4), rnd.nextInt(2)};
        return Graph.of("random" + n, labels, cat, cont, edges.toArray(new int[0][]), ecat);
    }

    private static double relDiff(double a, double b) { return Math.abs(a - b) / Math.max(1e-12, Math.abs(b)); }

    @Test void lrpAhLnConservesTheLogitPerGraph() {
        GraphModel m = randomModel(7, 2);
        Random rnd = new Random(3);
        Graph g1 = randomGraph(rnd, 9, 2), g2 = randomGraph(rnd, 5, 2);
        Batch batch = GraphModel.batch(List.of(g1, g2));
        Relevance.Result r = Relevance.compute(m, batch, Method.LRP_AH_LN, new int[] {1, 0}, Relevance.Options.DEFAULT);
        for (int b = 0; b < 2; b++) {
            double sum = 0;
            for (double v : r.relevance()[b]) sum += v;
            assertEquals(batch.lengths()[b], r.relevance()[b].length);
            double logit = r.logits()[b][r.targets()[b]];
            assertNotEquals(0.0, r.bias()[b], "the biases are non-zero, so they absorb relevance");
            assertTrue(relDiff(sum + r.bias()[b], logit) < 1e-5, "sample " + b + ": sum " + sum + " + bias " + r.bias()[b] + " vs logit " + logit);
        }
        // padding changes nothing: the smaller graph alone gives the same numbers
        Relevance.Result alone = Relevance.compute(m, GraphModel.batch(List.of(g2)), Method.LRP_AH_LN, new int[] {0}, Relevance.Options.DEFAULT);
        for (int t = 0; t < alone.relevance()[0].length; t++) assertEquals(alone.relevance()[0][t], r.relevance()[1][t], 1e-5);
    }

    @Test void theAhRuleHoldsTheAttentionBiasConstant() {
        GraphModel m = randomModel(43, 0);
        Batch batch = GraphModel.batch(List.of(randomGraph(new Random(47), 7, 0)));
        Var pair = m.trainableParameters().get("encoder.attention_bias.weight");
        pair.setRequiresGrad(true);
        try {
            for (RuleSet rules : List.of(RuleSet.LRP_AH_LN, RuleSet.GRADIENT)) {
                pair.zeroGrad();
                Tape tape = Tape.recording(rules);
                Var logits = m.forward(tape, Var.leaf(m.embed(batch)), batch);
                tape.backward(logits, new Tensor(new float[] {0f, 1f}, 1, 2));
                if (rules == RuleSet.GRADIENT) assertNotNull(pair.grad(), "the plain gradient reaches the bias table");
                else assertNull(pair.grad(), "under the AH-rule nothing flows into the attention bias");
            }
        } finally {
            pair.setRequiresGrad(false);
            pair.zeroGrad();
        }
    }

    @Test void gradientTimesInputDoesNotConserveWhereLrpDoes() {
        // the bias and the LayerNorm scales are differentiated under GI: its sum is not the logit minus the bias relevance
        GraphModel m = randomModel(11, 0);
        Graph g = randomGraph(new Random(5), 8, 0);
        Batch batch = GraphModel.batch(List.of(g));
        Relevance.Result gi = Relevance.gradientTimesInput(m, batch, RuleSet.GRADIENT, new int[] {1}, true, null);
        double sum = 0;
        for (double v : gi.relevance()[0]) sum += v;
        assertTrue(relDiff(sum + gi.bias()[0], gi.logits()[0][1]) > 1e-3, "GI happened to conserve: " + sum);
    }

    @Test void everyMethodRunsOnGraphs() {
        GraphModel m = randomModel(13, 1);
        Random rnd = new Random(17);
        Batch batch = GraphModel.batch(List.of(randomGraph(rnd, 7, 1), randomGraph(rnd, 4, 1)));
        for (Method method : Methods.ALL) {
            Relevance.Result r = Relevance.compute(m, batch, method, null, Relevance.Options.DEFAULT);
            for (int b = 0; b < 2; b++) {
                assertEquals(batch.lengths()[b], r.relevance()[b].length, method.id());
                for (double v : r.relevance()[b]) assertTrue(Double.isFinite(v), method.id() + " gave " + v);
            }
        }
    }

    @Test void occlusionMasksOneNodeAtATime() {
        GraphModel m = randomModel(19, 0);
        Graph g = randomGraph(new Random(23), 6, 0);
        Batch batch = GraphModel.batch(List.of(g));
        Relevance.Result occ = Relevance.compute(m, batch, Method.OCCLUSION, new int[] {1}, Relevance.Options.DEFAULT);
        float base = Relevance.logits(m, batch)[0][1];
        Batch.Sequence s = GraphModel.sequence(g);
        int[] ids = s.ids().clone();
        ids[3] = GraphModel.MASK;
        Batch masked = Batch.single(new Batch.Sequence(ids, s.types()));
        // the masked node's embedding row is zero, the others unchanged
        Tensor e = m.embed(masked), e0 = m.embed(batch);
        int h = e.dim(1);
        for (int c = 0; c < h; c++) {
            assertEquals(0f, e.data[3 * h + c]);
            assertEquals(e0.data[2 * h + c], e.data[2 * h + c]);
        }
        assertEquals(base - Relevance.logits(m, masked)[0][1], occ.relevance()[0][3], 1e-5);
    }

    /** The tape's plain gradients against central differences: the input, the node table (degree rows too), the pair-bias table. */
    @Test void gradientsMatchFiniteDifferences() {
        GraphModel m = randomModel(29, 2).dropout(0);
        Random rnd = new Random(31);
        Batch batch = GraphModel.batch(List.of(randomGraph(rnd, 7, 2), randomGraph(rnd, 5, 2)));
        Map<String, Var> params = m.trainableParameters();
        Var nodeTable = params.get("embeddings.node.weight"), pairTable = params.get("encoder.attention_bias.weight");
        nodeTable.setRequiresGrad(true);
        pairTable.setRequiresGrad(true);
        Tensor x0 = m.embed(Tape.inference(), batch).value.copy();
        Var x = Var.leaf(x0.copy());
        Tensor c = new Tensor(new float[] {0.7f, -1.3f, 0.4f, 0.9f}, 2, 2);
        Tape tape = Tape.recording(RuleSet.GRADIENT).batch(2);
        tape.backward(m.forward(tape, x, batch), c);
        // the embedding look-up on the tape: d/d table of the same objective, through x
        Tape tape2 = Tape.recording(RuleSet.GRADIENT).batch(2);
        Var xe = m.embed(tape2, batch);
        pairTable.zeroGrad();
        tape2.backward(m.forward(tape2, xe, batch), c);
        float[] gNode = nodeTable.grad().data.clone(), gPair = pairTable.grad().data.clone();
        nodeTable.setRequiresGrad(false);
        pairTable.setRequiresGrad(false);

        java.util.function.DoubleSupplier f = () -> {
            Var xi = Var.constant(m.embed(batch));
            float[] z = m.forward(Tape.inference(), xi, batch).value.data;
            double s = 0;
            for (int i = 0; i < z.length; i++) s += c.data[i] * z[i];
            return s;
        };
        int checked = 0;
        // x: perturb the embedding rows by perturbing the forward input directly
        float[] gx = x.grad().data;
        for (int i = 0; i < x0.data.length; i += 7) {
            checked += compare("x[" + i + "]", gx[i], central(x0.data, i, () -> {
                float[] z = m.forward(Tape.inference(), Var.constant(x0), batch).value.data;
                double s = 0;
                for (int k = 0; k < z.length; k++) s += c.data[k] * z[k];
                return s;
            }));
        }
        int deg = m.config().nodeTableRows() - m.config().maxDegree() - 1;
        for (int i = 0; i < nodeTable.value.data.length; i += 5) checked += compare("node table " + i, gNode[i], central(nodeTable.value.data, i, f));
        for (int row = deg; row < m.config().nodeTableRows(); row++) {
            int i = row * 16 + 3;
            checked += compare("degree row " + (row - deg), gNode[i], central(nodeTable.value.data, i, f));
        }
        for (int i = 0; i < pairTable.value.data.length; i++) checked += compare("pair bias " + i, gPair[i], central(pairTable.value.data, i, f));
        assertTrue(checked > 100, "compared " + checked);
        // some pair-bias gradient is far from zero (the bias reaches the logits)
        double max = 0;
        for (float v : gPair) max = Math.max(max, Math.abs(v));
        assertTrue(max > 1e-3, "pair-bias gradient " + max);
    }

    private static double central(float[] a, int i, java.util.function.DoubleSupplier f) {
        float orig = a[i];
        float up = orig + 1e-2f, down = orig - 1e-2f;
        a[i] = up;
        double fp = f.getAsDouble();
        a[i] = down;
        double fm = f.getAsDouble();
        a[i] = orig;
        io.lrp.tensor.NativeGemm.invalidate(a);
        return (fp - fm) / ((double) up - down);
    }

    private static int compare(String what, double tape, double numeric) {
        assertTrue(Math.abs(tape - numeric) <= 2e-3 + 1e-2 * Math.abs(numeric), what + ": tape " + tape + ", finite difference " + numeric);
        return 1;
    }

    /** Isobutane-like star and a 4-ring with a tail: degrees, distances and the bias kinds by hand. */
    @Test void distancesDegreesAndBiasKindsByHand() {
        // 0-1, 1-2, 2-3, 3-0 (a 4-ring), 3-4 (a tail), node 5 isolated
        int[][] edges = {{0, 1}, {1, 2}, {2, 3}, {3, 0}, {3, 4}};
        int[][] ecat = {{0, 0}, {1, 0}, {2, 1}, {3, 1}, {0, 1}};
        int[][] cat = new int[6][];
        for (int i = 0; i < 6; i++) cat[i] = new int[] {i % 5, 0};
        Graph g = Graph.of("hand", new String[] {"a", "b", "c", "d", "e", "f"}, cat, new float[6][0], edges, ecat);
        assertArrayEquals(new int[] {2, 2, 2, 3, 1, 0}, g.degree());
        assertArrayEquals(new int[] {0, 1, 2, 1, 2, -1}, g.distance()[0]);
        assertArrayEquals(new int[] {2, 3, 2, 1, 0, -1}, g.distance()[4]);
        assertArrayEquals(new int[] {-1, -1, -1, -1, -1, 0}, g.distance()[5]);

        // one head, table values 10^kind so the sum names its kinds
        GraphConfig c = new GraphConfig(new int[] {5, 3}, 0, 3, new int[] {4, 2}, 2, 4, 1, 1, 4, 1e-5, 16, "none", List.of("a", "b"));
        GraphModel m = GraphModel.create("hand", c, new Random(1));
        // kinds: distance 0, 1, 2 (=max), unreachable 3, virtual 4, bond column 0 at 5..8, column 1 at 9..10
        assertEquals(11, c.pairKinds());
        Batch batch = GraphModel.batch(List.of(g));
        int[] idx = m.pairIndex(m.graphs(batch), batch);
        Var table = Var.constant(Tensor.zeros(1, 11));
        for (int k = 0; k < 11; k++) table.value.data[k] = (float) Math.pow(2, k);
        Tensor bias = GraphOps.pairBias(Tape.inference(), table, idx, 3, 1, 7).value;
        java.util.function.BiFunction<Integer, Integer, Float> at = (i, j) -> bias.data[i * 7 + j];
        assertEquals(16f, at.apply(0, 3), "[GRAPH] to a node: the virtual kind");
        assertEquals(16f, at.apply(2, 0));
        assertEquals(1f, at.apply(1, 1), "a node to itself: distance 0");
        assertEquals(2f + 32f + 512f, at.apply(1, 2), "nodes 0-1: distance 1, bond column 0 = 0, column 1 = 0");
        assertEquals(2f + 128f + 1024f, at.apply(3, 4), "nodes 2-3: distance 1, bond (2, 1)");
        assertEquals(4f, at.apply(1, 3), "nodes 0-2: distance 2, no bond");
        assertEquals(4f, at.apply(2, 5), "nodes 1-4: distance 3, clipped to the last distance kind");
        assertEquals(8f, at.apply(1, 6), "nodes 0-5: unreachable");
        // the degree embedding: node 3 (degree 3) and node 5 (degree 0) use rows 1+5+3+3 and 1+5+3+0
        Tensor e = m.embed(batch);
        float[] t = m.trainableParameters().get("embeddings.node.weight").value.data;
        for (int h = 0; h < 4; h++) {
            assertEquals(t[0 * 4 + h], e.data[0 * 4 + h], 1e-6, "[GRAPH] row: the graph token");
            // node 3: feature 0 = 3 (row 1+3), feature 1 = 0 (row 6), degree 3 (row 9+3)
            assertEquals(t[4 * 4 + h] + t[6 * 4 + h] + t[12 * 4 + h], e.data[4 * 4 + h], 1e-6);
            // node 5: feature 0 = 0 (row 1), feature 1 = 0 (row 6), degree 0 (row 9)
            assertEquals(t[1 * 4 + h] + t[6 * 4 + h] + t[9 * 4 + h], e.data[6 * 4 + h], 1e-6);
        }
    }

    @Test void savedModelLoadsWithTheSameLogits() throws Exception {
        GraphModel m = randomModel(37, 1);
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("graph-model");
        java.nio.file.Path file = dir.resolve("model.safetensors");
        io.lrp.io.SafeTensors.write(file, m.weights(), GraphFamily.metadata(m.config()));
        GraphModel back = GraphFamily.fromSafetensors(file, "back");
        Batch batch = GraphModel.batch(List.of(randomGraph(new Random(41), 6, 1)));
        assertArrayEquals(Relevance.logits(m, batch)[0], Relevance.logits(back, batch)[0], 0f);
        java.nio.file.Files.delete(file);
        java.nio.file.Files.delete(dir);
    }
}
