package io.lrp.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** BF16 rounding, the widening kernels (vector = scalar, bit for bit) and the blocked products (BF16; F32 in direct memory, read in place; F32 on the heap, copied per slice) against plain loops. */
class Bf16MatrixTest {

    @Test
    void roundsToNearestEven() {
        assertEquals((short) 0x3f80, Bf16Matrix.fromFloat(1f));
        assertEquals((short) 0x3f80, Bf16Matrix.fromFloat(1f + 0x1p-8f));      // halfway, to the even 0x3f80
        assertEquals((short) 0x3f82, Bf16Matrix.fromFloat(1f + 3 * 0x1p-8f));  // halfway, to the even 0x3f82
        assertEquals((short) 0x3f81, Bf16Matrix.fromFloat(1f + 0x1p-8f + 0x1p-20f)); // above halfway: up
        assertEquals((short) 0xbf80, Bf16Matrix.fromFloat(-1f));
        assertEquals((short) 0x7f80, Bf16Matrix.fromFloat(Float.POSITIVE_INFINITY));
        assertEquals((short) 0x7f80, Bf16Matrix.fromFloat(Float.MAX_VALUE));     // overflows to infinity, as torch
        assertEquals(true, Float.isNaN(Bf16Matrix.toFloat(Bf16Matrix.fromFloat(Float.intBitsToFloat(0x7f800001)))));
        assertEquals(-2.5f, Bf16Matrix.toFloat(Bf16Matrix.fromFloat(-2.5f)), 0f);
    }

    @Test
    void vectorWideningIsTheScalarOne() {
        if (!Bf16Matrix.vectorWiden()) return; // no vector kernel on this JVM: the scalar one is all there is
        SplittableRandom r = new SplittableRandom(3);
        short[] s = new short[1000];
        for (int i = 0; i < s.length; i++) s[i] = (short) r.nextInt(1 << 16);
        for (float gamma : new float[] {0f, 0.25f}) {
            float[] a = new float[1003], b = new float[1003];
            Bf16Kernels.widen(s, 5, a, 3, 990, gamma);
            Bf16Matrix.widenScalar(s, 5, b, 3, 990, gamma);
            for (int i = 0; i < a.length; i++) {
                assertEquals(Float.floatToRawIntBits(b[i]), Float.floatToRawIntBits(a[i]), "element " + i + ", gamma " + gamma);
            }
        }
    }

    @Test
    void blockedProductsEqualPlainLoops() {
        int out = 37, in = 29, n = 5;
        SplittableRandom r = new SplittableRandom(11);
        Tensor wf = new Tensor(new float[out * in], out, in);
        for (int i = 0; i < wf.size(); i++) wf.data[i] = (float) r.nextGaussian();
        Bf16Matrix bf = Bf16Matrix.of(wf);
        float[] wd = bf.widen().data, x = new float[n * in], g = new float[n * out], bias = new float[out];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        for (int i = 0; i < g.length; i++) g[i] = (float) r.nextGaussian();
        for (int i = 0; i < out; i++) bias[i] = (float) r.nextGaussian();
        int old = BlockedProducts.sliceFloats;
        for (int block : new int[] {old, 3 * in, in - 1}) { // one slice; slices of 3 rows and the rest; a row (2 columns) per slice
          BlockedProducts.sliceFloats = block;
         for (BlockedMatrix w : new BlockedMatrix[] {bf, new F32Matrix(bf.widen()), F32Matrix.onHeap(bf.widen())}) {
          for (float gamma : new float[] {0f, 0.5f}) {
            float[] y = new float[n * out], gx = new float[n * in];
            java.util.Arrays.fill(gx, 1f);
            w.timesTransposed(n, x, bias, y, gamma);
            w.leftTimes(n, g, 2f, gx, gamma);
            for (int i = 0; i < n; i++) {
                for (int o = 0; o < out; o++) {
                    double s = bias[o];
                    for (int k = 0; k < in; k++) s += (double) x[i * in + k] * boost(wd[o * in + k], gamma);
                    assertEquals(s, y[i * out + o], 1e-4 * (1 + Math.abs(s)));
                }
                for (int k = 0; k < in; k++) {
                    double s = 2;
                    for (int o = 0; o < out; o++) s += (double) g[i * out + o] * boost(wd[o * in + k], gamma);
                    assertEquals(s, gx[i * in + k], 1e-4 * (1 + Math.abs(s)));
                }
            }
          }
         }
        }
        BlockedProducts.sliceFloats = old;
    }

    /** The cut depends on the shape alone: 1 and 2 threads give the same bits, with the backend's gemm. */
    @Test
    void threadsDoNotChangeTheBits() {
        int out = 600, in = 300, n = 70; // 3 slices of rows, 2 of columns
        SplittableRandom r = new SplittableRandom(5);
        Tensor wf = new Tensor(new float[out * in], out, in);
        for (int i = 0; i < wf.size(); i++) wf.data[i] = (float) r.nextGaussian();
        float[] x = new float[n * in], g = new float[n * out];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        for (int i = 0; i < g.length; i++) g[i] = (float) r.nextGaussian();
        Bf16Matrix bf = Bf16Matrix.of(wf);
        for (BlockedMatrix w : new BlockedMatrix[] {bf, new F32Matrix(bf.widen()), F32Matrix.onHeap(bf.widen())}) {
            float[][] y = new float[2][n * out], gx = new float[2][n * in];
            for (int t = 0; t < 2; t++) {
                int k = t;
                Parallel.withThreads(t + 1, () -> {
                    w.timesTransposed(n, x, null, y[k], 0f);
                    w.leftTimes(n, g, 0f, gx[k], 0f);
                });
            }
            org.junit.jupiter.api.Assertions.assertArrayEquals(y[0], y[1], 0f, w.kernel());
            org.junit.jupiter.api.Assertions.assertArrayEquals(gx[0], gx[1], 0f, w.kernel());
            double s = 0; // and one value against a plain loop
            for (int kk = 0; kk < in; kk++) s += (double) x[(n - 1) * in + kk] * bf.widen().data[(out - 1) * in + kk];
            assertEquals(s, y[0][n * out - 1], 1e-4 * (1 + Math.abs(s)));
            float[] wd = bf.widen().data; // and every gx value (slices of 64 rows on their way to the backend)
            for (int i = 0; i < n; i++) {
                for (int kk = 0; kk < in; kk++) {
                    double t = 0;
                    for (int o = 0; o < out; o++) t += (double) g[i * out + o] * wd[o * in + kk];
                    assertEquals(t, gx[0][i * in + kk], 1e-4 * (1 + Math.abs(t)));
                }
            }
        }
    }

    private static double boost(float w, float gamma) { return w + gamma * Math.max(w, 0f); }
}
