package io.lrp.tensor;

import org.apache.commons.numbers.gamma.Erfc;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** The vector kernels against double-precision references, vector lanes and loop tails alike. */
class SimdKernelsTest {

    @Test
    void vectorKernelsAreOnInTheTests() {
        // surefire starts Java with --add-modules jdk.incubator.vector: the vector path is what these tests check
        assertTrue(Simd.ENABLED, "jdk.incubator.vector is not in the boot layer");
        assertTrue(Simd.describe().startsWith("vector ("), Simd.describe());
    }

    private static int ulps(float got, double exact) {
        float want = (float) exact;
        return Math.abs(Float.floatToIntBits(got) - Float.floatToIntBits(want));
    }

    @Test
    void expIsWithinOneUlpOnItsRangeAndZeroBelow() {
        int n = 1 << 22, lanes = SimdKernels.lanes();
        float[] x = new float[n], y = new float[n];
        for (int i = 0; i < n; i++) x[i] = -87.3f * i / (n - 1); // 0 .. -87.3
        // the softmax's exponential pass, as one row with maximum 0 (x - 0 = x), n a multiple of
        // the vector length: every element through the vector code
        assertEquals(0, n % lanes);
        float[] stat = {0f};
        SimdKernels.expRows(x, 0, y, 0, stat, 1, n);
        int worst = 0;
        for (int i = 0; i < n; i++) {
            worst = Math.max(worst, ulps(y[i], Math.exp(x[i])));
            assertEquals(Float.floatToIntBits(y[i]), Float.floatToIntBits(SimdKernels.exp(x[i])), "tail version differs at " + x[i]);
        }
        assertTrue(worst <= 1, "worst error " + worst + " ulp");
        // and the pass's other output, 1 / the row's sum, on rows short enough for float sums
        float[] rows = java.util.Arrays.copyOf(x, 3 * lanes * 4), e = new float[rows.length];
        float[] max = {-1f, 0f, -2f};
        SimdKernels.expRows(rows, 0, e, 0, max, 3, 4 * lanes);
        for (int r = 0; r < 3; r++) {
            double sum = 0;
            for (int i = 0; i < 4 * lanes; i++) sum += Math.exp(rows[r * 4 * lanes + i] - (r == 0 ? -1 : r == 1 ? 0 : -2));
            assertEquals(1 / sum, max[r], 1e-6 / sum, "1 / the sum of row " + r);
        }
        assertEquals(0f, SimdKernels.exp(-88f));
        assertEquals(0f, SimdKernels.exp(-1e4f));
        assertEquals(1f, SimdKernels.exp(0f));
        assertTrue(Float.isNaN(SimdKernels.exp(Float.NaN)));
    }

