package io.lrp.viz;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/** Shared diverging colour scale and number formatting for the views. */
final class Heat {

    private Heat() {}

    /**
     * Background colour for a relevance normalised by the largest magnitude: white at 0, pure red
     * {@code (255,0,0)} at {@code +max}, pure blue {@code (0,0,255)} at {@code -max}, linear in
     * between. A zero or non-finite maximum gives white.
     */
    static int[] rgb(double r, double maxAbs) {
        double t = maxAbs > 0 && Double.isFinite(maxAbs) && Double.isFinite(r) ? r / maxAbs : 0;
        t = Math.max(-1, Math.min(1, t));
        int fade = (int) Math.round(255 * (1 - Math.abs(t)));
        return t >= 0 ? new int[] {255, fade, fade} : new int[] {fade, fade, 255};
    }

    /** True when black text reads better than white on this background. */
    static boolean darkText(int[] c) {
        double lum = 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
        return lum > 0.179;
    }

    private static double lin(int v) {
        double s = v / 255.0;
        return s <= 0.04045 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
    }

    static double maxAbs(double[] values) {
        double m = 0;
        for (double v : values) {
            if (Double.isFinite(v)) {
                m = Math.max(m, Math.abs(v));
            }
        }
        return m;
    }

    /**
     * Decimals used to show values whose largest magnitude is {@code maxAbs}: two significant
     * digits of the largest value, at least two decimals ({@code 0.41 -> 2}, {@code 0.05 -> 3}).
     */
    static int decimals(double maxAbs) {
        if (!(maxAbs > 0) || !Double.isFinite(maxAbs)) {
            return 2;
        }
        int d = 1 - (int) Math.floor(Math.log10(maxAbs));
        return Math.max(2, Math.min(8, d));
    }

    /** Signed fixed-point value, e.g. {@code +0.41}. */
    static String signed(double v, int decimals) {
        return String.format(Locale.ROOT, "%+." + decimals + "f", v);
    }

    /** At most six significant digits, no trailing zeros: 0.461, 1.75, 1.23E-7. */
    static String num(double v) {
        if (!Double.isFinite(v)) {
            return Double.toString(v);
        }
        if (v == 0) {
            return "0";
        }
        BigDecimal b = new BigDecimal(v).round(new MathContext(6)).stripTrailingZeros();
        double a = Math.abs(v);
        return a >= 1e-4 && a < 1e7 ? b.toPlainString() : b.toString();
    }

    /** Numerically stable softmax. */
    static double[] softmax(double[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (double l : logits) {
            max = Math.max(max, l);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    static int argmax(double[] a) {
        int best = 0;
        for (int i = 1; i < a.length; i++) {
            if (a[i] > a[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Name of class {@code i}: from {@code labels} when present, else {@code fallback}. */
    static String label(java.util.List<String> labels, int i, String fallback) {
        if (labels != null && i >= 0 && i < labels.size() && labels.get(i) != null) {
            return labels.get(i);
        }
        return fallback != null ? fallback : "class " + i;
    }

    /** An explanation of a sentence similarity ({@code lrp similar}): one score, labelled "similarity". */
    static boolean isSimilarity(io.lrp.explain.Explanation e) {
        return e.logits().length == 1 && "similarity".equals(e.label());
    }
}
