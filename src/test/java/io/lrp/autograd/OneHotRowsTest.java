package io.lrp.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrp.tensor.Bf16Matrix;
import io.lrp.tensor.BlockedMatrix;
import io.lrp.tensor.F32Matrix;
import io.lrp.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The head's backward for a one-logit seed reads one row of W instead of all of it
 * ({@link DecoderOps#oneHotRows}): the same values as the product g W, for F32 and BF16
 * matrices, a row of zeros included; a row with two non-zeros is left to the product.
 */
class OneHotRowsTest {
    private static final int OUT = 300, IN = 40, N = 3;

    private static Tensor weights() {
        SplittableRandom r = new SplittableRandom(5);
        Tensor w = Tensor.zeros(OUT, IN);
        for (int i = 0; i < w.data.length; i++) w.data[i] = (float) r.nextGaussian();
        return w;
    }

    @Test void aOneHotSeedGivesTheProductsValues() {
        Tensor t = weights();
        for (BlockedMatrix w : List.of(new F32Matrix(t), Bf16Matrix.of(t))) {
            float[] g = new float[N * OUT];
            g[0 * OUT + 7] = 1.5f;          // sample 0: logit 7
            g[2 * OUT + OUT - 1] = -0.25f;  // sample 2: the last logit; sample 1: no gradient
            Var x = Var.leaf(Tensor.zeros(N, IN));
            assertTrue(DecoderOps.oneHotRows(w, N, g, x), w.kernel());
            float[] expected = new float[N * IN];
            w.leftTimes(N, g, 0f, expected, 0f);
            float[] got = x.grad().data;
            for (int i = 0; i < expected.length; i++) assertEquals(expected[i], got[i], 0f, w.kernel() + " at " + i);
            assertTrue(Math.abs(got[3]) > 0 && got[IN + 3] == 0f, "rows of W reached sample 0, nothing sample 1");
        }
    }

    @Test void twoNonZerosInARowGoToTheProduct() {
        BlockedMatrix w = new F32Matrix(weights());
        float[] g = new float[N * OUT];
        g[OUT + 3] = 1f;
        g[OUT + 9] = 2f;
        Var x = Var.leaf(Tensor.zeros(N, IN));
        assertFalse(DecoderOps.oneHotRows(w, N, g, x));
        assertNull(x.grad(), "nothing written");
    }
}
