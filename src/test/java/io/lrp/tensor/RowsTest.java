package io.lrp.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The split-sum reductions against one running double sum, at every remainder of the unrolling. */
class RowsTest {
    @Test
    void reductionsMatchASingleRunningSum() {
        Random r = new Random(7);
        for (int n : new int[] {0, 1, 2, 3, 4, 5, 7, 8, 9, 383, 384, 1536}) {
            float[] a = new float[n + 11], b = new float[n + 5];
            for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextGaussian() * 3 + 1);
            for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
            int ao = 11, bo = 5;
            double sum = 0, dot = 0, dev = 0, c = 0.37;
            for (int i = 0; i < n; i++) {
                sum += a[ao + i];
                dot += (double) a[ao + i] * b[bo + i];
                dev += (a[ao + i] - c) * (a[ao + i] - c);
            }
            double tol = 1e-12 * Math.max(1, n);
            assertEquals(sum, Rows.sum(a, ao, n), tol * 10, "sum n=" + n);
            assertEquals(dot, Rows.dot(a, ao, b, bo, n), tol * 10, "dot n=" + n);
            assertEquals(dev, Rows.squaredDeviation(a, ao, n, c), tol * 100, "deviation n=" + n);
        }
    }

    @Test
    void exactOnSmallIntegers() {
        float[] a = {1, 2, 3, 4, 5, 6, 7};
        assertEquals(28, Rows.sum(a, 0, 7), 0);
        assertEquals(25, Rows.sum(a, 2, 5), 0);
        assertEquals(1 + 4 + 9 + 16 + 25 + 36 + 49, Rows.dot(a, 0, a, 0, 7), 0);
        assertEquals(28, Rows.squaredDeviation(a, 0, 7, 4), 0); // 9+4+1+0+1+4+9
    }
}
