package io.lrp.tensor;

/**
 * exp(x) for x <= 0 in float32, the softmax's exponential (arguments are scores minus the row's
 * maximum). HotSpot's Math.exp is a call to a double-precision stub, a large part of the
 * softmax over long inputs; here exp(x) = exp(-i/64) exp(r) with the first factor from a table
 * (i = floor(-64 x), 6,657 doubles) and the second, r in (-1/64, 0], from its Taylor polynomial
 * of degree 4 (truncation below 1e-11), multiplied in double: the float32 rounding of the exact
 * value up to one unit in the last place.
 */
public final class Exp {
    private Exp() {}

    private static final int STEPS = 64, LAST = 104 * STEPS; // exp(-104) underflows float32 to 0
    private static final double[] TABLE = new double[LAST + 1];

    static {
        for (int i = 0; i <= LAST; i++) TABLE[i] = Math.exp(-(double) i / STEPS);
    }

    /** exp(x) for x <= 0 (NaN stays NaN; below -104 the result is 0, as float32 exp rounds it). */
    public static float negative(float x) {
        float c = x < -104f ? -104f : x;
        int i = (int) (c * -STEPS);                  // exact scaling by 2^6, then floor (c <= 0)
        double r = c + i * (1f / STEPS);             // exact: in (-1/64, 0]
        double p = 1 + r * (1 + r * (0.5 + r * (1.0 / 6 + r * (1.0 / 24))));
        return (float) (TABLE[i] * p);
    }
}
