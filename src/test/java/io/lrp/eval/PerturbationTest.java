package io.lrp.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrp.LrpException;
import io.lrp.explain.Relevance;
import io.lrp.models.Batch;
import io.lrp.models.bert.BertModel;
import org.junit.jupiter.api.Test;

class PerturbationTest {

    @Test
    void nFlipIsExactCeiling() {
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, Perturbation.nFlip(10));
        assertArrayEquals(new int[] {0, 1, 2, 3, 3, 4, 5, 5, 6, 7, 7}, Perturbation.nFlip(7));
        assertArrayEquals(new int[] {0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, Perturbation.nFlip(1));
        for (int n = 1; n < 600; n++) {
            int[] f = Perturbation.nFlip(n);
            for (int k = 0; k <= 10; k++) {
                // ceil(k*n/10) by exact rational comparison
                int c = f[k];
                assertEquals(true, 10L * c >= (long) k * n && 10L * (c - 1) < (long) k * n, "n=" + n + " k=" + k);
            }
        }
    }

    @Test
    void ordersAreStableAndTreatSignedZerosAlike() {
        double[] r = {0.5, -1.0, 0.5, 0.0, -0.0, 2.0, -0.5};
        assertArrayEquals(new int[] {5, 0, 2, 3, 4, 6, 1}, Perturbation.orderGenerate(r));
        assertArrayEquals(new int[] {3, 4, 0, 2, 6, 1, 5}, Perturbation.orderPruning(r));
    }

    @Test
    void perturbedInputs() {
        int[] ids = {101, 11, 12, 13, 102};
        int[] order = {2, 0, 4, 1, 3};
        int[][] gen = Perturbation.generateInputs(ids, order, 100);
        assertArrayEquals(new int[] {100, 100, 100, 100, 100}, gen[0]);
        assertArrayEquals(new int[] {100, 100, 12, 100, 100}, gen[1]); // ceil(0.5) = 1
        assertArrayEquals(new int[] {101, 100, 12, 100, 100}, gen[3]); // ceil(1.5) = 2
        assertArrayEquals(ids, gen[10]);
        int[][] pru = Perturbation.pruningInputs(ids, order, 100);
        assertArrayEquals(ids, pru[0]);
        assertArrayEquals(new int[] {100, 11, 100, 13, 102}, pru[3]);
        assertArrayEquals(new int[] {100, 100, 100, 100, 100}, pru[10]);
    }

    @Test
    void evidenceAndSquaredChange() {
        assertEquals(0.5, Perturbation.evidence(new double[] {3, 3}, 1), 1e-15);
        assertEquals(1 / (1 + Math.exp(-2)), Perturbation.evidence(new double[] {1, -1}, 0), 1e-15);
        assertEquals(1.0, Perturbation.evidence(new double[] {1000, -1000}, 0), 0);
        assertEquals(13.0, Perturbation.squaredChange(new double[] {1, 2}, new double[] {3, -1}), 0);
        assertEquals(0.37, Curves.trapezoid(Perturbation.fracs(), new double[] {0.2, 0.3, 0.3, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4}), 1e-12);
        assertEquals(0.5, Curves.trapezoid(Perturbation.fracs(), Perturbation.fracs()), 1e-15);
    }

    /**
     * The 22 variants run as one batch give the logits of one-by-one passes up to float32
     * rounding: OpenBLAS may pick other kernels for another number of rows, so equality is not
     * bitwise (measured: about 1e-7). Within one batch the duplicated inputs (pruning at 0 and
     * generate at 1 are the original input) are one row, so M is exactly 0 there.
     */
    @Test
    void batchedVariantsEqualOneByOne() {
        BertModel model = Golden.miniLmHead();
        int[] ids = model.tokenizer().encode("An instant classic, and a wonderful soundtrack.").ids();
        double[] r = new double[ids.length];
        for (int i = 0; i < r.length; i++) r[i] = Math.sin(3.1 * i);
        Perturbation.Result p = Perturbation.run(model, ids, 1, r);
        int[][][] inputs = {Perturbation.generateInputs(ids, p.orderGenerate(), model.unkId()),
                Perturbation.pruningInputs(ids, p.orderPruning(), model.unkId())};
        Perturbation.Curve[] curves = {p.generate(), p.pruning()};
        double worst = 0;
        float[] z0 = Relevance.logits(model, Batch.single(ids))[0];
        for (int j = 0; j < z0.length; j++) worst = Math.max(worst, Math.abs(z0[j] - p.z0()[j]));
        for (int c = 0; c < 2; c++) {
            for (int k = 0; k < Perturbation.STEPS; k++) {
                float[] z = Relevance.logits(model, Batch.single(inputs[c][k]))[0];
                double[] zd = new double[z.length];
                for (int j = 0; j < z.length; j++) {
                    zd[j] = z[j];
                    worst = Math.max(worst, Math.abs(z[j] - curves[c].logits()[k][j]));
                }
                assertEquals(Perturbation.evidence(zd, 1), curves[c].e()[k], 1e-6);
                assertEquals(Perturbation.squaredChange(p.z0(), zd), curves[c].m()[k], 1e-6);
            }
        }
        System.out.printf("perturbation: batched vs one-by-one max |dlogit| %.3g%n", worst);
        assertTrue(worst <= 1e-6, "batched vs one-by-one logits differ by " + worst);
        assertEquals(0.0, p.pruning().m()[0], 0);
        assertEquals(0.0, p.generate().m()[10], 0);
        assertEquals(p.pruning().e()[0], p.generate().e()[10], 0);
    }

    @Test
    void badInput() {
        BertModel model = Golden.miniLmHead();
        assertThrows(LrpException.class, () -> Perturbation.run(model, new int[] {101, 102}, 0, new double[] {1}));
        assertThrows(LrpException.class, () -> Perturbation.run(model, new int[] {101, 102}, 5, new double[] {1, 2}));
        assertThrows(LrpException.class, () -> Perturbation.run(model, new int[] {101, 102}, 0, new double[] {1, Double.NaN}));
    }
}
