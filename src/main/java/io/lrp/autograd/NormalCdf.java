package io.lrp.autograd;

import org.apache.commons.numbers.gamma.Erfc;

/**
 * The standard normal CDF Phi(z) for the exact-erf GELU, z * Phi(z), which runs on every hidden
 * unit of every feed-forward block. A linear interpolation of Phi on a grid of step 1/1024 over
 * [-8, 8], values from a double-precision erfc: one table row (value and difference, adjacent
 * floats) and one multiply-add per unit, the input clamped instead of branched on.
 * Error: below 1e-7 absolute (about one float32 rounding near the centre) and, because the
 * interpolation error of a tail shrinks with Phi itself, below 1e-5 relative down to z = -8.
 * Outside the grid Phi is taken as 0 and 1 (the exact tails are below 7e-16).
 */
final class NormalCdf {
    private NormalCdf() {}

    private static final double LIMIT = 8, INV_STEP = 1024;
    private static final int INTERVALS = (int) (2 * LIMIT * INV_STEP);
    /** Row i: Phi(z_i) and Phi(z_i+1) - Phi(z_i); the last row is the constant 1. */
    private static final float[] ROWS = new float[2 * (INTERVALS + 1)];
    static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2 * Math.PI);

    static {
        for (int i = 0; i < INTERVALS; i++) {
            double v0 = i == 0 ? 0 : exact(-LIMIT + i / INV_STEP), v1 = i == INTERVALS - 1 ? 1 : exact(-LIMIT + (i + 1) / INV_STEP);
            ROWS[2 * i] = (float) v0;
            ROWS[2 * i + 1] = (float) (v1 - v0);
        }
        ROWS[2 * INTERVALS] = 1;
    }

    /** Phi(z) through a double-precision erfc (Apache Commons Numbers): the reference. */
    static double exact(double z) { return 0.5 * Erfc.value(-z / Math.sqrt(2)); }

    /** The standard normal density. */
    static double density(double z) { return INV_SQRT_2PI * Math.exp(-0.5 * z * z); }

    static float phi(float z) {
        double u = (Math.max(-8f, Math.min(8f, z)) + LIMIT) * INV_STEP; // exact; NaN stays NaN
        int i = (int) u;
        float t = (float) (u - i);
        int k = 2 * i;
        return ROWS[k] + t * ROWS[k + 1];
    }
}
