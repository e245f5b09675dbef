package io.lrp.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Paired bootstrap intervals for AUAC. A sample's own AUAC is the trapezoid area of its generate
 * curve; the AUAC of a method is their mean (the area of the mean curve, the trapezoid rule being
 * linear). For every pair of methods, on the samples both evaluated, the difference of the means
 * is resampled: {@value #RESAMPLES} resamples of the samples with replacement, the same index
 * draws for every pair (one {@code java.util.Random(seed)}), and the 2.5% and 97.5% quantiles of
 * the resampled mean differences (linear interpolation between order statistics) bound the 95%
 * interval. A difference whose interval excludes 0 is one the data supports.
 */
public final class Bootstrap {
    public static final int RESAMPLES = 2000;
    public static final double LEVEL = 0.95;

    /** One method's AUAC with its interval. */
    public record Interval(double estimate, double lo, double hi) {
        public boolean excludesZero() { return lo > 0 || hi < 0; }
    }

    /** The AUAC difference a - b on n paired samples. */
    public record Pair(String a, String b, int n, Interval diff) {}

    /** Per-method intervals (in the given order) and every pair (a before b in that order). */
    public record Result(long seed, int resamples, Map<String, Interval> auac, List<Pair> pairs) {
        /** The pair of a and b with the difference a - b (either order). */
        public Pair pair(String a, String b) {
            for (Pair p : pairs) {
                if (p.a().equals(a) && p.b().equals(b)) return p;
                if (p.a().equals(b) && p.b().equals(a)) {
                    Interval d = p.diff();
                    return new Pair(a, b, p.n(), new Interval(-d.estimate(), -d.hi(), -d.lo()));
                }
            }
            return null;
        }
    }

    private Bootstrap() {}

    /** The per-sample AUAC of every record, by sample index. */
    public static TreeMap<Integer, Double> perSampleAuac(List<SampleRecord> records) {
        double[] f = Perturbation.fracs();
        TreeMap<Integer, Double> m = new TreeMap<>();
        for (SampleRecord r : records) m.put(r.index(), Curves.trapezoid(f, r.curves().generateE()));
        return m;
    }

    public static Result auac(Map<String, List<SampleRecord>> byMethod, long seed) {
        Map<String, TreeMap<Integer, Double>> areas = new LinkedHashMap<>();
        for (var e : byMethod.entrySet()) areas.put(e.getKey(), perSampleAuac(e.getValue()));
        // the resamples are drawn over the union of sample indices, so that every pair sees the same draws
        TreeMap<Integer, Integer> position = new TreeMap<>();
        for (TreeMap<Integer, Double> a : areas.values()) for (int i : a.keySet()) position.putIfAbsent(i, 0);
        int[] indices = position.keySet().stream().mapToInt(Integer::intValue).toArray();
        int n = indices.length;
        int[][] counts = new int[RESAMPLES][n]; // how often each sample is drawn in each resample
        Random rnd = new Random(seed);
        for (int b = 0; b < RESAMPLES; b++) for (int k = 0; k < n; k++) counts[b][rnd.nextInt(n)]++;

        Map<String, Interval> single = new LinkedHashMap<>();
        for (var e : areas.entrySet()) single.put(e.getKey(), interval(indices, counts, e.getValue(), null));
        List<Pair> pairs = new ArrayList<>();
        List<String> names = new ArrayList<>(areas.keySet());
        for (int i = 0; i < names.size(); i++) {
            for (int j = i + 1; j < names.size(); j++) {
                TreeMap<Integer, Double> a = areas.get(names.get(i)), c = areas.get(names.get(j));
                int paired = 0;
                for (int k : a.keySet()) if (c.containsKey(k)) paired++;
                pairs.add(new Pair(names.get(i), names.get(j), paired, interval(indices, counts, a, c)));
            }
        }
        return new Result(seed, RESAMPLES, single, pairs);
    }

    /** The mean of a (or of a - b on the samples both have) and its resampled quantiles. */
    private static Interval interval(int[] indices, int[][] counts, TreeMap<Integer, Double> a, TreeMap<Integer, Double> b) {
        int n = indices.length;
        double[] d = new double[n];
        boolean[] in = new boolean[n];
        double sum = 0;
        int m = 0;
        for (int k = 0; k < n; k++) {
            Double x = a.get(indices[k]);
            Double y = b == null ? Double.valueOf(0) : b.get(indices[k]);
            if (x == null || y == null) continue;
            in[k] = true;
            d[k] = x - y;
            sum += d[k];
            m++;
        }
        if (m == 0) return new Interval(Double.NaN, Double.NaN, Double.NaN);
        double[] means = new double[counts.length];
        int used = 0;
        for (int[] c : counts) {
            double s = 0;
            long w = 0;
            for (int k = 0; k < n; k++) {
                if (!in[k] || c[k] == 0) continue;
                s += c[k] * d[k];
                w += c[k];
            }
            if (w > 0) means[used++] = s / w; // a resample that drew none of the paired samples is skipped
        }
        double[] sorted = Arrays.copyOf(means, used);
        Arrays.sort(sorted);
        double tail = (1 - LEVEL) / 2;
        return new Interval(sum / m, quantile(sorted, tail), quantile(sorted, 1 - tail));
    }

    /** Quantile q of sorted values, interpolating linearly between order statistics (R's type 7). */
    static double quantile(double[] sorted, double q) {
        if (sorted.length == 0) return Double.NaN;
        double h = (sorted.length - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
