package io.lrp.eval;

import io.lrp.LrpException;
import io.lrp.explain.Relevance;
import io.lrp.models.Batch;
import io.lrp.models.Model;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The input perturbation curves of one input (methods.md section 6): generate (MoRF insertion)
 * and pruning (LeRF deletion) at the fractions k/10, k = 0..10, with the evidence
 * {@code E = softmax(z)[y]} and {@code M = sum_k (z0_k - z_k)^2} at every step.
 *
 * <p>Every token, special tokens included, can be perturbed (replaced by the model's [UNK]),
 * except a leading run of positions an input declares kept: a graph's virtual node, which is
 * the readout and no part of the molecule. N then counts the perturbable positions only.
 * The distinct perturbed inputs of one sample (and the unperturbed one, for z0) all have the
 * same length, so they run as one unpadded batch of forward passes (split into chunks for long
 * inputs); each row of a batch is computed independently, so the numbers are those of one
 * input at a time.
 */
public final class Perturbation {
    private Perturbation() {}

    /** Number of fraction points: k/10 for k = 0..10. */
    public static final int STEPS = 11;

    /** Token positions per forward batch chunk (rows * N * N bounded for the attention maps). */
    static final long MAX_CELLS_PER_CHUNK = 1L << 22;

    /** The fractions k/10, k = 0..10. */
    public static double[] fracs() {
        double[] f = new double[STEPS];
        for (int k = 0; k < STEPS; k++) f[k] = k / 10.0;
        return f;
    }

    /** n_flip[k] = ceil(k*N/10) in exact integer arithmetic. */
    public static int[] nFlip(int n) {
        int[] r = new int[STEPS];
        for (int k = 0; k < STEPS; k++) r[k] = (int) (((long) k * n + 9) / 10);
        return r;
    }

    /** Indices by relevance descending; ties (-0.0 and 0.0 are equal) keep the lower index first. */
    public static int[] orderGenerate(double[] r) {
        return stableOrder(r.length, (a, b) -> r[a] > r[b] ? -1 : r[a] < r[b] ? 1 : 0);
    }

    /** Indices by |relevance| ascending; ties keep the lower index first. */
    public static int[] orderPruning(double[] r) {
        return stableOrder(r.length, (a, b) -> Math.abs(r[a]) < Math.abs(r[b]) ? -1 : Math.abs(r[a]) > Math.abs(r[b]) ? 1 : 0);
    }

    private static int[] stableOrder(int n, Comparator<Integer> cmp) {
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        Arrays.sort(idx, cmp); // a stable merge sort for objects
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = idx[i];
        return out;
    }

    /** The generate inputs: every position of the order [UNK], the first n_flip[k] of it restored (N = the order's length). */
    public static int[][] generateInputs(int[] ids, int[] order, int unkId) {
        int[] nf = nFlip(order.length);
        int[][] out = new int[STEPS][];
        for (int k = 0; k < STEPS; k++) {
            int[] x = ids.clone();
            for (int p : order) x[p] = unkId;
            for (int j = 0; j < nf[k]; j++) x[order[j]] = ids[order[j]];
            out[k] = x;
        }
        return out;
    }

    /** The pruning inputs: the first n_flip[k] of the order replaced by [UNK] (N = the order's length). */
    public static int[][] pruningInputs(int[] ids, int[] order, int unkId) {
        int[] nf = nFlip(order.length);
        int[][] out = new int[STEPS][];
        for (int k = 0; k < STEPS; k++) {
            int[] x = ids.clone();
            for (int j = 0; j < nf[k]; j++) x[order[j]] = unkId;
            out[k] = x;
        }
        return out;
    }

    /** One curve: E and M per fraction, and the logits they came from. */
    public record Curve(double[] e, double[] m, double[][] logits) {}

    /**
     * One input as the model reads it (ids and token types) and how many of its leading
     * positions are never perturbed.
     */
    public record Input(Batch.Sequence sequence, int kept) {
        public Input {
            if (kept < 0 || kept >= sequence.length()) {
                throw new LrpException("kept positions " + kept + " of " + sequence.length() + ": nothing left to perturb");
            }
        }
    }

    /**
     * Both curves of one input for one relevance vector. n is the input's length; orders and
     * nFlip cover the perturbable positions (all of them unless the input keeps some).
     */
    public record Result(int label, int n, double[] z0, int[] nFlip, int[] orderGenerate, int[] orderPruning,
                         Curve generate, Curve pruning) {}

    /** E = softmax(z)[y], computed in double with the maximum subtracted. */
    public static double evidence(double[] z, int y) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) max = Math.max(max, v);
        double s = 0;
        for (double v : z) s += Math.exp(v - max);
        return Math.exp(z[y] - max) / s;
    }

    /** M = sum_k (z0_k - z_k)^2. */
    public static double squaredChange(double[] z0, double[] z) {
        double s = 0;
        for (int k = 0; k < z.length; k++) {
            double d = z0[k] - z[k];
            s += d * d;
        }
        return s;
    }

    /**
     * Runs both curves for one input: token ids (special tokens included), the label y whose
     * evidence is measured, and one relevance value per token.
     */
    public static Result run(Model model, int[] ids, int label, double[] relevance) {
        if (ids.length == 0) throw new LrpException("cannot perturb an empty input");
        return run(model, new Input(new Batch.Sequence(ids), 0), label, relevance);
    }

    /** Both curves for one input whose first {@code input.kept()} positions stay as they are. */
    public static Result run(Model model, Input input, int label, double[] relevance) {
        int[] ids = input.sequence().ids();
        int n = ids.length, kept = input.kept();
        if (relevance.length != n) {
            throw new LrpException("relevance has " + relevance.length + " values for " + n + " tokens");
        }
        for (double r : relevance) {
            if (!Double.isFinite(r)) throw new LrpException("relevance holds a non-finite value (" + r + ")");
        }
        double[] free = Arrays.copyOfRange(relevance, kept, n);
        int[] og = shift(orderGenerate(free), kept), op = shift(orderPruning(free), kept);
        int[][] gen = generateInputs(ids, og, model.unkId()), pru = pruningInputs(ids, op, model.unkId());

        // the distinct inputs: the original (z0) first, then the curves' inputs in order
        List<int[]> rows = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        int z0Row = rowOf(ids, rows, seen);
        int[] genRow = new int[STEPS], pruRow = new int[STEPS];
        for (int k = 0; k < STEPS; k++) genRow[k] = rowOf(gen[k], rows, seen);
        for (int k = 0; k < STEPS; k++) pruRow[k] = rowOf(pru[k], rows, seen);

        double[][] z = logits(model, rows, input.sequence().types());
        if (label < 0 || label >= z[z0Row].length) {
            throw new LrpException("label " + label + " out of range: the model has " + z[z0Row].length + " classes");
        }
        double[] z0 = z[z0Row];
        return new Result(label, n, z0.clone(), nFlip(n - kept), og, op, curve(z, genRow, z0, label), curve(z, pruRow, z0, label));
    }

    private static int[] shift(int[] order, int by) {
        for (int i = 0; i < order.length; i++) order[i] += by;
        return order;
    }

    private static int rowOf(int[] x, List<int[]> rows, Map<String, Integer> seen) {
        return seen.computeIfAbsent(Arrays.toString(x), key -> {
            rows.add(x);
            return rows.size() - 1;
        });
    }

    private static Curve curve(double[][] z, int[] rowOfStep, double[] z0, int label) {
        double[] e = new double[STEPS], m = new double[STEPS];
        double[][] logits = new double[STEPS][];
        for (int k = 0; k < STEPS; k++) {
            double[] zk = z[rowOfStep[k]];
            logits[k] = zk.clone();
            e[k] = evidence(zk, label);
            m[k] = squaredChange(z0, zk);
        }
        return new Curve(e, m, logits);
    }

    /** Logits of equal-length inputs sharing one row of token types, in chunks, as doubles. */
    static double[][] logits(Model model, List<int[]> inputs, int[] types) {
        int n = inputs.get(0).length;
        int chunk = (int) Math.max(1, Math.min(inputs.size(), MAX_CELLS_PER_CHUNK / ((long) n * n)));
        double[][] out = new double[inputs.size()][];
        for (int start = 0; start < inputs.size(); start += chunk) {
            int end = Math.min(inputs.size(), start + chunk);
            List<Batch.Sequence> seqs = new ArrayList<>();
            for (int[] x : inputs.subList(start, end)) seqs.add(new Batch.Sequence(x, types));
            float[][] z = Relevance.logits(model, Batch.ofSequences(seqs, model.padId()));
            for (int i = start; i < end; i++) {
                float[] f = z[i - start];
                double[] d = new double[f.length];
                for (int c = 0; c < f.length; c++) d[c] = f[c];
                out[i] = d;
            }
        }
        return out;
    }
}
