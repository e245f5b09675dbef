package io.lrp.models.graph;

import static org.junit.jupiter.api.Assertions.*;

import io.lrp.autograd.RuleSet;
import io.lrp.autograd.Tape;
import io.lrp.autograd.Var;
import io.lrp.explain.Method;
import io.lrp.explain.Relevance;
import io.lrp.models.Batch;
import io.lrp.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The graph model on superpixel graphs: continuous node features through the linear node
 * embedding (checked by hand and against finite differences), conservation of lrp-ah-ln on digit
 * graphs, the mask node, and the featurizer saved with the model.
 */
class MnistGraphModelTest {

    static GraphModel digitModel(long seed) {
        GraphTraining.Settings s = new GraphTraining.Settings(16, 4, 2, 24, MnistTraining.MAX_DISTANCE, 0.0, 1, 1e-3, 8, seed, null);
        Random rnd = new Random(seed);
        GraphModel m = GraphModel.create("digits", MnistTraining.config(s), rnd);
        for (Var p : m.trainableParameters().values()) {   // non-zero biases, LayerNorm parameters and attention-bias table too
            float[] d = p.value.data;
            for (int i = 0; i < d.length; i++) d[i] += (float) (0.2 * rnd.nextGaussian());
        }
        return m.dropout(0);
    }

    static Graph digit(int index) {
        MnistData.Digit d = MnistSuperpixelsTest.sharedTest().get(index);
        return Superpixels.graph(d.name(), Superpixels.segment(d.pixels()));
    }

    @Test void theConfigReadsContinuousFeaturesOnly() {
        GraphConfig c = digitModel(1).config();
        assertEquals(0, c.nodeCardinalities().length);
        assertEquals(27, c.continuous(), "mean intensity, x, y and 4 sine/cosine bands of each");
        assertEquals(0, c.edgeCardinalities().length);
        assertEquals("mnist-superpixels", c.featurizer());
        assertEquals(1 + MnistTraining.MAX_DEGREE + 1, c.nodeTableRows(), "the graph token and the degrees");
        assertEquals(MnistTraining.MAX_DISTANCE + 3, c.pairKinds(), "distances, unreachable, virtual: one edge type");
    }

    /** Node i's embedding is W_c f(i) + D[min(deg i, 12)], summed here by hand; [GRAPH] is the graph token; a masked node is zero. */
    @Test void theNodeEmbeddingIsTheLinearMapOfTheFeaturesPlusTheDegreeRow() {
        GraphModel m = digitModel(3);
        Graph g = digit(0);
        float[] table = m.trainableParameters().get("embeddings.node.weight").value.data;
        float[] wc = m.trainableParameters().get("embeddings.continuous.weight").value.data;   // [16, 27]
        int k = Superpixels.FEATURES;
        Tensor e = m.embed(GraphModel.batch(List.of(g)));
        int h = 16;
        for (int c = 0; c < h; c++) assertEquals(table[c], e.data[c], 1e-6f);
        for (int node : new int[] {0, 17, g.nodes() - 1}) {
            float[] f = g.nodeCont()[node];
            int row = 1 + Math.min(g.degree()[node], MnistTraining.MAX_DEGREE);
            for (int c = 0; c < h; c++) {
                double want = table[row * h + c];
                for (int j = 0; j < k; j++) want += (double) wc[c * k + j] * f[j];
                assertEquals(want, e.data[(node + 1) * h + c], 1e-5, "node " + node + " column " + c);
            }
        }
        Batch.Sequence s = GraphModel.sequence(g);
        int[] ids = s.ids().clone();
        ids[5] = GraphModel.MASK;
        Tensor masked = m.embed(Batch.single(new Batch.Sequence(ids, s.types())));
        for (int c = 0; c < h; c++) assertEquals(0f, masked.data[5 * h + c], "the mask node: the zero vector");
    }

    /** d(c . logits) / d W_c on the tape against central differences, on two digits of different sizes in one batch. */
    @Test void theLinearNodeEmbeddingGradientMatchesFiniteDifferences() {
        GraphModel m = digitModel(5);
        Batch batch = GraphModel.batch(List.of(digit(1), digit(2)));
        Var wc = m.trainableParameters().get("embeddings.continuous.weight");
        Var table = m.trainableParameters().get("embeddings.node.weight");
        Tensor c = Tensor.zeros(2, 10);
        Random rnd = new Random(9);
        for (int i = 0; i < c.data.length; i++) c.data[i] = (float) rnd.nextGaussian();
        wc.setRequiresGrad(true);
        table.setRequiresGrad(true);
        float[] gw, gt;
        try {
            Tape tape = Tape.recording(RuleSet.GRADIENT).batch(2);
            tape.backward(m.forward(tape, m.embed(tape, batch), batch), c);
            gw = wc.grad().data.clone();
            gt = table.grad().data.clone();
        } finally {
            wc.setRequiresGrad(false);
            table.setRequiresGrad(false);
            wc.zeroGrad();
            table.zeroGrad();
        }
        java.util.function.DoubleSupplier f = () -> {
            float[] z = m.forward(Tape.inference(), Var.constant(m.embed(batch)), batch).value.data;
            double s = 0;
            for (int i = 0; i < z.length; i++) s += c.data[i] * z[i];
            return s;
        };
        double max = 0;
        for (int i = 0; i < wc.value.data.length; i++) {
            compare("W_c[" + i + "]", gw[i], central(wc.value.data, i, f));
            max = Math.max(max, Math.abs(gw[i]));
        }
        assertTrue(max > 1e-2, "the features reach the logits: largest gradient " + max);
        for (int row = 1; row <= 1 + MnistTraining.MAX_DEGREE; row++) {   // the degree rows the digits use get their gradient too
            int i = row * 16 + (row % 16);
            compare("degree row " + (row - 1), gt[i], central(table.value.data, i, f));
        }
    }

