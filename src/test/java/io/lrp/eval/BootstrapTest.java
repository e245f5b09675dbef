package io.lrp.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The paired bootstrap of AUAC differences on records whose per-sample AUAC is known. */
class BootstrapTest {

    /** A record whose generate curve is the constant a: its AUAC is a. */
    static SampleRecord record(int index, String method, double a) {
        double[] e = new double[Perturbation.STEPS];
        Arrays.fill(e, a);
        double[] zero = new double[Perturbation.STEPS];
        return new SampleRecord(index, index + 1, method, 0, 4, new int[] {1, 2, 3, 4}, new double[4], 1.0, null,
                new double[] {1, 0}, e, zero, e.clone(), zero.clone());
    }

    static Map<String, List<SampleRecord>> methods(double[]... auacs) {
        Map<String, List<SampleRecord>> m = new LinkedHashMap<>();
        for (int j = 0; j < auacs.length; j++) {
            List<SampleRecord> rs = new ArrayList<>();
            for (int i = 0; i < auacs[j].length; i++) rs.add(record(i, "m" + j, auacs[j][i]));
            m.put("m" + j, rs);
        }
        return m;
    }

    @Test
    void quantileInterpolatesBetweenOrderStatistics() {
        double[] v = {1, 2, 3, 4};
        assertEquals(2.5, Bootstrap.quantile(v, 0.5), 0);
        assertEquals(1.075, Bootstrap.quantile(v, 0.025), 1e-15);
        assertEquals(3.925, Bootstrap.quantile(v, 0.975), 1e-15);
        assertEquals(4, Bootstrap.quantile(v, 1), 0);
    }

    @Test
    void aConstantShiftHasADegenerateInterval() {
        Random r = new Random(3);
        double[] b = new double[50], a = new double[50];
        for (int i = 0; i < b.length; i++) {
            b[i] = r.nextDouble();
            a[i] = b[i] + 0.125;
        }
        Bootstrap.Result res = Bootstrap.auac(methods(a, b), 0);
        Bootstrap.Pair p = res.pair("m0", "m1");
        assertEquals(0.125, p.diff().estimate(), 1e-12);
        assertEquals(0.125, p.diff().lo(), 1e-12);
        assertEquals(0.125, p.diff().hi(), 1e-12);
        assertTrue(p.diff().excludesZero());
        Bootstrap.Pair q = res.pair("m1", "m0");
        assertEquals(-0.125, q.diff().estimate(), 1e-12);
        assertEquals(-0.125, q.diff().hi(), 1e-12);
        assertEquals(50, p.n());
    }

    @Test
    void intervalMatchesTheNormalApproximation() {
        // differences d_i = 0.1 + N(0, 1): the 95% interval of the mean is about d ± 1.96 s / sqrt(n)
        Random r = new Random(11);
        int n = 400;
        double[] a = new double[n], b = new double[n];
        double sum = 0, sq = 0;
        for (int i = 0; i < n; i++) {
            b[i] = r.nextGaussian();
            a[i] = b[i] + 0.1 + r.nextGaussian();
            double d = a[i] - b[i];
            sum += d;
            sq += d * d;
        }
        double mean = sum / n, sd = Math.sqrt((sq - n * mean * mean) / (n - 1)), half = 1.96 * sd / Math.sqrt(n);
        Bootstrap.Pair p = Bootstrap.auac(methods(a, b), 7).pair("m0", "m1");
        assertEquals(mean, p.diff().estimate(), 1e-12);
        assertEquals(mean - half, p.diff().lo(), 0.1 * half);
        assertEquals(mean + half, p.diff().hi(), 0.1 * half);
    }

    @Test
    void aTieContainsZeroAndTheEstimateIsTheDifferenceOfTheAreas() {
        Random r = new Random(5);
        double[] a = new double[200], b = new double[200];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextDouble();
            b[i] = r.nextDouble();
        }
        Map<String, List<SampleRecord>> m = methods(a, b);
        Bootstrap.Result res = Bootstrap.auac(m, 0);
        Bootstrap.Pair p = res.pair("m0", "m1");
        double areas = summarize(m.get("m0")).auac() - summarize(m.get("m1")).auac();
        assertEquals(areas, p.diff().estimate(), 1e-12);
        assertEquals(summarize(m.get("m0")).auac(), res.auac().get("m0").estimate(), 1e-12);
        assertTrue(p.diff().lo() < 0 && p.diff().hi() > 0, "interval " + p.diff());
        assertFalse(p.diff().excludesZero());
        // seeded: the same numbers again
        assertEquals(p, Bootstrap.auac(m, 0).pair("m0", "m1"));
    }

    static Curves.Summary summarize(List<SampleRecord> rs) {
        List<Curves.Sample> s = new ArrayList<>();
        for (SampleRecord x : rs) s.add(x.curves());
        return Curves.summarize(s);
    }
}
