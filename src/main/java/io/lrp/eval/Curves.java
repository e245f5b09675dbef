package io.lrp.eval;

import java.util.List;

/**
 * Mean perturbation curves over a data set and their areas (methods.md section 6): AUAC (mean
 * generate E, higher is better), AUPC (mean pruning E, higher is better), AU-MSE (mean pruning M,
 * lower is better), and, as an extra, the area of the mean generate M.
 */
public final class Curves {
    private Curves() {}

    /** The four per-sample curves that enter the means. */
    public record Sample(double[] generateE, double[] generateM, double[] pruningE, double[] pruningM) {
        public static Sample of(Perturbation.Result r) {
            return new Sample(r.generate().e(), r.generate().m(), r.pruning().e(), r.pruning().m());
        }
    }

    /** Mean curves over n samples and their trapezoid areas over the fractions. */
    public record Summary(int n, double[] fracs, double[] meanGenerateE, double[] meanGenerateM,
                          double[] meanPruningE, double[] meanPruningM,
                          double auac, double aupc, double auMse, double auGenerateM) {}

    /** Means in the order given (summed in that order, then divided by n). */
    public static Summary summarize(List<Sample> samples) {
        int n = samples.size();
        int s = Perturbation.STEPS;
        double[] ge = new double[s], gm = new double[s], pe = new double[s], pm = new double[s];
        for (Sample x : samples) {
            for (int k = 0; k < s; k++) {
                ge[k] += x.generateE()[k];
                gm[k] += x.generateM()[k];
                pe[k] += x.pruningE()[k];
                pm[k] += x.pruningM()[k];
            }
        }
        for (int k = 0; k < s && n > 0; k++) {
            ge[k] /= n;
            gm[k] /= n;
            pe[k] /= n;
            pm[k] /= n;
        }
        if (n == 0) {
            java.util.Arrays.fill(ge, Double.NaN);
            java.util.Arrays.fill(gm, Double.NaN);
            java.util.Arrays.fill(pe, Double.NaN);
            java.util.Arrays.fill(pm, Double.NaN);
        }
        double[] f = Perturbation.fracs();
        return new Summary(n, f, ge, gm, pe, pm, trapezoid(f, ge), trapezoid(f, pe), trapezoid(f, pm), trapezoid(f, gm));
    }

    /** The trapezoid rule: sum of (x[k+1]-x[k]) * (y[k]+y[k+1]) / 2. */
    public static double trapezoid(double[] x, double[] y) {
        if (x.length != y.length) throw new IllegalArgumentException("x and y differ in length");
        double a = 0;
        for (int k = 0; k + 1 < x.length; k++) a += (x[k + 1] - x[k]) * (y[k] + y[k + 1]) / 2;
        return a;
    }
}