    @Test
    void softmaxMatchesDoubleReferenceForEveryLengthAndTail() {
        Random r = new Random(3);
        for (int len = 1; len <= 3 * SimdKernels.lanes() + 5; len++) {
            int rows = 7;
            float[] s = new float[rows * len], p = new float[rows * len];
            for (int i = 0; i < s.length; i++) s[i] = (float) (r.nextGaussian() * 4);
            if (len > 2) s[len + 1] = -10000f; // a masked key: probability 0
            SimdKernels.softmaxRowsVector(s, p, len, 0, rows);
            float[] twin = new float[p.length];
            SimdKernels.softmaxRowsTwin(s, twin, len, 0, rows);
            assertBits(p, twin, "softmax twin, len " + len);
            for (int row = 0; row < rows; row++) {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int j = 0; j < len; j++) max = Math.max(max, s[row * len + j]);
                for (int j = 0; j < len; j++) sum += Math.exp(s[row * len + j] - max);
                double total = 0;
                for (int j = 0; j < len; j++) {
                    double want = Math.exp(s[row * len + j] - max) / sum;
                    float got = p[row * len + j];
                    // exp within 1 ulp, the sum and the scaling a few roundings more, and the argument
                    // s - max is rounded to float first (half an ulp of |s - max|)
                    double argument = Math.abs(s[row * len + j] - max);
                    assertEquals(want, got, want * (4e-7 + 6e-8 * argument) + 1e-30, "len " + len + " row " + row + " col " + j);
                    total += got;
                }
                assertEquals(1.0, total, 1e-6);
            }
            if (len > 2) assertEquals(0f, p[len + 1]);
        }
    }

    @Test
    void softmaxRowWithNaNIsNaNAndOthersUntouched() {
        int len = 37;
        float[] s = new float[2 * len], p = new float[2 * len];
        for (int i = 0; i < s.length; i++) s[i] = i % 5;
        s[len + 30] = Float.NaN;
        SimdKernels.softmaxRowsVector(s, p, len, 0, 2);
        for (int j = 0; j < len; j++) {
            assertFalse(Float.isNaN(p[j]));
            assertTrue(Float.isNaN(p[len + j]), "column " + j);
        }
    }

    @Test
    void geluPhiIsWithinItsBounds() {
        int n = 1 << 21;
        float[] z = new float[n + 3], cdf = new float[n + 3], y = new float[n + 3];
        for (int i = 0; i < z.length; i++) z[i] = -9f + 18f * i / (z.length - 1); // length not a multiple of the lanes
        SimdKernels.geluVector(z, cdf, y, 0, z.length);
        float[] cdf2 = new float[z.length], y2 = new float[z.length];
        SimdKernels.geluTwin(z, cdf2, y2, 0, z.length);
        assertBits(cdf, cdf2, "gelu twin cdf");
        assertBits(y, y2, "gelu twin y");
        double worstAbs = 0, worstRel = 0;
        for (int i = 0; i < z.length; i++) {
            double exact = 0.5 * Erfc.value(-z[i] / Math.sqrt(2));
            worstAbs = Math.max(worstAbs, Math.abs(cdf[i] - exact));
            if (z[i] >= -8) worstRel = Math.max(worstRel, Math.abs(cdf[i] - exact) / exact);
            assertEquals(Float.floatToIntBits(z[i] * cdf[i]), Float.floatToIntBits(y[i]));
            assertEquals(Float.floatToIntBits(SimdKernels.phi(z[i])), Float.floatToIntBits(cdf[i]), "tail version differs at " + z[i]);
        }
        assertTrue(worstAbs < 2e-7, "absolute error " + worstAbs);
        assertTrue(worstRel < 1e-5, "relative error " + worstRel);
        float[] special = {0f, Float.POSITIVE_INFINITY, 40f, -40f};
        float[] c = new float[4], yy = new float[4];
        SimdKernels.geluVector(special, c, yy, 0, 4);
        assertEquals(0.5f, c[0], 1e-7f);
        assertEquals(1f, c[1]);
        assertEquals(1f, c[2]);
        assertEquals(0f, c[3], 1e-16f);
    }

    @Test
    void siluMatchesItsTwinAndADoubleReference() {
        int n = 1 << 20;
        float[] z = new float[n + 5], u = new float[n + 5];
        for (int i = 0; i < z.length; i++) {
            z[i] = -95f + 190f * i / (z.length - 1); // length not a multiple of the lanes; below exp's floor at both ends
            u[i] = 1f + (i % 7) * 0.25f;
        }
        z[3] = Float.NaN;
        z[4] = -0f;
        float[] s = new float[z.length], y = new float[z.length], s2 = new float[z.length], y2 = new float[z.length];
        SimdKernels.siluVector(z, s, u, y, 0, z.length);
        SimdKernels.siluTwin(z, s2, u, y2, 0, z.length);
        assertBits(s, s2, "silu twin s");
        assertBits(y, y2, "silu twin y");
        float[] only = new float[z.length];
        SimdKernels.siluVector(z, only, null, null, 0, z.length);
        assertBits(s, only, "silu without y");
        assertTrue(Float.isNaN(s[3]));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(s[4]));
        double worst = 0;
        for (int i = 0; i < z.length; i++) {
            if (i == 3) continue;
            double exact = z[i] / (1 + Math.exp(-(double) z[i]));
            if (Math.abs(exact) < 1e-30) assertTrue(Math.abs(s[i]) < 1e-30, "below exp's floor at " + z[i]); // exp below its floor is 0
            else worst = Math.max(worst, Math.abs(s[i] - exact) / Math.abs(exact));
            assertEquals(Float.floatToRawIntBits(s[i] * u[i]), Float.floatToRawIntBits(y[i]), "y at " + i);
        }
        assertTrue(worst < 5e-7, "relative error " + worst);
    }

    @Test
    void softmaxInPlaceMatchesTheRowSoftmax() {
        Random r = new Random(9);
        for (int n = 1; n <= 3 * SimdKernels.lanes() + 5; n++) {
            float[] s = new float[n + 10], v = new float[n + 10];
            for (int i = 0; i < s.length; i++) s[i] = (float) (r.nextGaussian() * 4);
            System.arraycopy(s, 0, v, 0, s.length);
            float[] want = new float[n];
            SimdKernels.softmaxRowsVector(java.util.Arrays.copyOfRange(s, 3, 3 + n), want, n, 0, 1);
            SimdKernels.softmaxVector(v, 3, null, 0, null, 0, v, 3, 1, n); // what softmaxInPlace runs once warm
            float[] t = s.clone();
            SimdKernels.softmaxInPlaceTwin(t, 3, n);
            assertBits(want, java.util.Arrays.copyOfRange(v, 3, 3 + n), "in place, n " + n);
            assertBits(want, java.util.Arrays.copyOfRange(t, 3, 3 + n), "twin in place, n " + n);
            for (int i : new int[] {0, 1, 2, n + 3, n + 9}) {
                assertEquals(s[i], v[i], 0f, "outside the row");
                assertEquals(s[i], t[i], 0f, "outside the row (twin)");
            }
        }
    }

    static void assertBits(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i]) && !(Float.isNaN(want[i]) && Float.isNaN(got[i]))) {
                fail(what + ": element " + i + " is " + got[i] + ", vector version " + want[i]);
            }
        }
    }

    @Test
    void attentionRowsInDirectMemoryMatchTheirTwinAndTheHeapSoftmax() {
        Random r = new Random(9);
        for (int len : new int[] {1, 5, 16, 17, 40, 64}) {
            float[] mask = new float[len + 3];
            mask[3 + len - 1] = -10000f;
            float[] scores = new float[len * len];
            for (int i = 0; i < scores.length; i++) scores[i] = (float) (r.nextGaussian() * 3);
            float[][] p = new float[2][len * len + 2];
            java.nio.ByteBuffer[] s = new java.nio.ByteBuffer[2];
            for (int k = 0; k < 2; k++) {
                s[k] = java.nio.ByteBuffer.allocateDirect(4 * (len * len + 4)).order(java.nio.ByteOrder.nativeOrder());
                for (int i = 0; i < scores.length; i++) s[k].putFloat(4 * (4 + i), scores[i]);
            }
            SimdKernels.softmaxRowsDirectVector(s[0], 4, mask, 3, p[0], 2, len, len);
            SimdKernels.softmaxRowsDirectTwin(s[1], 4, mask, 3, p[1], 2, len, len);
            assertBits(p[0], p[1], "direct twin, len " + len);
            float[] heap = new float[len * len];
            for (int i = 0; i < len; i++) for (int j = 0; j < len; j++) heap[i * len + j] = scores[i * len + j] + mask[3 + j];
            float[] want = new float[len * len];
            SimdKernels.softmaxRowsVector(heap, want, len, 0, len);
            for (int i = 0; i < len * len; i++) {
                assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(p[0][2 + i]), "len " + len + " at " + i);
                assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(s[0].getFloat(4 * (4 + i))), "written back, len " + len);
                assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(s[1].getFloat(4 * (4 + i))), "twin written back, len " + len);
            }
        }
    }

    @Test
    void reductionsMatchTheirTwinsToTheBitAndDoubleReferences() {
        Random r = new Random(4);
        for (int n : new int[] {0, 1, 7, 8, 9, 31, 32, 33, 100, 384, 1536}) {
            float[] a = new float[n + 5], b = new float[n + 2];
            for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextGaussian() * 2 + 0.5);
            for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
            double sum = 0, dev = 0, dot = 0;
            for (int i = 0; i < n; i++) {
                sum += a[5 + i];
                dev += (a[5 + i] - 0.3) * (a[5 + i] - 0.3);
                dot += (double) a[5 + i] * b[2 + i];
            }
            assertEquals(Double.doubleToLongBits(SimdKernels.sumVector(a, 5, n)), Double.doubleToLongBits(SimdKernels.sumTwin(a, 5, n)), "sum n=" + n);
            assertEquals(Double.doubleToLongBits(SimdKernels.squaredDeviationVector(a, 5, n, 0.3)),
                    Double.doubleToLongBits(SimdKernels.squaredDeviationTwin(a, 5, n, 0.3)), "deviation n=" + n);
            assertEquals(Double.doubleToLongBits(SimdKernels.dotVector(a, 5, b, 2, n)),
                    Double.doubleToLongBits(SimdKernels.dotTwin(a, 5, b, 2, n)), "dot n=" + n);
            double tol = 1e-12 * Math.max(1, n) * 10;
            assertEquals(sum, SimdKernels.sumVector(a, 5, n), tol);
            assertEquals(dev, SimdKernels.squaredDeviationVector(a, 5, n, 0.3), tol * 10);
            assertEquals(dot, SimdKernels.dotVector(a, 5, b, 2, n), tol);
        }
    }

    @Test
    void layerNormOutputMatchesItsScalarVersionToTheBit() {
        Random r = new Random(6);
        for (int n : new int[] {1, 15, 16, 17, 384, 385}) {
            int rows = 3;
            float[] x = new float[rows * n], w = new float[n], b = new float[n], mean = new float[rows], inv = new float[rows];
            for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * 3);
            for (int i = 0; i < n; i++) {
                w[i] = (float) r.nextGaussian();
                b[i] = (float) r.nextGaussian();
            }
            for (int i = 0; i < rows; i++) {
                mean[i] = (float) r.nextGaussian();
                inv[i] = (float) (0.5 + r.nextDouble());
            }
            float[] xh1 = new float[x.length], y1 = new float[x.length], xh2 = new float[x.length], y2 = new float[x.length], y3 = new float[x.length];
            SimdKernels.normalizeVector(x, xh1, y1, w, b, mean, inv, 1, rows, n); // rows 1 and 2; row 0 left alone
            Rows.normalizeScalar(x, xh2, y2, w, b, mean, inv, 1, rows, n);
            SimdKernels.normalizeVector(x, null, y3, w, b, mean, inv, 1, rows, n);
            assertArrayEquals(xh2, xh1, "xhat n=" + n);
            assertArrayEquals(y2, y1, "y n=" + n);
            assertArrayEquals(y2, y3, "y without xhat n=" + n);
            for (int i = 0; i < n; i++) assertEquals(0f, y1[i]);
            int i = n + n / 2; // one element by its definition
            float xh = (x[i] - mean[1]) * inv[1];
            assertEquals(xh * w[n / 2] + b[n / 2], y1[i]);
        }
    }

    @Test
    void layerNormBackwardMatchesItsScalarVersionToTheBit() {
        SimdKernels.awaitWarm(); // the scalar version's sums are then the vector ones (their twins give the same bits)
        Random r = new Random(8);
        for (int n : new int[] {1, 15, 16, 17, 384, 385}) {
            int rows = 3;
            float[] g = new float[rows * n], xhat = new float[rows * n], w = new float[n], gx0 = new float[rows * n];
            double[] scale = new double[rows], ds = new double[rows];
            for (int i = 0; i < g.length; i++) {
                g[i] = (float) r.nextGaussian();
                xhat[i] = (float) r.nextGaussian();
                gx0[i] = (float) r.nextGaussian();
            }
            for (int i = 0; i < n; i++) w[i] = (float) r.nextGaussian();
            for (int i = 0; i < rows; i++) {
                scale[i] = 0.5 + r.nextDouble();
                ds[i] = 1.0 / (n * scale[i]);
            }
            for (boolean detached : new boolean[] {false, true}) {
                float[] v = gx0.clone(), s = gx0.clone();
                SimdKernels.layerNormBackwardVector(g, w, xhat, v, scale, ds, detached, 1, rows, n);
                Rows.layerNormBackwardScalar(g, w, xhat, s, scale, ds, detached, 1, rows, n);
                assertArrayEquals(s, v, "n=" + n + " detached=" + detached);
                for (int i = 0; i < n; i++) assertEquals(gx0[i], v[i]); // row 0 untouched
                // row 1 against its definition in double
                double mean = 0, dot = 0;
                for (int i = 0; i < n; i++) {
                    mean += (double) g[n + i] * w[i] / n;
                    dot += (double) g[n + i] * w[i] * xhat[n + i];
                }
                for (int i = 0; i < n; i++) {
                    double want = gx0[n + i] + ((double) g[n + i] * w[i] - mean) / scale[1]
                            - (detached ? 0 : dot * ds[1] * xhat[n + i]);
                    assertEquals(want, v[n + i], 1e-5 * (1 + Math.abs(want)), "n=" + n + " i=" + i);
                }
            }
        }
    }

    @Test
    void columnSumsMatchTheScalarLoopToTheBit() {
        Random r = new Random(9);
        for (int cols : new int[] {1, 16, 17, 384, 1536}) {
            int rows = 5;
            float[] g = new float[rows * cols], acc0 = new float[cols + 3];
            for (int i = 0; i < g.length; i++) g[i] = (float) r.nextGaussian();
            for (int i = 0; i < acc0.length; i++) acc0[i] = (float) r.nextGaussian();
            float[] v = acc0.clone(), s = acc0.clone();
            int c0 = Math.min(1, cols - 1);
            SimdKernels.columnSumsVector(g, 1, 3, cols, v, 2, c0, cols); // rows 1..3, columns c0.., at offset 2
            for (int c = c0; c < cols; c++) for (int row = 1; row < 4; row++) s[2 + c] += g[row * cols + c];
            assertArrayEquals(s, v, "cols=" + cols);
        }
    }

    @Test
    void rowsFromDirectMemoryGetTheirBias() {
        Random r = new Random(10);
        for (int cols : new int[] {1, 16, 17, 384}) {
            int rows = 3, ld = cols + 2, off = 5;
            java.nio.ByteBuffer src = java.nio.ByteBuffer.allocateDirect(4 * rows * cols).order(java.nio.ByteOrder.nativeOrder());
            float[] bias = new float[cols], dst = new float[off + rows * ld];
            for (int i = 0; i < rows * cols; i++) src.putFloat(4 * i, (float) r.nextGaussian());
            for (int j = 0; j < cols; j++) bias[j] = (float) r.nextGaussian();
            java.util.Arrays.fill(dst, 7f);
            SimdKernels.addRowsFromDirect(src, bias, dst, off, ld, rows, cols);
            for (int i = 0; i < dst.length; i++) {
                int row = (i - off) / ld, j = (i - off) % ld;
                float want = i < off || j >= cols ? 7f : src.getFloat(4 * (row * cols + j)) + bias[j];
                assertEquals(want, dst[i], "cols=" + cols + " i=" + i);
            }
        }
    }

    @Test
    void warmUpFinishesAndSwitchesToTheVectorVersions() {
        SimdKernels.awaitWarm();
        assertTrue(SimdKernels.warm());
    }
}
