package io.lrp.explain;

import io.lrp.LrpException;
import io.lrp.autograd.RuleSet;
import io.lrp.autograd.Tape;
import io.lrp.autograd.Var;
import io.lrp.models.Batch;
import io.lrp.models.Model;
import io.lrp.tensor.Arena;
import io.lrp.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Computes relevance vectors for one padded batch: the numbers, without texts or labels. Each
 * method is a rule set and a reduction of one backward pass, a reduction of the recorded
 * attention, or a loop of forward passes (methods.md sections 3 and 4).
 */
public final class Relevance {

    /** Per-sample results; arrays are cut to each sample's true length. */
    public record Result(float[][] logits, int[] targets, double[][] relevance, Double[] bias) {}

    /** A recorded forward and backward pass under a rule set, for methods and tests that read it. */
    public record Pass(Tape tape, Var input, Var logits, int[] targets) {

        /** Relevance x * g summed over the hidden axis for each token of each sample. */
        public double[][] inputTimesGradient(Batch batch) { return reduceTokens(input, batch, false); }

        /** sum over the tokens of sample b of value * grad for a marked [B*T, H] tensor. */
        public double markedRelevance(String mark, Batch batch, int b) {
            double[][] r = reduceTokens(tape.marked(mark), batch, false);
            double s = 0;
            for (double v : r[b]) s += v;
            return s;
        }
    }

    private Relevance() {}

    /** Logits [B, C] of a forward pass without recording. */
    public static float[][] logits(Model model, Batch batch) {
        try (Arena scope = Arena.open()) { // activations reused by the next pass on this thread
            Var x = Var.constant(model.embed(batch));
            return rows(model.forward(Tape.inference().withoutAttention().batch(batch.size()), x, batch).value);
        }
    }

    /**
     * Runs forward under the rules, picks targets (the given ones, or the predicted class where
     * the entry is negative), and backpropagates the target logits.
     */
    public static Pass backward(Model model, Batch batch, RuleSet rules, int[] targets) {
        return backward(model, batch, rules, targets, model.embed(batch));
    }

    static Pass backward(Model model, Batch batch, RuleSet rules, int[] targets, Tensor embedded) {
        return backward(model, batch, rules, targets, embedded, false);
    }

    static Pass backward(Model model, Batch batch, RuleSet rules, int[] targets, Tensor embedded, boolean attentionGrads) {
        return backward(model, batch, rules, targets, embedded, attentionGrads, true);
    }

    static Pass backward(Model model, Batch batch, RuleSet rules, int[] targets, Tensor embedded, boolean attentionGrads,
                         boolean biasRelevance) {
        return backward(model, batch, rules, targets, embedded, attentionGrads, biasRelevance, null);
    }

    private static Pass backward(Model model, Batch batch, RuleSet rules, int[] targets, Tensor embedded, boolean attentionGrads,
                                 boolean biasRelevance, Runnable afterForward) {
        Tape tape = Tape.recording(rules).batch(batch.size());
        if (attentionGrads) tape.keepAttentionGradients();
        if (!biasRelevance) tape.withoutBiasRelevance();
        Var x = Var.leaf(embedded);
        Var logits = model.forward(tape, x, batch);
        if (afterForward != null) afterForward.run();
        int[] t = resolveTargets(rows(logits.value), targets);
        int classes = logits.value.dim(1);
        Tensor seed = Tensor.zeros(batch.size(), classes);
        for (int b = 0; b < batch.size(); b++) seed.data[b * classes + t[b]] = 1f;
        tape.backward(logits, seed);
        return new Pass(tape, x, logits, t);
    }

    static int[] resolveTargets(float[][] logits, int[] targets) {
        int[] t = new int[logits.length];
        for (int b = 0; b < t.length; b++) {
            int given = targets == null ? -1 : targets[b];
            if (given >= logits[b].length) {
                throw new LrpException("target " + given + " out of range: the model has " + logits[b].length + " classes");
            }
            t[b] = given >= 0 ? given : argmax(logits[b]);
        }
        return t;
    }

    public static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    static float[][] rows(Tensor t) {
        int n = t.dim(0), c = t.dim(1);
        float[][] r = new float[n][c];
        for (int i = 0; i < n; i++) System.arraycopy(t.data, i * c, r[i], 0, c);
        return r;
    }

