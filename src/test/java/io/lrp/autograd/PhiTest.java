package io.lrp.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The interpolated normal CDF behind GELU against the double-precision erfc it is built from. */
class PhiTest {
    @Test
    void matchesTheExactCdfBetweenGridPoints() {
        double worst = 0, worstRel = 0;
        for (double d = -12; d <= 12; d += 1e-3 / 3) { // off-grid points
            float z = (float) d;
            double exact = NormalCdf.exact(z), fast = Ops.phi(z);
            worst = Math.max(worst, Math.abs(fast - exact));
            if (z > -7.99) worstRel = Math.max(worstRel, Math.abs(fast - exact) / exact);
        }
        assertTrue(worst < 1e-7, "absolute error " + worst);
        assertTrue(worstRel < 1e-5, "relative error above z = -8: " + worstRel);
    }

    @Test
    void knownValues() {
        assertEquals(0.5, Ops.phi(0f), 0);                        // a grid point
        assertEquals(0.8413447460685429, Ops.phi(1f), 6e-8);      // Phi(1), a grid point: float rounding
        assertEquals(0.022750131948179195, Ops.phi(-2f), 2e-9);   // Phi(-2)
        assertEquals(1.0, Ops.phi(40f), 0);
        assertEquals(0.0, Ops.phi(-40f), 0);
        assertTrue(Float.isNaN(Ops.phi(Float.NaN)));
    }
}
