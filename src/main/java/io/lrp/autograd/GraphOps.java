package io.lrp.autograd;

import io.lrp.tensor.Tensor;

/**
 * The ops a graph Transformer adds to the encoder's (io.lrp.models.graph): table look-ups that
 * build the node embeddings and the per-head attention bias from shortest-path distances and
 * edge types. Both are plain gathers: no rule set changes them (they carry {@link Role#PLAIN}
 * semantics), and with constant tables, as in every explanation, nothing is recorded.
 */
public final class GraphOps {
    private GraphOps() {}

    /**
     * out[r] = sum of table[index[r * per + k]] over k < per with index >= 0, for table [V, H]:
     * [rows, H]. A row with no index (padding, a masked node) is zero.
     */
    public static Var gatherSum(Tape tape, Var table, int[] index, int per) {
        int v = table.value.dim(0), h = table.value.dim(1), rows = index.length / per;
        if (index.length != rows * per) throw new IllegalArgumentException("index length " + index.length + " is not a multiple of " + per);
        Tensor y = Tensor.zeros(rows, h);
        float[] t = table.value.data;
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < per; k++) {
                int i = index[r * per + k];
                if (i < 0) continue;
                if (i >= v) throw new IllegalArgumentException("index " + i + " outside a table of " + v + " rows");
                for (int c = 0; c < h; c++) y.data[r * h + c] += t[i * h + c];
            }
        }
        boolean grad = tape.needsGrad(table);
        Var yv = Ops.out(y, grad);
        if (!grad) return yv;
        tape.record(new Tape.Node() {
            public Var output() { return yv; }
            public void backward(float[] g) {
                float[] gt = table.gradBuffer();
                for (int r = 0; r < rows; r++) {
                    for (int k = 0; k < per; k++) {
                        int i = index[r * per + k];
                        if (i < 0) continue;
                        for (int c = 0; c < h; c++) gt[i * h + c] += g[r * h + c];
                    }
                }
            }
        });
        return yv;
    }

    /**
     * The attention bias B[b, h, i, j] = sum over k < per of table[h, index[((b*T + i)*T + j) * per + k]]
     * (index >= 0) for table [heads, K]: [B, heads, T, T], to be added to the attention scores.
     */
    public static Var pairBias(Tape tape, Var table, int[] index, int per, int batch, int len) {
        int heads = table.value.dim(0), kinds = table.value.dim(1);
        int pairs = batch * len * len;
        if (index.length != pairs * per) throw new IllegalArgumentException("index length " + index.length + " != " + pairs + " pairs x " + per);
        Tensor y = Tensor.zeros(batch, heads, len, len);
        float[] t = table.value.data;
        for (int b = 0; b < batch; b++) {
            for (int ij = 0; ij < len * len; ij++) {
                int p = b * len * len + ij;
                for (int k = 0; k < per; k++) {
                    int i = index[p * per + k];
                    if (i < 0) continue;
                    if (i >= kinds) throw new IllegalArgumentException("index " + i + " outside a bias table of " + kinds + " kinds");
                    for (int h = 0; h < heads; h++) y.data[(b * heads + h) * len * len + ij] += t[h * kinds + i];
                }
            }
        }
        boolean grad = tape.needsGrad(table);
        Var yv = Ops.out(y, grad);
        if (!grad) return yv;
        tape.record(new Tape.Node() {
            public Var output() { return yv; }
            public void backward(float[] g) {
                float[] gt = table.gradBuffer();
                for (int b = 0; b < batch; b++) {
                    for (int ij = 0; ij < len * len; ij++) {
                        int p = b * len * len + ij;
                        for (int k = 0; k < per; k++) {
                            int i = index[p * per + k];
                            if (i < 0) continue;
                            for (int h = 0; h < heads; h++) gt[h * kinds + i] += g[(b * heads + h) * len * len + ij];
                        }
                    }
                }
            }
        });
        return yv;
    }
}
