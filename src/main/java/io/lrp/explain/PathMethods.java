package io.lrp.explain;

import io.lrp.autograd.RuleSet;
import io.lrp.models.Batch;
import io.lrp.models.Model;
import io.lrp.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/** Methods built from many passes over variants of one input: Integrated Gradients and occlusion. */
public final class PathMethods {
    private PathMethods() {}

    /** How many variants go through the model at once. */
    private static final int CHUNK = 32;

    /**
     * IG from the all-zero embedding baseline: R_t = sum_d x_td * mean_k g(alpha_k x)_td with
     * alpha_k = (k + 0.5) / steps; the attention mask is unchanged.
     */
    public static Relevance.Result integratedGradients(Model model, Batch batch, int[] targets, int steps) {
        float[][] logits = Relevance.logits(model, batch);
        int[] t = Relevance.resolveTargets(logits, targets);
        double[][] r = new double[batch.size()][];
        for (int b = 0; b < batch.size(); b++) {
            Batch.Sequence seq = batch.sequence(b);
            Batch one = Batch.single(seq);
            float[] x = model.embed(one).data;
            int n = seq.length(), hidden = x.length / n;
            double[] gradSum = new double[x.length];
            for (int k0 = 0; k0 < steps; k0 += CHUNK) {
                try (io.lrp.tensor.Arena chunk = io.lrp.tensor.Arena.open()) { // its arrays serve the next chunk
                    integrateChunk(model, seq, x, t[b], steps, k0, Math.min(CHUNK, steps - k0), gradSum);
                }
            }
            double[] rb = new double[n];
            for (int tok = 0; tok < n; tok++) {
                double s = 0;
                for (int h = 0; h < hidden; h++) s += x[tok * hidden + h] * (gradSum[tok * hidden + h] / steps);
                rb[tok] = s;
            }
            r[b] = rb;
        }
        return new Relevance.Result(logits, t, r, new Double[batch.size()]);
    }

    /** The gradients of steps k0 .. k0+m-1 of the path, added into gradSum. */
    private static void integrateChunk(Model model, Batch.Sequence seq, float[] x, int target, int steps, int k0, int m,
                                       double[] gradSum) {
        int n = seq.length(), hidden = x.length / n;
        List<Batch.Sequence> copies = new ArrayList<>();
        for (int i = 0; i < m; i++) copies.add(seq);
        Batch path = Batch.ofSequences(copies, model.padId());
        Tensor scaled = Tensor.zeros(m * n, hidden);
        for (int i = 0; i < m; i++) {
            float alpha = (float) ((k0 + i + 0.5) / steps);
            for (int j = 0; j < x.length; j++) scaled.data[i * x.length + j] = alpha * x[j];
        }
        int[] tt = new int[m];
        java.util.Arrays.fill(tt, target);
        Relevance.Pass p = Relevance.backward(model, path, RuleSet.GRADIENT, tt, scaled, false, false);
        float[] g = p.input().grad().data;
        for (int i = 0; i < m; i++) for (int j = 0; j < x.length; j++) gradSum[j] += g[i * x.length + j];
    }

    /** R_t = f_c(x) - f_c(x with token t replaced by [UNK]), special tokens included. */
    public static Relevance.Result occlusion(Model model, Batch batch, int[] targets) {
        float[][] logits = Relevance.logits(model, batch);
        int[] t = Relevance.resolveTargets(logits, targets);
        double[][] r = new double[batch.size()][];
        for (int b = 0; b < batch.size(); b++) {
            Batch.Sequence seq = batch.sequence(b);
            int n = seq.length();
            float[] base = Relevance.logits(model, Batch.single(seq))[0];
            double[] rb = new double[n];
            for (int s0 = 0; s0 < n; s0 += CHUNK) {
                int m = Math.min(CHUNK, n - s0);
                List<Batch.Sequence> variants = new ArrayList<>();
                for (int i = 0; i < m; i++) {
                    int[] v = seq.ids().clone();
                    v[s0 + i] = model.unkId();
                    variants.add(new Batch.Sequence(v, seq.types()));
                }
                float[][] z = Relevance.logits(model, Batch.ofSequences(variants, model.padId()));
                for (int i = 0; i < m; i++) rb[s0 + i] = (double) base[t[b]] - z[i][t[b]];
            }
            r[b] = rb;
        }
        return new Relevance.Result(logits, t, r, new Double[batch.size()]);
    }
}
