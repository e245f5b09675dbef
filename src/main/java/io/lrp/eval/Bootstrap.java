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
        return fromAreas(areas, seed);
    }

    /**
     * The same from the per-sample areas (method to sample index to AUAC, methods in report
     * order): what a distributed run collects instead of whole records.
     */
    public static Result fromAreas(Map<String, TreeMap<Integer, Double>> areas, long seed) {
        // the resamples are drawn over the union of sample indices, so that every pair sees the same draws
        TreeMap<Integer, Integer> position = new TreeMap<>();
        for (TreeMap<Integer, Double> a : areas.values()) for (int i : a.keySet()) position.putIfAbsent(i, 0);
        int[] indices = position.keySet().stream().mapToInt(Integer::intValue).toArray();
        List<String> names = new ArrayList<>(areas.keySet());
        List<Contrast> contrasts = new ArrayList<>(); // each method alone, then every pair a - b
        for (String m : names) contrasts.add(new Contrast(indices, areas.get(m), null));
        for (int i = 0; i < names.size(); i++) {
            for (int j = i + 1; j < names.size(); j++) contrasts.add(new Contrast(indices, areas.get(names.get(i)), areas.get(names.get(j))));
        }
        // one resample at a time (n counts in memory, not RESAMPLES x n), applied to every contrast
        int n = indices.length;
        int[] counts = new int[n];
        Random rnd = new Random(seed);
        for (int b = 0; b < RESAMPLES; b++) {
            java.util.Arrays.fill(counts, 0);
            for (int k = 0; k < n; k++) counts[rnd.nextInt(n)]++;
            for (Contrast c : contrasts) c.add(counts);
        }
        Map<String, Interval> single = new LinkedHashMap<>();
        List<Pair> pairs = new ArrayList<>();
        int c = 0;
        for (String m : names) single.put(m, contrasts.get(c++).interval());
        for (int i = 0; i < names.size(); i++) {
            for (int j = i + 1; j < names.size(); j++) {
                Contrast x = contrasts.get(c++);
                pairs.add(new Pair(names.get(i), names.get(j), x.paired, x.interval()));
            }
        }
        return new Result(seed, RESAMPLES, single, pairs);
    }

    /** The mean of a (or of a - b on the samples both have) and its resampled means. */
    private static final class Contrast {
        final double[] d;
        final boolean[] in;
        final double[] means = new double[RESAMPLES];
        double sum;
        int paired, used;

        Contrast(int[] indices, TreeMap<Integer, Double> a, TreeMap<Integer, Double> b) {
            int n = indices.length;
            d = new double[n];
            in = new boolean[n];
            for (int k = 0; k < n; k++) {
                Double x = a.get(indices[k]);
                Double y = b == null ? Double.valueOf(0) : b.get(indices[k]);
                if (x == null || y == null) continue;
                in[k] = true;
                d[k] = x - y;
                sum += d[k];
                paired++;
            }
        }

        void add(int[] counts) {
            double s = 0;
            long w = 0;
            for (int k = 0; k < counts.length; k++) {
                if (!in[k] || counts[k] == 0) continue;
                s += counts[k] * d[k];
                w += counts[k];
            }
            if (w > 0) means[used++] = s / w; // a resample that drew none of the paired samples is skipped
        }

        Interval interval() {
            if (paired == 0) return new Interval(Double.NaN, Double.NaN, Double.NaN);
            double[] sorted = Arrays.copyOf(means, used);
            Arrays.sort(sorted);
            double tail = (1 - LEVEL) / 2;
            return new Interval(sum / paired, quantile(sorted, tail), quantile(sorted, 1 - tail));
        }
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
