package io.lrp.explain;

import io.lrp.autograd.Var;
import io.lrp.models.Batch;
import io.lrp.tensor.Tensor;
import java.util.List;

/**
 * Attention-based baselines (methods.md section 4): reductions of the attention probabilities
 * A[h, i, j] (query i, key j) recorded on the tape, per sample and cut to its true length.
 */
public final class AttentionMaps {
    private AttentionMaps() {}

    /** a-last: R_j = mean_h sum_i A_last[h, i, j]. */
    public static double[][] lastLayer(List<Var> attention, Batch batch) {
        Tensor a = attention.get(attention.size() - 1).value;
        int heads = a.dim(1);
        double[][] out = new double[batch.size()][];
        for (int b = 0; b < batch.size(); b++) {
            int n = batch.lengths()[b];
            double[] r = new double[n];
            for (int h = 0; h < heads; h++) {
                double[][] m = block(a, b, h, n, batch.length());
                for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) r[j] += m[i][j] / heads;
            }
            out[b] = r;
        }
        return out;
    }

    /** rollout: J = Â_L ... Â_1 with Â_l = (mean_h A_l + I) / rowsum; R_j = sum_i J[i, j]. */
    public static double[][] rollout(List<Var> attention, Batch batch) {
        double[][] out = new double[batch.size()][];
        for (int b = 0; b < batch.size(); b++) {
            int n = batch.lengths()[b];
            double[][] joint = null;
            for (Var layer : attention) {
                double[][] m = headMean(layer.value, null, b, n, batch.length(), false);
                joint = chain(joint, normalisedWithIdentity(m));
            }
            out[b] = columnSums(joint);
        }
        return out;
    }

    /** attention-flow: maximum flow through the rollout matrices (see {@link AttentionFlow}). */
    public static double[][] flow(List<Var> attention, Batch batch) {
        double[][] out = new double[batch.size()][];
        for (int b = 0; b < batch.size(); b++) {
            int n = batch.lengths()[b];
            double[][][] layers = new double[attention.size()][][];
            for (int l = 0; l < layers.length; l++) {
                layers[l] = normalisedWithIdentity(headMean(attention.get(l).value, null, b, n, batch.length(), false));
            }
            out[b] = AttentionFlow.relevance(layers);
        }
        return out;
    }

    /**
     * GAE: C_l = mean_h max(A_l * dA_l, 0) with the plain gradient dA_l, then the rollout on C_l,
     * J[0, 0] = 0, R_j = sum_i J[i, j].
     */
    public static double[][] gae(List<Var> attention, Batch batch) {
        double[][] out = new double[batch.size()][];
        for (int b = 0; b < batch.size(); b++) {
            int n = batch.lengths()[b];
            double[][] joint = null;
            for (Var layer : attention) {
                if (layer.grad() == null) throw new IllegalStateException("gae needs the gradient of the attention probabilities");
                double[][] m = headMean(layer.value, layer.grad(), b, n, batch.length(), true);
                joint = chain(joint, normalisedWithIdentity(m));
            }
            joint[0][0] = 0;
            out[b] = columnSums(joint);
        }
        return out;
    }

    /** The [n, n] block of head h of sample b in a [B, heads, T, T] tensor. */
    private static double[][] block(Tensor a, int b, int h, int n, int len) {
        int heads = a.dim(1);
        double[][] m = new double[n][n];
        int base = (b * heads + h) * len * len;
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) m[i][j] = a.data[base + i * len + j];
        return m;
    }

    /** mean over heads of A (or of max(A * dA, 0) when gradWeighted). */
    private static double[][] headMean(Tensor a, Tensor grad, int b, int n, int len, boolean gradWeighted) {
        int heads = a.dim(1);
        double[][] m = new double[n][n];
        for (int h = 0; h < heads; h++) {
            int base = (b * heads + h) * len * len;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    int k = base + i * len + j;
                    double v = gradWeighted ? Math.max((double) a.data[k] * grad.data[k], 0) : a.data[k];
                    m[i][j] += v / heads;
                }
            }
        }
        return m;
    }

    private static double[][] normalisedWithIdentity(double[][] m) {
        int n = m.length;
        for (int i = 0; i < n; i++) {
            m[i][i] += 1;
            double s = 0;
            for (int j = 0; j < n; j++) s += m[i][j];
            for (int j = 0; j < n; j++) m[i][j] /= s;
        }
        return m;
    }

    /** next * joint (later layers on the left); the first layer starts the chain. */
    private static double[][] chain(double[][] joint, double[][] next) {
        if (joint == null) return next;
        int n = next.length;
        double[][] r = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < n; k++) {
                double v = next[i][k];
                if (v == 0) continue;
                for (int j = 0; j < n; j++) r[i][j] += v * joint[k][j];
            }
        }
        return r;
    }

    private static double[] columnSums(double[][] m) {
        double[] r = new double[m.length];
        for (double[] row : m) for (int j = 0; j < row.length; j++) r[j] += row[j];
        return r;
    }
}
