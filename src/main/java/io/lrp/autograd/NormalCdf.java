package io.lrp.autograd;

import org.apache.commons.numbers.gamma.Erfc;

/**
 * The standard normal CDF Phi(z) for the exact-erf GELU, z * Phi(z), which runs on every hidden
 * unit of every feed-forward block. A cubic Hermite interpolation of Phi (values from a
 * double-precision erfc, slopes from the exact density) on a grid of step 1/128 over [-8, 8]:
 * absolute error below 1e-11, i.e. exact in float32. Each interval's cubic is stored as four
 * Horner coefficients side by side (one cache line per lookup) and the input is clamped instead
 * of branched on, which makes a value cost a handful of multiply-adds. Outside the grid,
 * 1 - Phi(8) and Phi(-8) are below 7e-16; the table pins Phi(-8) to 0 and Phi(8) to 1.
 */
final class NormalCdf {
    private NormalCdf() {}

    private static final double LIMIT = 8, STEP = 1.0 / 128, INV_STEP = 128;
    private static final int INTERVALS = (int) (2 * LIMIT * INV_STEP);
    /** For interval i: c0 + t (c1 + t (c2 + t c3)), t in [0, 1); the last entry is the constant 1. */
    private static final double[] CUBIC = new double[4 * (INTERVALS + 1)];
    static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2 * Math.PI);

    static {
        for (int i = 0; i < INTERVALS; i++) {
            double z0 = -LIMIT + i * STEP, z1 = z0 + STEP;
            double v0 = i == 0 ? 0 : exact(z0), v1 = exact(z1);
            double s0 = density(z0) * STEP, s1 = density(z1) * STEP;
            CUBIC[4 * i] = v0;
            CUBIC[4 * i + 1] = s0;
            CUBIC[4 * i + 2] = 3 * (v1 - v0) - 2 * s0 - s1;
            CUBIC[4 * i + 3] = 2 * (v0 - v1) + s0 + s1;
        }
        CUBIC[4 * INTERVALS] = 1;
    }

    /** Phi(z) through a double-precision erfc (Apache Commons Numbers): the reference. */
    static double exact(double z) { return 0.5 * Erfc.value(-z / Math.sqrt(2)); }

    /** The standard normal density. */
    static double density(double z) { return INV_SQRT_2PI * Math.exp(-0.5 * z * z); }

    static double phi(double z) {
        double u = (Math.max(-LIMIT, Math.min(LIMIT, z)) + LIMIT) * INV_STEP; // NaN stays NaN
        int i = (int) u;
        double t = u - i;
        int k = 4 * i;
        return CUBIC[k] + t * (CUBIC[k + 1] + t * (CUBIC[k + 2] + t * CUBIC[k + 3]));
    }
}