    /** Per token: sum_d value*grad (or the L2 norm of grad), cut to each sample's length. */
    static double[][] reduceTokens(Var v, Batch batch, boolean gradNorm) {
        int len = batch.length(), hidden = v.value.dim(-1);
        Tensor g = v.grad();
        double[][] out = new double[batch.size()][];
        for (int b = 0; b < batch.size(); b++) {
            double[] r = new double[batch.lengths()[b]];
            for (int t = 0; t < r.length; t++) {
                if (g == null) continue;
                int o = (b * len + t) * hidden;
                double s = 0;
                for (int h = 0; h < hidden; h++) {
                    s += gradNorm ? (double) g.data[o + h] * g.data[o + h] : (double) v.value.data[o + h] * g.data[o + h];
                }
                r[t] = gradNorm ? Math.sqrt(s) : s;
            }
            out[b] = r;
        }
        return out;
    }

    /** Relevance for every sample of the batch by one method. */
    public static Result compute(Model model, Batch batch, Method method, int[] targets, Options opt) {
        return compute(model, batch, method, targets, opt, null);
    }

    /**
     * As above; for the methods of one recorded forward and one backward pass ({@link
     * Method#singlePass}), afterForward runs between the two, so that a caller can time them apart.
     */
    public static Result compute(Model model, Batch batch, Method method, int[] targets, Options opt, Runnable afterForward) {
        // every array of the computation goes back to this thread's pool at the end: the
        // result holds copies only (rows(), new relevance arrays)
        try (Arena scope = Arena.open()) {
            return computeIn(model, batch, method, targets, opt, afterForward);
        }
    }

    private static Result computeIn(Model model, Batch batch, Method method, int[] targets, Options opt, Runnable afterForward) {
        int n = batch.size();
        switch (method) {
            case GI, LRP_AH, LRP_AH_LN, LRP_AH_LN_CP, ATTNLRP -> {
                RuleSet rules = method.isLrp() ? method.rules().withGamma(opt.gamma()) : method.rules();
                Pass p = backward(model, batch, rules, targets, model.embed(batch), false, method.tracksBias(), afterForward);
                Double[] bias = new Double[n];
                if (method.tracksBias()) for (int b = 0; b < n; b++) bias[b] = p.tape().biasRelevance("", b);
                return new Result(rows(p.logits().value), p.targets(), p.inputTimesGradient(batch), bias);
            }
            case SALIENCY -> {
                Pass p = backward(model, batch, RuleSet.GRADIENT, targets, model.embed(batch), false, false, afterForward);
                return new Result(rows(p.logits().value), p.targets(), reduceTokens(p.input(), batch, true), new Double[n]);
            }
            case GAE -> {
                Pass p = backward(model, batch, RuleSet.GRADIENT, targets, model.embed(batch), true, false, afterForward);
                return new Result(rows(p.logits().value), p.targets(), AttentionMaps.gae(p.tape().attention(), batch), new Double[n]);
            }
            case A_LAST, ROLLOUT, ATTENTION_FLOW -> {
                Tape tape = Tape.inference().batch(n);
                Var logits = model.forward(tape, Var.constant(model.embed(batch)), batch);
                float[][] z = rows(logits.value);
                double[][] r = switch (method) {
                    case A_LAST -> AttentionMaps.lastLayer(tape.attention(), batch);
                    case ROLLOUT -> AttentionMaps.rollout(tape.attention(), batch);
                    default -> AttentionMaps.flow(tape.attention(), batch);
                };
                return new Result(z, resolveTargets(z, targets), r, new Double[n]);
            }
            case IG -> { return PathMethods.integratedGradients(model, batch, targets, opt.igSteps()); }
            case OCCLUSION -> { return PathMethods.occlusion(model, batch, targets); }
            case RANDOM -> {
                float[][] z = logits(model, batch);
                double[][] r = new double[n][];
                for (int b = 0; b < n; b++) {
                    Random rnd = new Random(opt.seed() + b);
                    r[b] = new double[batch.lengths()[b]];
                    for (int t = 0; t < r[b].length; t++) r[b][t] = rnd.nextGaussian();
                }
                return new Result(z, resolveTargets(z, targets), r, new Double[n]);
            }
            default -> throw new IllegalStateException("unhandled method " + method);
        }
    }

    /** Settings shared by the methods. */
    public record Options(double gamma, int igSteps, long seed) {
        public static final Options DEFAULT = new Options(0, 50, 0);
        public Options {
            if (!(gamma >= 0)) throw new LrpException("gamma must be >= 0, got " + gamma);
            if (igSteps < 1) throw new LrpException("IG steps must be >= 1, got " + igSteps);
        }
    }
}
