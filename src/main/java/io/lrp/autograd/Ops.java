package io.lrp.autograd;

import io.lrp.tensor.Gemm;
import io.lrp.tensor.Parallel;
import io.lrp.tensor.Simd;
import io.lrp.tensor.SimdKernels;
import io.lrp.tensor.Rows;
import io.lrp.tensor.Tensor;

/**
 * The differentiable operations a Transformer encoder and its heads are made of. Each op
 * computes its forward value, and when the tape records and an input needs a gradient it
 * records a node whose backward is chosen by the tape's rule for the op's role. Matrices are
 * row-major; hidden states are [B*T, H] with the batch outermost.
 */
public final class Ops {
    private Ops() {}

    static Gemm gemm() { return Gemm.get(); }

    static Var out(Tensor t, boolean grad) { return new Var(t, grad); }

    // ---------------------------------------------------------------- linear layers

    /** y = x W^T + b with W [out, in] (the nn.Linear layout), x [..., in]. */
    public static Var linear(Tape tape, Var x, Var w, Var b, Role role, String name) {
        int out = w.value.dim(0), in = w.value.dim(1);
        int xs = x.value.size();
        if (x.value.dim(-1) != in) {
            throw new IllegalArgumentException(name + ": input " + x.value.shapeString() + " vs weight " + w.value.shapeString());
        }
        int n = xs / in;
        int[] shape = x.value.shape();
        shape[shape.length - 1] = out;
        Tensor y = Tensor.uninitialized(shape); // the product overwrites it (beta 0)
        boolean constantW = !w.requiresGrad();
        gemm().sgemmBias(false, true, n, out, in, x.value.data, 0, in, w.value.data, 0, in, constantW,
                b == null ? null : b.value.data, y.data, 0, out);

        Rule rule = tape.rules().get(role);
        boolean grad = tape.needsGrad(x, w, b);
        Var yv = out(y, grad);
        if (!grad) return yv;

        if (rule instanceof Rule.Gamma gr) {
            if (w.requiresGrad() || (b != null && b.requiresGrad())) {
                throw new IllegalStateException(name + ": the gamma rule is for explanations, not for training");
            }
            float gamma = (float) gr.gamma();
            float[] wp = positiveBoost(w.value.data, gamma);
            float[] bp = b == null ? null : positiveBoost(b.value.data, gamma);
            float[] zp = new float[y.size()];
            gemm().sgemm(false, true, n, out, in, 1f, x.value.data, 0, in, wp, 0, in, 0f, zp, 0, out);
            if (bp != null) addRowVector(zp, bp, n, out);
            float[] ratio = new float[zp.length];
            for (int i = 0; i < ratio.length; i++) ratio[i] = y.data[i] / zp[i];
            tape.record(new Tape.Node() {
                public Var output() { return yv; }
                public void backward(float[] g) {
                    float[] gz = new float[g.length];
                    for (int i = 0; i < g.length; i++) gz[i] = g[i] * ratio[i];
                    if (bp != null) tape.addBiasRelevance(name, gz, bp, n, out);
                    if (x.requiresGrad()) {
                        gemm().sgemm(false, false, n, in, out, 1f, gz, 0, out, wp, 0, in, 1f, x.gradBuffer(), 0, in);
                    }
                }
            });
            return yv;
        }
        if (w.requiresGrad()) tape.readsValue(x); // the weight's gradient g^T x
        tape.record(new Tape.Node() {
            public Var output() { return yv; }
            public void backward(float[] g) {
                if (b != null) {
                    tape.addBiasRelevance(name, g, b.value.data, n, out);
                    if (b.requiresGrad()) addColumnSums(g, b.gradBuffer(), n, out);
                }
                if (x.requiresGrad()) {
                    float accumulate = x.grad == null ? 0f : 1f; // a fresh buffer is zero: overwrite, nothing to read
                    gemm().sgemm(false, false, n, in, out, 1f, g, 0, out, w.value.data, 0, in, constantW, accumulate, x.gradBuffer(), 0, in);
                }
                if (w.requiresGrad()) {
                    gemm().sgemm(true, false, out, in, n, 1f, g, 0, out, x.value.data, 0, in, 1f, w.gradBuffer(), 0, in);
                }
            }
        });
        return yv;
    }

    private static float[] positiveBoost(float[] w, float gamma) {
        float[] r = new float[w.length];
        for (int i = 0; i < w.length; i++) r[i] = w[i] + gamma * Math.max(w[i], 0f);
        return r;
    }

