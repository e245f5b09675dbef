package io.lrp.autograd;

import io.lrp.tensor.BlockedMatrix;
import io.lrp.tensor.Gemm;
import io.lrp.tensor.JavaGemm;
import io.lrp.tensor.Parallel;
import io.lrp.tensor.Simd;
import io.lrp.tensor.SimdKernels;
import io.lrp.tensor.Tensor;

/**
 * The nodes decoder language models add to those of {@link Ops} and {@link Attention}
 * (methods.md section 8): RMSNorm, the gated SiLU product, gelu_new, rotary position
 * embeddings, causal attention with grouped key/value heads, and the pick of each sequence's
 * last position. Each node's backward follows the tape's rule for its role, like the encoder ops.
 */
public final class DecoderOps {
    private DecoderOps() {}

    // ---------------------------------------------------------------- BF16 linear layers

    /**
     * y = x W^T + b with W [out, in] multiplied a slice at a time ({@link BlockedMatrix}:
     * BF16 weights widened per slice inside the product, or large F32 ones), the same node as {@link Ops#linear} for constant weights: the
     * backward g W and the bias relevance under every rule, the gamma rule's product with the
     * boosted weights widened the same way. The weights are constants (explanations, generation).
     */
    public static Var linear(Tape tape, Var x, BlockedMatrix w, Var b, Role role, String name) {
        int out = w.rows(), in = w.cols();
        if (x.value.dim(-1) != in) {
            throw new IllegalArgumentException(name + ": input " + x.value.shapeString() + " vs weight [" + out + ", " + in + "]");
        }
        if (b != null && b.requiresGrad()) throw new IllegalStateException(name + ": BF16 layers hold constants");
        int n = x.value.size() / in;
        int[] shape = x.value.shape();
        shape[shape.length - 1] = out;
        Tensor y = Tensor.uninitialized(shape);
        w.timesTransposed(n, x.value.data, b == null ? null : b.value.data, y.data, 0f);
        boolean grad = tape.needsGrad(x);
        Var yv = Ops.out(y, grad);
        if (!grad) return yv;
        Rule rule = tape.rules().get(role);
        if (rule instanceof Rule.Gamma gr) {
            float gamma = (float) gr.gamma();
            float[] bp = null;
            if (b != null) {
                bp = new float[out];
                for (int i = 0; i < out; i++) bp[i] = b.value.data[i] + gamma * Math.max(b.value.data[i], 0f);
            }
            float[] zp = new float[y.size()];
            w.timesTransposed(n, x.value.data, bp, zp, gamma);
            float[] ratio = zp; // y / zp in place: zp is read nowhere else
            for (int i = 0; i < ratio.length; i++) ratio[i] = y.data[i] / zp[i];
            float[] bias = bp;
            tape.record(new Tape.Node() {
                public Var output() { return yv; }
                public void backward(float[] g) {
                    float[] gz = new float[g.length];
                    for (int i = 0; i < g.length; i++) gz[i] = g[i] * ratio[i];
                    if (bias != null) tape.addBiasRelevance(name, gz, bias, n, out);
                    float accumulate = x.grad == null ? 0f : 1f;
                    w.leftTimes(n, gz, accumulate, x.gradBuffer(), gamma);
                }
            });
            return yv;
        }
        tape.record(new Tape.Node() {
            public Var output() { return yv; }
            public void backward(float[] g) {
                if (b != null) tape.addBiasRelevance(name, g, b.value.data, n, out);
                if (x.grad == null && oneHotRows(w, n, g, x)) return;
                float accumulate = x.grad == null ? 0f : 1f; // a fresh buffer is zero: overwrite, nothing to read
                w.leftTimes(n, g, accumulate, x.gradBuffer(), 0f);
            }
        });
        return yv;
    }