    private static double central(float[] a, int i, java.util.function.DoubleSupplier f) {
        float orig = a[i];
        float up = orig + 1e-2f, down = orig - 1e-2f;
        // W_c is a GEMM operand: the native GEMM caches packed weights by array, so every change is announced
        a[i] = up;
        io.lrp.tensor.NativeGemm.invalidate(a);
        double fp = f.getAsDouble();
        a[i] = down;
        io.lrp.tensor.NativeGemm.invalidate(a);
        double fm = f.getAsDouble();
        a[i] = orig;
        io.lrp.tensor.NativeGemm.invalidate(a);
        return (fp - fm) / ((double) up - down);
    }

    private static void compare(String what, double tape, double numeric) {
        assertTrue(Math.abs(tape - numeric) <= 2e-3 + 1e-2 * Math.abs(numeric), what + ": tape " + tape + ", finite difference " + numeric);
    }

    @Test void lrpAhLnConservesTheLogitOnDigitGraphs() {
        GraphModel m = digitModel(7);
        Graph g3 = digit(3), g4 = digit(4);
        Batch batch = GraphModel.batch(List.of(g3, g4));
        Relevance.Result r = Relevance.compute(m, batch, Method.LRP_AH_LN, new int[] {3, 8}, Relevance.Options.DEFAULT);
        for (int b = 0; b < 2; b++) {
            assertEquals((b == 0 ? g3 : g4).nodes() + 1, r.relevance()[b].length);
            double sum = 0;
            for (double v : r.relevance()[b]) sum += v;
            double logit = r.logits()[b][r.targets()[b]];
            assertNotEquals(0.0, r.bias()[b]);
            assertTrue(Math.abs(sum + r.bias()[b] - logit) <= 1e-5 * Math.abs(logit), "digit " + b + ": sum " + sum + " + bias " + r.bias()[b] + " vs logit " + logit);
        }
        // the explanation in the text contract: [GRAPH], then S0, S1, ...
        var e = GraphExplainer.explain(m, g3, Method.LRP_AH_LN, 3, Relevance.Options.DEFAULT);
        assertEquals("[GRAPH]", e.tokens()[0]);
        assertEquals("S0", e.tokens()[1]);
        assertEquals("S" + (g3.nodes() - 1), e.tokens()[g3.nodes()]);
        assertEquals(e.conservation().logit(), e.conservation().sum() + e.conservation().bias(), 1e-5 * Math.abs(e.conservation().logit()));
    }

    @Test void theFeaturizerIsSavedWithTheModel() throws Exception {
        GraphModel m = digitModel(11);
        java.nio.file.Path file = java.nio.file.Files.createTempFile("digits", ".safetensors");
        try {
            io.lrp.io.SafeTensors.write(file, m.weights(), GraphFamily.metadata(m.config()));
            GraphModel back = GraphFamily.fromSafetensors(file, "back");
            assertEquals("mnist-superpixels", back.config().featurizer());
            assertEquals(27, back.config().continuous());
            Batch batch = GraphModel.batch(List.of(digit(5)));
            assertArrayEquals(Relevance.logits(m, batch)[0], Relevance.logits(back, batch)[0], 0f);
            // a molecule model refuses digits, a digit model molecules
            assertThrows(io.lrp.LrpException.class, () -> GraphExplainer.input(back, "CCO"));
            GraphModel mol = GraphModel.create("mol", new GraphConfig(MoleculeGraphs.NODE_CARDINALITIES, 0, 6, MoleculeGraphs.EDGE_CARDINALITIES, 8,
                    16, 4, 1, 16, 1e-5, 128, "molecule", GraphTraining.LABELS), new Random(1));
            var err = assertThrows(io.lrp.LrpException.class, () -> DigitPicture.input(mol, MnistSuperpixelsTest.sharedTest().get(0)));
            assertTrue(err.getMessage().contains("does not read digits"), err.getMessage());
        } finally {
            java.nio.file.Files.delete(file);
        }
    }
}