    private static void addRowVector(float[] y, float[] b, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            for (int c = 0; c < cols; c++) y[o + c] += b[c];
        }
    }

    private static void addColumnSums(float[] g, float[] acc, int rows, int cols) {
        Rows.columnSums(g, 0, rows, cols, acc, 0, 0, cols);
    }

    // ---------------------------------------------------------------- normalisation

    /** The two LayerNorm conventions of the supported models. */
    public enum NormKind {
        /** (x - mean) / sqrt(var + eps), biased variance: BERT's LayerNorm. */
        BIASED_VARIANCE,
        /** (x - mean) / (std_unbiased + eps): the paper model's NormNoAffine. */
        UNBIASED_STD
    }

    /**
     * LayerNorm over the last axis, with optional affine w and b. The 1/std factor has role
     * {@link Role#NORM_SCALE}: the LN-rule makes it a constant while the mean stays in the graph.
     */
    public static Var layerNorm(Tape tape, Var x, Var w, Var b, double eps, NormKind kind, String name) {
        int n = x.value.dim(-1), rows = x.value.size() / n;
        float[] xd = x.value.data;
        Tensor y = Tensor.uninitialized(x.value.shape()); // every row written below
        float[] yd = y.data;
        boolean grad = tape.needsGrad(x, w, b);
        boolean scaleDetached = tape.rules().stops(Role.NORM_SCALE);
        // the backward pass reads xhat for the weight's gradient and the scale's (not under the LN-rule)
        boolean keepXhat = grad && (!scaleDetached || (w != null && w.requiresGrad()));
        float[] xhat = keepXhat ? Tensor.uninitialized(x.value.shape()).data : null;
        float[] wd = w == null ? filled(n, 1f) : w.value.data, bd = b == null ? new float[n] : b.value.data;
        double[] scale = new double[rows];   // the denominator s per row
        double[] dsFactor = new double[rows]; // ds/dx_i = (x_i - m) * dsFactor
        float[] means = new float[rows], inverses = new float[rows];
        Parallel.range(rows, Math.max(1, 16384 / n), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = r * n;
                double mean = Rows.sum(xd, o, n) / n;
                double ss = Rows.squaredDeviation(xd, o, n, mean);
                double s;
                if (kind == NormKind.BIASED_VARIANCE) {
                    s = Math.sqrt(ss / n + eps);
                    dsFactor[r] = 1.0 / (n * s);
                } else {
                    double std = Math.sqrt(ss / (n - 1));
                    s = std + eps;
                    dsFactor[r] = std == 0 ? 0 : 1.0 / ((n - 1) * std);
                }
                scale[r] = s;
                means[r] = (float) mean;
                inverses[r] = (float) (1 / s); // multiply by 1/s as PyTorch does (rsqrt)
            }
            Rows.normalize(xd, xhat, yd, wd, bd, means, inverses, r0, r1, n);
        });
        Var yv = out(y, grad);
        if (!grad) return yv;
        tape.record(new Tape.Node() {
            public Var output() { return yv; }
            public void backward(float[] g) {
                if (b != null) {
                    tape.addBiasRelevance(name, g, b.value.data, rows, n);
                    if (b.requiresGrad()) addColumnSums(g, b.gradBuffer(), rows, n);
                }
                if (w != null && w.requiresGrad()) {
                    float[] gw = w.gradBuffer();
                    for (int r = 0; r < rows; r++) {
                        int o = r * n;
                        for (int i = 0; i < n; i++) gw[i] += g[o + i] * xhat[o + i];
                    }
                }
                if (!x.requiresGrad()) return;
                float[] gx = x.gradBuffer();
                Parallel.range(rows, Math.max(1, 16384 / n),
                        (r0, r1) -> Rows.layerNormBackward(g, wd, xhat, gx, scale, dsFactor, scaleDetached, r0, r1, n));
            }
        });
        return yv;
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    // ---------------------------------------------------------------- elementwise


    /** Standard normal CDF (see {@link NormalCdf}). */
    static float phi(float z) { return NormalCdf.phi(z); }

    /** Exact erf GELU, z * Phi(z). Under the identity rule its backward is g * Phi(z) = g * gelu(z)/z. */
    public static Var gelu(Tape tape, Var x, Role role) {
        float[] z = x.value.data;
        Tensor y = Tensor.uninitialized(x.value.shape()); // both written element by element below
        boolean grad = tape.needsGrad(x);
        float[] cdf = grad ? Tensor.uninitialized(x.value.shape()).data : null; // the backward pass's slope
        float[] yd = y.data;
        Parallel.range(z.length, 1 << 15, (from, to) -> {
            if (Simd.ENABLED) {
                SimdKernels.gelu(z, cdf, yd, from, to);
                return;
            }
            for (int i = from; i < to; i++) {
                float c = phi(z[i]);
                if (cdf != null) cdf[i] = c;
                yd[i] = z[i] * c;
            }
        });
        if (!grad) return out(y, false);
        float[] slope = cdf; // identity rule: gelu(z)/z = Phi(z)
        if (!identityRule(tape, role)) {
            for (int i = 0; i < z.length; i++) slope[i] = (float) (cdf[i] + z[i] * NormalCdf.density(z[i]));
        }
        return recordElementwise(tape, x, y, slope);
    }

    /** tanh; under the identity rule its backward is g * tanh(z)/z (g where |z| < 1e-10). */
    public static Var tanh(Tape tape, Var x, Role role) {
        float[] z = x.value.data;
        Tensor y = Tensor.zeros(x.value.shape());
        for (int i = 0; i < z.length; i++) y.data[i] = (float) Math.tanh(z[i]);
        if (!tape.needsGrad(x)) return out(y, false);
        boolean identity = identityRule(tape, role);
        float[] slope = new float[z.length];
        for (int i = 0; i < z.length; i++) {
            double t = y.data[i];
            slope[i] = (float) (identity ? (Math.abs(z[i]) < 1e-10 ? 1.0 : Math.tanh(z[i]) / z[i]) : 1 - t * t);
        }
        return recordElementwise(tape, x, y, slope);
    }

    /** max(z, 0); its identity rule relu(z)/z = [z > 0] is its gradient, so every rule set gives the same backward. */
    public static Var relu(Tape tape, Var x, Role role) {
        float[] z = x.value.data;
        Tensor y = Tensor.zeros(x.value.shape());
        for (int i = 0; i < z.length; i++) y.data[i] = Math.max(z[i], 0f);
        if (!tape.needsGrad(x)) return out(y, false);
        float[] slope = new float[z.length];
        for (int i = 0; i < z.length; i++) slope[i] = z[i] > 0 ? 1f : 0f;
        return recordElementwise(tape, x, y, slope);
    }

    private static boolean identityRule(Tape tape, Role role) { return tape.rules().get(role) instanceof Rule.Identity; }

    /** Records an elementwise op whose backward is g_in = g_out * slope (the slope chosen by the rule). */
    private static Var recordElementwise(Tape tape, Var x, Tensor y, float[] slope) {
        Var yv = out(y, true);
        tape.record(new Tape.Node() {
            public Var output() { return yv; }
            public void backward(float[] g) {
                if (tape.canHandOver(x)) { // g * slope in place, and that is x's gradient: no zeroed buffer, no third array
                    Parallel.range(g.length, 1 << 15, (from, to) -> {
                        for (int i = from; i < to; i++) g[i] *= slope[i];
                    });
                    tape.handOver(x, g);
                    return;
                }
                float[] gx = x.gradBuffer();
                Parallel.range(g.length, 1 << 15, (from, to) -> {
                    for (int i = from; i < to; i++) gx[i] += g[i] * slope[i];
                });
            }
        });
        return yv;
    }

    /** a + b, same shapes (the residual connection). */
    public static Var add(Tape tape, Var a, Var b) {
        if (a.value.size() != b.value.size()) throw new IllegalArgumentException("add: shapes differ");
        Tensor y = Tensor.uninitialized(a.value.shape());
        float[] yd = y.data, ad = a.value.data, bd = b.value.data;
        Parallel.range(yd.length, 1 << 15, (from, to) -> {
            for (int i = from; i < to; i++) yd[i] = ad[i] + bd[i];
        });
        boolean grad = tape.needsGrad(a, b);
        Var yv = out(y, grad);
        if (!grad) return yv;
        tape.record(new Tape.Node() {
            public Var output() { return yv; }
            public void backward(float[] g) {
                // g itself becomes a's gradient when it can (the residual branch's, usually), b gets a copy
                boolean give = a != b && a.requiresGrad() && tape.canHandOver(a);
                if (b.requiresGrad()) Tape.accumulate(b, g);
                if (give) tape.handOver(a, g);
                else if (a.requiresGrad()) Tape.accumulate(a, g);
            }
        });
        return yv;
    }


    /** Inverted dropout in training mode; the identity otherwise. */
    public static Var dropout(Tape tape, Var x, double p) {
        if (!tape.training() || p == 0) return x;
        float keep = (float) (1 - p);
        float[] m = new float[x.value.size()];
        Tensor y = Tensor.zeros(x.value.shape());
        for (int i = 0; i < m.length; i++) {
            m[i] = tape.random().nextDouble() < p ? 0f : 1f / keep;
            y.data[i] = x.value.data[i] * m[i];
        }
        if (!tape.needsGrad(x)) return out(y, false);
        return recordElementwise(tape, x, y, m);
    }

    // ---------------------------------------------------------------- pooling

    /** Mean over the tokens of each sequence where mask is 1: [B*T, H] to [B, H]. */
    public static Var meanPool(Tape tape, Var x, int batch, int len, float[] mask) {
        int hidden = x.value.dim(-1);
        Tensor y = Tensor.zeros(batch, hidden);
        float[] w = new float[batch * len];
        for (int b = 0; b < batch; b++) {
            double count = 0;
            for (int t = 0; t < len; t++) count += mask == null ? 1 : mask[b * len + t];
            float inv = (float) (1.0 / Math.max(count, 1e-9));
            for (int t = 0; t < len; t++) w[b * len + t] = (mask == null ? 1 : mask[b * len + t]) * inv;
        }
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < len; t++) {
                float wt = w[b * len + t];
                if (wt == 0) continue;
                int xo = (b * len + t) * hidden;
                for (int h = 0; h < hidden; h++) y.data[b * hidden + h] += wt * x.value.data[xo + h];
            }
        }
        boolean grad = tape.needsGrad(x);
        Var yv = out(y, grad);
        if (!grad) return yv;
        tape.record(new Tape.Node() {
            public Var output() { return yv; }
            public void backward(float[] g) {
                float[] gx = x.gradBuffer();
                for (int b = 0; b < batch; b++) {
                    for (int t = 0; t < len; t++) {
                        float wt = w[b * len + t];
                        int xo = (b * len + t) * hidden;
                        for (int h = 0; h < hidden; h++) gx[xo + h] += wt * g[b * hidden + h];
                    }
                }
            }
        });
        return yv;
    }

    /** The first token of each sequence ([CLS]): [B*T, H] to [B, H]. */
    public static Var firstToken(Tape tape, Var x, int batch, int len) {
        int hidden = x.value.dim(-1);
        Tensor y = Tensor.zeros(batch, hidden);
        for (int b = 0; b < batch; b++) System.arraycopy(x.value.data, b * len * hidden, y.data, b * hidden, hidden);
        boolean grad = tape.needsGrad(x);
        Var yv = out(y, grad);
        if (!grad) return yv;
        tape.record(new Tape.Node() {
            public Var output() { return yv; }
            public void backward(float[] g) {
                float[] gx = x.gradBuffer();
                for (int b = 0; b < batch; b++) {
                    for (int h = 0; h < hidden; h++) gx[b * len * hidden + h] += g[b * hidden + h];
                }
            }
        });
        return yv;
    }

    // ---------------------------------------------------------------- loss

    /** Mean cross-entropy of logits [B, C] against labels; a scalar [1]. */
    public static Var crossEntropy(Tape tape, Var logits, int[] labels) {
        int batch = logits.value.dim(0), classes = logits.value.dim(1);
        float[] z = logits.value.data;
        float[] prob = new float[z.length];
        double loss = 0;
        for (int b = 0; b < batch; b++) {
            int o = b * classes;
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) max = Math.max(max, z[o + c]);
            double sum = 0;
            for (int c = 0; c < classes; c++) sum += Math.exp(z[o + c] - max);
            for (int c = 0; c < classes; c++) prob[o + c] = (float) (Math.exp(z[o + c] - max) / sum);
            loss -= z[o + labels[b]] - max - Math.log(sum);
        }
        Tensor y = new Tensor(new float[] {(float) (loss / batch)}, 1);
        boolean grad = tape.needsGrad(logits);
        Var yv = out(y, grad);
        if (!grad) return yv;
        tape.record(new Tape.Node() {
            public Var output() { return yv; }
            public void backward(float[] g) {
                float[] gz = logits.gradBuffer();
                float s = g[0] / batch;
                for (int b = 0; b < batch; b++) {
                    for (int c = 0; c < classes; c++) {
                        gz[b * classes + c] += s * (prob[b * classes + c] - (c == labels[b] ? 1f : 0f));
                    }
                }
            }
        });
        return yv;
    }
}