    /**
     * gx = g W when no row of g has more than one non-zero entry, as where the seed of one
     * logit per sample reaches the head: that row of W times the value, instead of a pass over
     * all of W (Llama-3.2-1B's head is 1 GB). The values are the product's (a sum of one product
     * and zeros). x must have no gradient yet; false, with nothing written, when a row of g has
     * two non-zeros or more.
     */
    static boolean oneHotRows(BlockedMatrix w, int n, float[] g, Var x) {
        int out = w.rows(), in = w.cols();
        int[] at = new int[n];
        for (int i = 0; i < n; i++) {
            at[i] = -1;
            for (int j = 0, o = i * out; j < out; j++) {
                if (g[o + j] != 0f) { // NaN too: it spreads over the row as in the product
                    if (at[i] >= 0) return false;
                    at[i] = j;
                }
            }
        }
        float[] gx = x.gradBuffer(), row = new float[in];
        for (int i = 0; i < n; i++) {
            if (at[i] < 0) continue;
            float v = g[i * out + at[i]];
            w.row(at[i], row, 0);
            for (int k = 0, o = i * in; k < in; k++) gx[o + k] = v * row[k];
        }
        return true;
    }

    // ---------------------------------------------------------------- RMSNorm

    /**
     * y = w * x * r with r = 1 / sqrt(mean(x^2) + eps) per row (LLaMA's RMSNorm). r has role
     * {@link Role#NORM_SCALE}: the LN-rule makes it a constant, so the node is then the linear
     * map g_x = g * w * r.
     */
    public static Var rmsNorm(Tape tape, Var x, Var w, double eps, String name) {
        if (w.requiresGrad()) throw new IllegalStateException(name + ": RMSNorm weights are constants of an explanation");
        int n = x.value.dim(-1), rows = x.value.size() / n;
        float[] xd = x.value.data, wd = w.value.data;
        Tensor y = Tensor.uninitialized(x.value.shape());
        float[] yd = y.data;
        float[] inv = new float[rows];
        Parallel.range(rows, Math.max(1, 16384 / n), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = r * n;
                double ss = 0;
                for (int i = 0; i < n; i++) ss += (double) xd[o + i] * xd[o + i];
                float s = (float) (1 / Math.sqrt(ss / n + eps));
                inv[r] = s;
                for (int i = 0; i < n; i++) yd[o + i] = wd[i] * (xd[o + i] * s);
            }
        });
        boolean grad = tape.needsGrad(x);
        Var yv = Ops.out(y, grad);
        if (!grad) return yv;
        boolean detached = tape.rules().stops(Role.NORM_SCALE);
        if (!detached) tape.readsValue(x);
        tape.record(new Tape.Node() {
            public Var output() { return yv; }
            public void backward(float[] g) {
                float[] gx = x.gradBuffer();
                Parallel.range(rows, Math.max(1, 16384 / n), (r0, r1) -> {
                    for (int r = r0; r < r1; r++) {
                        int o = r * n;
                        float s = inv[r];
                        if (detached) {
                            for (int i = 0; i < n; i++) gx[o + i] += g[o + i] * wd[i] * s;
                            continue;
                        }
                        // d(x_i r)/dx_k = r delta_ik - r^3 x_i x_k / n
                        double dot = 0;
                        for (int i = 0; i < n; i++) dot += (double) g[o + i] * wd[i] * xd[o + i];
                        double c = dot * s * s * s / n;
                        for (int i = 0; i < n; i++) gx[o + i] += (float) (g[o + i] * wd[i] * s - c * xd[o + i]);
                    }
                });
            }
        });
        return yv;
    }

    // ---------------------------------------------------------------- activations

    /**
     * silu(gate) * up, the product of a gated MLP. The product has role {@code product}
     * ({@link Role#GATE}): a stop rule makes silu(gate) a constant (g_up = g silu(gate), nothing
     * to the gate: LXT's CP-LRP), a scale rule multiplies the gradient of both factors (AttnLRP:
     * 1/2). The SiLU follows the rule of {@code activation}: identity rule g * sigmoid(z) =
     * g * silu(z)/z, else its derivative.
     */
    public static Var gatedSilu(Tape tape, Var gate, Var up, Role activation, Role product) {
        return gatedSilu(tape, gate, up, activation, product, null, null);
    }

    /**
     * {@link #gatedSilu(Tape, Var, Var, Role, Role)} that, when the rule makes silu(gate) a
     * constant, keeps the gate's input (gateInput, [rows, hidden]) instead of silu(gate) ([rows,
     * intermediate], 4x as large for LLaMA) and computes the gate again in the backward pass with
     * gateAgain, the same product on the same numbers, so the same bits. It trades one product
     * per layer for memory on large models.
     */
    public static Var gatedSilu(Tape tape, Var gate, Var up, Role activation, Role product,
                                Var gateInput, java.util.function.UnaryOperator<Tensor> gateAgain) {
        if (gate.value.size() != up.value.size()) throw new IllegalArgumentException("gate and up differ in shape");
        float[] z = gate.value.data, u = up.value.data;
        Tensor y = Tensor.uninitialized(up.value.shape());
        float[] yd = y.data;
        boolean grad = tape.needsGrad(gate, up);
        Rule rule = grad ? tape.rules().get(product) : null;
        boolean gateConstant = rule instanceof Rule.Stop;
        boolean recompute = gateConstant && gateAgain != null && gateInput != null;
        float[] a = grad && !recompute ? new float[z.length] : null; // silu(gate), read by the backward
        Parallel.range(z.length, 1 << 14, (from, to) -> silu(z, a, u, yd, from, to));
        if (!grad) return Ops.out(y, false);
        if (recompute) tape.readsValue(gateInput);
        float scale = rule instanceof Rule.Scale sc ? (float) sc.factor() : 1f;
        float[] gateSlope; // d(product)/d(gate) per element: up * slope of the SiLU under its rule
        if (gateConstant || !gate.requiresGrad()) {
            gateSlope = null;
        } else {
            boolean identity = tape.rules().get(activation) instanceof Rule.Identity;
            gateSlope = new float[z.length];
            for (int i = 0; i < z.length; i++) {
                double sig = 1 / (1 + Math.exp(-z[i]));
                double slope = identity ? sig : sig * (1 + z[i] * (1 - sig));
                gateSlope[i] = (float) (slope * u[i]);
            }
        }
        Var yv = Ops.out(y, true);
        tape.record(new Tape.Node() {
            public Var output() { return yv; }
            public void backward(float[] g) {
                if (up.requiresGrad()) {
                    float[] gu = up.gradBuffer();
                    if (a != null) {
                        for (int i = 0; i < g.length; i++) gu[i] += scale * g[i] * a[i];
                    } else {
                        Tensor again = gateAgain.apply(gateInput.value);
                        float[] z2 = again.data;
                        if (z2.length != g.length) throw new IllegalStateException("the gate computed again has another shape");
                        Parallel.range(g.length, 1 << 14, (from, to) -> {
                            silu(z2, z2, null, null, from, to);
                            for (int i = from; i < to; i++) gu[i] += scale * g[i] * z2[i];
                        });
                        io.lrp.tensor.Arena.release(z2);
                    }
                }
                if (gateSlope != null) {
                    float[] gg = gate.gradBuffer();
                    for (int i = 0; i < g.length; i++) gg[i] += scale * g[i] * gateSlope[i];
                }
            }
        });
        return yv;
    }

    /** s = silu(z) (unless s is null), y = s * u (unless y is null) on [from, to): the vector kernel, or without the vector module a scalar loop. */
    private static void silu(float[] z, float[] s, float[] u, float[] y, int from, int to) {
        if (Simd.ENABLED) {
            SimdKernels.silu(z, s, u, y, from, to);
            return;
        }
        for (int i = from; i < to; i++) {
            float v = silu(z[i]);
            if (s != null) s[i] = v;
            if (y != null) y[i] = v * u[i];
        }
    }

    /** z sigmoid(z), the exponential always of a non-positive argument ({@link io.lrp.tensor.Exp}: Math.exp is a slow stub call). */
    private static float silu(float z) {
        if (z >= 0) return (float) (z / (1 + (double) io.lrp.tensor.Exp.negative(-z)));
        double e = io.lrp.tensor.Exp.negative(z); // NaN arrives here and stays NaN
        return (float) (z * e / (1 + e));
    }

    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

    /**
     * gelu_new (GPT-2's tanh approximation), 0.5 z (1 + tanh(sqrt(2/pi) (z + 0.044715 z^3))).
     * Under the identity rule its backward is g * 0.5 (1 + tanh(...)) = g * gelu_new(z)/z.
     */
    public static Var geluNew(Tape tape, Var x, Role role) {
        float[] z = x.value.data;
        Tensor y = Tensor.uninitialized(x.value.shape());
        float[] yd = y.data;
        boolean grad = tape.needsGrad(x);
        boolean identity = tape.rules().get(role) instanceof Rule.Identity;
        float[] slope = grad ? new float[z.length] : null;
        Parallel.range(z.length, 1 << 14, (from, to) -> {
            for (int i = from; i < to; i++) {
                double v = z[i];
                double t = Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v));
                double half = 0.5 * (1 + t);
                yd[i] = (float) (v * half);
                if (slope != null) {
                    slope[i] = (float) (identity ? half
                            : half + 0.5 * v * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * v * v));
                }
            }
        });
        if (!grad) return Ops.out(y, false);
        Var yv = Ops.out(y, true);
        tape.record(new Tape.Node() {
            public Var output() { return yv; }
            public void backward(float[] g) {
                float[] gx = x.gradBuffer();
                for (int i = 0; i < g.length; i++) gx[i] += g[i] * slope[i];
            }
        });
        return yv;
    }

    // ---------------------------------------------------------------- rotary embeddings

    /**
     * Rotary position embedding in Hugging Face's rotate-half layout: within each head of d
     * columns, (x_i, x_{i+d/2}) is rotated by the angle of row t's position and frequency i.
     * cos and sin are [T, d/2] tables (one row per position of the T rows of each sample). A
     * rotation is linear: plain gradient (the transposed rotation) in every rule set.
     */
    public static Var rope(Tape tape, Var x, int batch, int len, int heads, float[] cos, float[] sin) {
        int width = x.value.dim(-1), d = width / heads, half = d / 2;
        float[] xd = x.value.data;
        Tensor y = Tensor.uninitialized(x.value.shape());
        float[] yd = y.data;
        int rows = batch * len;
        Parallel.range(rows, Math.max(1, 8192 / width), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int t = r % len;
                for (int h = 0; h < heads; h++) {
                    int o = r * width + h * d;
                    for (int i = 0; i < half; i++) {
                        float c = cos[t * half + i], s = sin[t * half + i];
                        float a = xd[o + i], b = xd[o + i + half];
                        yd[o + i] = a * c - b * s;
                        yd[o + i + half] = b * c + a * s;
                    }
                }
            }
        });
        boolean grad = tape.needsGrad(x);
        Var yv = Ops.out(y, grad);
        if (!grad) return yv;
        tape.record(new Tape.Node() {
            public Var output() { return yv; }
            public void backward(float[] g) {
                float[] gx = x.gradBuffer();
                Parallel.range(rows, Math.max(1, 8192 / width), (r0, r1) -> {
                    for (int r = r0; r < r1; r++) {
                        int t = r % len;
                        for (int h = 0; h < heads; h++) {
                            int o = r * width + h * d;
                            for (int i = 0; i < half; i++) {
                                float c = cos[t * half + i], s = sin[t * half + i];
                                float ga = g[o + i], gb = g[o + i + half];
                                gx[o + i] += ga * c + gb * s;
                                gx[o + i + half] += gb * c - ga * s;
                            }
                        }
                    }
                });
            }
        });
        return yv;
    }

    // ---------------------------------------------------------------- causal attention

    private static final Gemm SMALL = new JavaGemm();

    private static Gemm headGemm(int m, int n, int k) { return (long) m * n * k < 2048 ? SMALL : Ops.gemm(); }

    /**
     * Causal self-attention with grouped key/value heads: q [B*T, heads*d], k and v
     * [B*T, kvHeads*d]; query head h reads key/value head h / (heads / kvHeads) (repeat_kv).
     * Query i attends keys j <= i; the masked probabilities are exactly 0 (as with an additive
     * finfo.min). The probabilities [B, heads, T, T] carry {@link Role#ATTENTION_PROBS}, both
     * products {@link Role#ATTENTION_MATMUL}, as in {@link Attention}. Right padding needs no
     * mask: a real query never sees a later (padded) key.
     */
    public static Attention.Heads causalAttention(Tape tape, Var q, Var k, Var v, int batch, int len, int heads, int kvHeads,
                                                  float scale) {
        int width = q.value.dim(-1), d = width / heads, kvWidth = k.value.dim(-1);
        if (heads % kvHeads != 0 || kvWidth != kvHeads * d || v.value.dim(-1) != kvWidth) {
            throw new IllegalArgumentException("attention shapes: q " + q.value.shapeString() + ", k " + k.value.shapeString()
                    + ", v " + v.value.shapeString() + " for " + heads + " heads, " + kvHeads + " key/value heads");
        }
        int rep = heads / kvHeads;
        float factor = tape.rules().get(Role.ATTENTION_MATMUL) instanceof Rule.Scale sc ? (float) sc.factor() : 1f;
        boolean pGrad = tape.needsGrad(q, k) && !tape.rules().stops(Role.ATTENTION_PROBS);
        boolean constantP = !pGrad && !tape.keepsAttentionGradients() && tape.needsGrad(v);
        // Nothing reads all of P afterwards (the AH-rule's backward computes it again; a forward
        // pass without attention maps drops it): each head's P lives in a scratch array only,
        // instead of [B, heads, T, T] (34 MB a layer for Llama-3.2-1B at 512 tokens).
        boolean perHead = constantP || (!tape.needsGrad(q, k, v) && !tape.keepsAttention());
        Tensor p = perHead ? null : Tensor.zeros(batch, heads, len, len);
        int block = causalBlock; // the forward pass and the recomputation in its backward alike
        Tensor c = Tensor.uninitialized(batch * len, width);
        float[] qd = q.value.data, kd = k.value.data, vd = v.value.data, pAll = perHead ? null : p.data, cd = c.data;
        eachGroup(batch, kvHeads, len, (b, g) -> {
            int ko = b * len * kvWidth + g * d;
            float[] pd = perHead ? headScratch(len * len) : pAll;
            for (int h = g * rep; h < (g + 1) * rep; h++) {
                int qo = b * len * width + h * d, po = perHead ? 0 : (b * heads + h) * len * len;
                causalProbabilities(qd, qo, width, kd, ko, kvWidth, len, d, scale, pd, po, block);
                for (int i0 = 0; i0 < len; i0 += block) { // a block of queries reads the values its keys see
                    int i1 = Math.min(len, i0 + block), rows = i1 - i0;
                    headGemm(rows, d, i1).sgemm(false, false, rows, d, i1, 1f, pd, po + i0 * len, len, vd, ko, kvWidth,
                            0f, cd, qo + i0 * width, width);
                }
            }
        });
        if (constantP) return constantProbabilities(tape, q, k, v, c, batch, len, heads, kvHeads, scale, factor, block);
        if (perHead) return new Attention.Heads(null, Ops.out(c, false)); // as Attention: no maps kept
        float[] pd = pAll;
        Var pv = Ops.out(p, pGrad);
        tape.observeAttention(pv);
        if (pGrad) {
            tape.readsValue(q, k);
            float f = scale * factor;
            tape.record(new Tape.Node() {
                public Var output() { return pv; }
                public void backward(float[] gp) {
                    float[] gs = new float[gp.length];
                    for (int r = 0; r < gp.length / len; r++) {
                        int o = r * len, n = r % len + 1; // row r is query r % len: keys 0..i
                        double dot = 0;
                        for (int j = 0; j < n; j++) dot += (double) gp[o + j] * pd[o + j];
                        for (int j = 0; j < n; j++) gs[o + j] = pd[o + j] * (float) (gp[o + j] - dot);
                    }
                    float[] gq = q.requiresGrad() ? q.gradBuffer() : null, gk = k.requiresGrad() ? k.gradBuffer() : null;
                    eachGroup(batch, kvHeads, len, (b, g) -> {
                        int ko = b * len * kvWidth + g * d;
                        for (int h = g * rep; h < (g + 1) * rep; h++) {
                            int qo = b * len * width + h * d, po = (b * heads + h) * len * len;
                            if (gq != null) headGemm(len, d, len).sgemm(false, false, len, d, len, f, gs, po, len,
                                    kd, ko, kvWidth, 1f, gq, qo, width);
                            if (gk != null) headGemm(len, d, len).sgemm(true, false, len, d, len, f, gs, po, len,
                                    qd, qo, width, 1f, gk, ko, kvWidth);
                        }
                    });
                }
            });
        }
        boolean cGrad = tape.needsGrad(pv, v);
        Var cv = Ops.out(c, cGrad);
        if (!cGrad) return new Attention.Heads(pv, cv);
        if (pv.requiresGrad()) tape.readsValue(v);
        if (v.requiresGrad()) tape.readsValue(pv);
        tape.record(new Tape.Node() {
            public Var output() { return cv; }
            public void backward(float[] g) {
                float[] gp = pv.requiresGrad() ? pv.gradBuffer() : null, gv = v.requiresGrad() ? v.gradBuffer() : null;
                eachGroup(batch, kvHeads, len, (b, grp) -> {
                    int ko = b * len * kvWidth + grp * d;
                    for (int h = grp * rep; h < (grp + 1) * rep; h++) {
                        int qo = b * len * width + h * d, po = (b * heads + h) * len * len;
                        if (gp != null) headGemm(len, len, d).sgemm(false, true, len, len, d, factor, g, qo, width,
                                vd, ko, kvWidth, 1f, gp, po, len);
                        if (gv != null) headGemm(len, d, len).sgemm(true, false, len, d, len, factor, pd, po, len,
                                g, qo, width, 1f, gv, ko, kvWidth);
                    }
                });
            }
        });
        return new Attention.Heads(pv, cv);
    }

    /**
     * The probabilities as constants (the AH-rule) on a recording tape: the backward only needs
     * P^T g for v, so instead of every layer's P [B, heads, T, T] (34 MB a layer for
     * Llama-3.2-1B at 512 tokens) the node keeps q and k (5 MB) and computes each head's P
     * again, by the same products and softmax as the forward pass (the same bits). P never
     * exists whole, and the tape lists no attention maps for this layer (no method reading them
     * runs on a recording tape under the AH-rule; GAE keeps them).
     */
    private static Attention.Heads constantProbabilities(Tape tape, Var q, Var k, Var v, Tensor c, int batch, int len,
                                                         int heads, int kvHeads, float scale, float factor, int block) {
        int width = q.value.dim(-1), d = width / heads, kvWidth = k.value.dim(-1), rep = heads / kvHeads;
        Var pv = Ops.out(new Tensor(new float[0], 0), false);
        Var cv = Ops.out(c, true);
        tape.readsValue(q, k);
        float[] qd = q.value.data, kd = k.value.data;
        tape.record(new Tape.Node() {
            public Var output() { return cv; }
            public void backward(float[] g) {
                float[] gv = v.gradBuffer();
                eachGroup(batch, kvHeads, len, (b, grp) -> {
                    float[] pd = headScratch(len * len);
                    int ko = b * len * kvWidth + grp * d;
                    for (int h = grp * rep; h < (grp + 1) * rep; h++) {
                        int qo = b * len * width + h * d;
                        causalProbabilities(qd, qo, width, kd, ko, kvWidth, len, d, scale, pd, 0, block);
                        for (int i0 = 0; i0 < len; i0 += block) { // gv of the keys a block of queries sees
                            int i1 = Math.min(len, i0 + block), rows = i1 - i0;
                            headGemm(i1, d, rows).sgemm(true, false, i1, d, rows, factor, pd, i0 * len, len, g, qo + i0 * width,
                                    width, 1f, gv, ko, kvWidth);
                        }
                    }
                });
            }
        });
        return new Attention.Heads(pv, cv);
    }

    /**
     * Causal attention for one query per sample, the only row a decoder's last layer has to
     * produce: q [B, heads*d] is sample b's query at position pos[b], k and v [B*T, kvHeads*d]
     * hold all T positions, and the query attends keys 0..pos[b]. The numbers are those of row
     * pos[b] of {@link #causalAttention} (up to rounding), with the same rules: the probabilities
     * are constant when {@link Role#ATTENTION_PROBS} stops, both products scale the gradient by
     * the {@link Role#ATTENTION_MATMUL} factor. No attention map is observed.
     */
    public static Var queryAttention(Tape tape, Var q, Var k, Var v, int batch, int len, int[] pos, int heads, int kvHeads,
                                     float scale) {
        int width = q.value.dim(-1), d = width / heads, kvWidth = k.value.dim(-1), rep = heads / kvHeads;
        if (heads % kvHeads != 0 || kvWidth != kvHeads * d || v.value.dim(-1) != kvWidth || q.value.size() != batch * width
                || k.value.size() != batch * len * kvWidth || pos.length != batch) {
            throw new IllegalArgumentException("query attention shapes: q " + q.value.shapeString() + ", k " + k.value.shapeString()
                    + ", v " + v.value.shapeString() + " for " + batch + " queries, " + heads + " heads, " + kvHeads + " key/value heads");
        }
        float factor = tape.rules().get(Role.ATTENTION_MATMUL) instanceof Rule.Scale sc ? (float) sc.factor() : 1f;
        boolean pGrad = tape.needsGrad(q, k) && !tape.rules().stops(Role.ATTENTION_PROBS);
        float[] qd = q.value.data, kd = k.value.data, vd = v.value.data;
        float[] p = new float[batch * heads * len];
        Tensor c = Tensor.zeros(batch, width);
        float[] cd = c.data;
        Parallel.range(batch * heads, 1, (first, last) -> {
            for (int bh = first; bh < last; bh++) {
                int b = bh / heads, h = bh % heads, n = pos[b] + 1;
                int qo = b * width + h * d, ko = b * len * kvWidth + (h / rep) * d, po = bh * len;
                for (int j = 0; j < n; j++) {
                    double dot = 0;
                    for (int i = 0; i < d; i++) dot += qd[qo + i] * kd[ko + j * kvWidth + i];
                    p[po + j] = (float) (scale * dot);
                }
                causalSoftmaxRow(p, po, n, len);
                for (int j = 0; j < n; j++) {
                    float pj = p[po + j];
                    for (int i = 0; i < d; i++) cd[qo + i] += pj * vd[ko + j * kvWidth + i];
                }
            }
        });
        boolean grad = tape.needsGrad(v) || pGrad;
        Var cv = Ops.out(c, grad);
        if (!grad) return cv;
        tape.readsValue(v);
        if (pGrad) tape.readsValue(q, k);
        tape.record(new Tape.Node() {
            public Var output() { return cv; }
            public void backward(float[] g) {
                float[] gv = v.requiresGrad() ? v.gradBuffer() : null;
                float[] gq = pGrad && q.requiresGrad() ? q.gradBuffer() : null, gk = pGrad && k.requiresGrad() ? k.gradBuffer() : null;
                float f = scale * factor;
                // a key/value head's rows are written by its group of query heads: one task per (sample, group)
                Parallel.range(batch * kvHeads, 1, (first, last) -> {
                    float[] gs = new float[len];
                    for (int bg = first; bg < last; bg++) {
                        int b = bg / kvHeads, grp = bg % kvHeads, n = pos[b] + 1, ko = b * len * kvWidth + grp * d;
                        for (int h = grp * rep; h < (grp + 1) * rep; h++) {
                            int qo = b * width + h * d, po = (b * heads + h) * len;
                            if (gv != null) {
                                for (int j = 0; j < n; j++) {
                                    float w = factor * p[po + j];
                                    for (int i = 0; i < d; i++) gv[ko + j * kvWidth + i] += w * g[qo + i];
                                }
                            }
                            if (!pGrad) continue;
                            double dot = 0;
                            for (int j = 0; j < n; j++) {
                                double gp = 0;
                                for (int i = 0; i < d; i++) gp += g[qo + i] * vd[ko + j * kvWidth + i];
                                gs[j] = (float) (factor * gp);
                                dot += (double) gs[j] * p[po + j];
                            }
                            for (int j = 0; j < n; j++) gs[j] = p[po + j] * (float) (gs[j] - dot);
                            for (int j = 0; j < n; j++) {
                                float w = f * gs[j];
                                for (int i = 0; i < d; i++) {
                                    if (gq != null) gq[qo + i] += w * kd[ko + j * kvWidth + i];
                                    if (gk != null) gk[ko + j * kvWidth + i] += w * qd[qo + i];
                                }
                            }
                        }
                    }
                });
            }
        });
        return cv;
    }

    private static final ThreadLocal<float[]> HEAD = new ThreadLocal<>();

    /** This thread's buffer of one head's probabilities (kept: allocating 1 MB per head filled the old generation with garbage). */
    private static float[] headScratch(int n) {
        float[] a = HEAD.get();
        if (a == null || a.length < n) HEAD.set(a = new float[n]);
        return a;
    }

    /**
     * Query rows per block of the causal products: block [i0, i1) multiplies keys 0 .. i1 only,
     * the rest of its rows being masked (at 512 tokens 10/16 of the full products).
     * -Dlrp.causalBlock sets it (a length or more: the whole square, to compare).
     */
    private static volatile int causalBlock = Math.max(1, Integer.getInteger("lrp.causalBlock", 128));

    /** Sets the query rows per block of the causal products (see causalBlock) and returns the old value (tests compare block sizes). */
    public static int causalBlock(int rows) {
        int old = causalBlock;
        causalBlock = Math.max(1, rows);
        return old;
    }

    /**
     * One head's causal probabilities softmax(scale q k^T) into rows of p at po (row stride
     * len), a block of queries at a time (see causalBlock); the forward pass and the AH-rule's
     * recomputation call it alike, with the same block, so both get the same bits. Row i holds
     * keys 0..i; its masked entries up to the block's last key become 0, those after it are
     * left as they were (zeros of a map that is kept; scratch nobody reads otherwise).
     */
    private static void causalProbabilities(float[] qd, int qo, int width, float[] kd, int ko, int kvWidth, int len, int d,
                                            float scale, float[] p, int po, int block) {
        for (int i0 = 0; i0 < len; i0 += block) {
            int i1 = Math.min(len, i0 + block), rows = i1 - i0;
            headGemm(rows, i1, d).sgemm(false, true, rows, i1, d, scale, qd, qo + i0 * width, width, kd, ko, kvWidth, 0f,
                    p, po + i0 * len, len);
            for (int i = i0; i < i1; i++) causalSoftmaxRow(p, po + i * len, i + 1, i1);
        }
    }

    /** Softmax of row[o .. o+n) in place; the entries n .. len of the row become 0 (masked keys). */
    public static void causalSoftmaxRow(float[] s, int o, int n, int len) {
        java.util.Arrays.fill(s, o + n, o + len, 0f);
        if (Simd.ENABLED) SimdKernels.softmaxInPlace(s, o, n);
        else Attention.softmaxRow(s, s, o, n);
    }

    @FunctionalInterface
    private interface GroupWork {
        void run(int b, int group);
    }

    /** Work per (sample, key/value head): the query heads of one group write the same key/value gradient. */
    private static void eachGroup(int batch, int kvHeads, int len, GroupWork work) {
        Parallel.range(batch * kvHeads, Math.max(1, 16384 / (len * len)), (first, last) -> {
            for (int i = first; i < last; i++) work.run(i / kvHeads, i % kvHeads);
        });
    }

    // ---------------------------------------------------------------- rows

    /** The given rows of x [N, H] as [rows.length, H] (each sequence's last position); the gradient goes back to them. */
    public static Var pickRows(Tape tape, Var x, int[] rows) {
        int h = x.value.dim(-1);
        Tensor y = Tensor.uninitialized(rows.length, h);
        for (int i = 0; i < rows.length; i++) System.arraycopy(x.value.data, rows[i] * h, y.data, i * h, h);
        boolean grad = tape.needsGrad(x);
        Var yv = Ops.out(y, grad);
        if (!grad) return yv;
        tape.record(new Tape.Node() {
            public Var output() { return yv; }
            public void backward(float[] g) {
                float[] gx = x.gradBuffer();
                for (int i = 0; i < rows.length; i++) {
                    for (int j = 0; j < h; j++) gx[rows[i] * h + j] += g[i * h + j];
                }
            }
        });
        return yv;
    }
}
