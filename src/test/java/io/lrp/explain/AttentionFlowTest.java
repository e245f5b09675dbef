package io.lrp.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrp.models.Batch;
import io.lrp.models.Model;
import io.lrp.models.ModelLoader;
import org.junit.jupiter.api.Test;

/** Attention flow on hand-solvable graphs and on a real model. */
class AttentionFlowTest {

    @Test
    void oneLayerFlowIsTheColumnSum() {
        // with one layer every input node reaches the sink only through its own edges
        double[][][] a = {{{0.75, 0.25}, {0.5, 0.5}}};
        assertArrayEquals(new double[] {1.25, 0.75}, AttentionFlow.relevance(a), 1e-12);
    }

    @Test
    void twoLayersAreLimitedByTheBottleneck() {
        // layer 1: input 0 -> middle 0 (0.9), input 0 -> middle 1 (0.1), input 1 -> middle 1 (1.0) ...
        double[][][] a = {
            {{0.9, 0.1}, {0.1, 0.9}}, // row i = query (upper node), column j = key (lower node)
            {{1.0, 0.0}, {0.2, 0.8}}};
        // from input 0: to middle 0 cap 0.9, to middle 1 cap 0.1; middle 0 -> top 0 (1.0) and top 1 (0.2): 0.9 passes;
        // middle 1 -> top 1 (0.8): 0.1 passes. Total 1.0.
        // from input 1: to middle 0 cap 0.1 (passes), to middle 1 cap 0.9 -> top 1 cap 0.8: 0.8. Total 0.9.
        assertArrayEquals(new double[] {1.0, 0.9}, AttentionFlow.relevance(a), 1e-12);
    }

    @Test
    void onARealModelFlowIsBoundedByEachInputsFirstLayerCapacity() {
        Model m = ModelLoader.load(GoldenFiles.path("hf_bert_small").toString());
        int[] ids = m.tokenizer().encode("the plot was thin, the acting superb").ids();
        Batch batch = Batch.single(ids);
        double[] flow = Relevance.compute(m, batch, Method.ATTENTION_FLOW, null, Relevance.Options.DEFAULT).relevance()[0];
        assertEquals(ids.length, flow.length);
        // capacity out of input j in layer 1 is the column sum of that layer's rollout matrix, and a
        // one-layer rollout column sum is what rollout reports for a single layer: flow <= it, and > 0
        var tape = io.lrp.autograd.Tape.inference();
        m.forward(tape, io.lrp.autograd.Var.constant(m.embed(batch)), batch);
        double[] firstLayer = AttentionMaps.rollout(tape.attention().subList(0, 1), batch)[0];
        for (int j = 0; j < flow.length; j++) {
            assertTrue(flow[j] > 0 && flow[j] <= firstLayer[j] + 1e-9, "token " + j + ": " + flow[j] + " vs " + firstLayer[j]);
        }
    }
}
