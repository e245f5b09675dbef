package io.lrp.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The softmax's exponential against the double-precision exp rounded to float. */
class ExpTest {
    @Test
    void withinOneRoundingOfTheExactValue() {
        double worst = 0;
        float worstAt = 0;
        for (float x = 0f; x > -87.3f; x -= 1.7e-4f) { // the normal range of float32 results
            float want = (float) Math.exp(x), got = Exp.negative(x);
            double ulps = Math.abs(got - want) / Math.ulp(want);
            if (ulps > worst) {
                worst = ulps;
                worstAt = x;
            }
        }
        assertTrue(worst <= 1, "worst error " + worst + " ulp at x = " + worstAt);
    }

    @Test
    void endsAndSpecialValues() {
        assertEquals(1f, Exp.negative(0f), 0);
        assertEquals(1f, Exp.negative(-0f), 0);
        assertEquals((float) Math.exp(-1), Exp.negative(-1f), Math.ulp((float) Math.exp(-1)));
        assertEquals(0f, Exp.negative(-104f), 0);
        assertEquals(0f, Exp.negative(-1e4f), 0);   // a masked key
        assertEquals(0f, Exp.negative(Float.NEGATIVE_INFINITY), 0);
        assertTrue(Float.isNaN(Exp.negative(Float.NaN)));
        float denormal = Exp.negative(-100f);       // exp(-100) = 3.7e-44, a float32 denormal
        assertEquals((float) Math.exp(-100), denormal, 2 * Float.MIN_VALUE);
    }
}
