package io.lrp.autograd;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.commons.numbers.gamma.Erf;
import org.apache.commons.numbers.gamma.Erfc;
import org.junit.jupiter.api.Test;

/** The fast normal CDF behind GELU against a double-precision erf (Apache Commons Numbers). */
class PhiTest {
    @Test
    void matchesTheExactCdfToFloatPrecision() {
        double worstRel = 0, worstAbs = 0;
        for (double z = -12; z <= 12; z += 1e-3) {
            double exact = z < 0 ? 0.5 * Erfc.value(-z / Math.sqrt(2)) : 0.5 * (1 + Erf.value(z / Math.sqrt(2)));
            double fast = Ops.phi(z);
            worstAbs = Math.max(worstAbs, Math.abs(fast - exact));
            if (exact > 1e-300) worstRel = Math.max(worstRel, Math.abs(fast - exact) / exact);
        }
        // the fit's documented fractional error is < 1.2e-7 (relative to erfc, so also in the lower tail)
        assertTrue(worstRel < 1.2e-7, "relative error " + worstRel);
        assertTrue(worstAbs < 6e-8, "absolute error " + worstAbs);
    }
}
