package io.lrp.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The interpolated normal CDF behind GELU against the double-precision erfc it is built from. */
class PhiTest {
    @Test
    void matchesTheExactCdfBetweenGridPoints() {
        double worst = 0, worstRel = 0;
        for (double z = -12; z <= 12; z += 1e-3 / 3) { // off-grid points
            double exact = NormalCdf.exact(z), fast = Ops.phi(z);
            worst = Math.max(worst, Math.abs(fast - exact));
            if (z > -5) worstRel = Math.max(worstRel, Math.abs(fast - exact) / exact);
        }
        assertTrue(worst < 1e-11, "absolute error " + worst);
        assertTrue(worstRel < 1e-8, "relative error above z = -5: " + worstRel);
    }

    @Test
    void knownValues() {
        assertEquals(0.5, Ops.phi(0), 1e-15);
        assertEquals(0.8413447460685429, Ops.phi(1), 1e-12);   // Phi(1)
        assertEquals(0.022750131948179195, Ops.phi(-2), 1e-12); // Phi(-2)
        assertEquals(1.0, Ops.phi(40), 0);
        assertEquals(0.0, Ops.phi(-40), 0);
        assertTrue(Double.isNaN(Ops.phi(Double.NaN)));
    }
}
