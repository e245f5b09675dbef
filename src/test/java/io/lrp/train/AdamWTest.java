package io.lrp.train;

import io.lrp.autograd.Ops;
import io.lrp.autograd.Role;
import io.lrp.autograd.RuleSet;
import io.lrp.autograd.Tape;
import io.lrp.autograd.Var;
import io.lrp.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class AdamWTest {
    private static final double EPS = 1e-8, B1 = 0.9, B2 = 0.999;

    /** Puts g into p's gradient through the tape: y = p + 0 seeded with g. */
    private static void setGrad(Var p, float... g) {
        Tape t = Tape.recording(RuleSet.GRADIENT);
        Var y = Ops.add(t, p, Var.constant(Tensor.zeros(p.shape())));
        t.backward(y, new Tensor(g.clone(), p.shape()));
        assertArrayEquals(g, p.grad().data, 0f);
    }

    private static Var scalar(float v) { return Var.constant(new Tensor(new float[] {v}, 1)); }

    /** f(p) = a/2 (p - target)^2, so df/dp = a (p - target). */
    private static float quadraticGrad(Var p, float a, float target) { return a * (p.value.data[0] - target); }

    @Test
    void firstStepIsLearningRateTimesSignOfGradient() {
        float[][] cases = {{3f, 2f, 1f}, {-0.5f, 6f, 0f}, {0.25f, 1e-3f, 0f}, {10f, 100f, 0f}}; // p0, a, target
        for (double lr : new double[] {0.1, 1e-3}) {
            for (float[] c : cases) {
                Var p = scalar(c[0]);
                AdamW opt = new AdamW(Map.of("p", p), 0.01);
                assertTrue(p.requiresGrad(), "the optimiser switches its parameters to requiring a gradient");
                float g = quadraticGrad(p, c[1], c[2]);
                setGrad(p, g);
                opt.step(lr);
                double moved = c[0] - p.value.data[0];
                // bias-corrected m / sqrt(v) = g / |g| on the first step; eps and float rounding aside
                double tol = lr * EPS / Math.abs(g) + Math.ulp(c[0]);
                assertEquals(lr * Math.signum(g), moved, tol, "p0=" + c[0] + " g=" + g + " lr=" + lr);
                assertNull(p.grad(), "step clears the gradient");
            }
        }
    }

    @Test
    void secondStepFollowsBiasCorrectedMoments() {
        Var p = scalar(2f);
        AdamW opt = new AdamW(Map.of("p", p), 0);
        float g1 = 3f, g2 = -0.5f;
        setGrad(p, g1);
        opt.step(0.01);
        float p1 = p.value.data[0];
        setGrad(p, g2);
        opt.step(0.01);
        double m = (1 - B1) * g1, v = (1 - B2) * g1 * g1;
        m = B1 * m + (1 - B1) * g2;
        v = B2 * v + (1 - B2) * g2 * g2;
        double update = (m / (1 - B1 * B1)) / (Math.sqrt(v / (1 - B2 * B2)) + EPS);
        assertEquals(p1 - 0.01 * update, p.value.data[0], 1e-6);
        // by hand: m-hat = 0.22 / 0.19 = 1.158, v-hat = 0.009241 / 0.001999 = 4.623: still a positive step after a negative g2
        assertEquals(0.5385, update, 1e-3);
    }

    @Test
    void minimisesAQuadratic() {
        Var p = scalar(5f);
        AdamW opt = new AdamW(Map.of("p", p), 0);
        for (int i = 0; i < 500; i++) {
            setGrad(p, quadraticGrad(p, 2f, -1f));
            opt.step(0.05);
        }
        assertEquals(-1.0, p.value.data[0], 0.05);
    }

    @Test
    void weightDecayOnlyOnMatrices() {
        float[] w0 = {1f, -2f, 0.5f, 4f}, b0 = {3f, -1f}, ln0 = {1.5f, 0.8f};
        Var w = Var.constant(new Tensor(w0.clone(), 2, 2));
        Var b = Var.constant(new Tensor(b0.clone(), 2));
        Var ln = Var.constant(new Tensor(ln0.clone(), 2));
        Map<String, Var> params = new LinkedHashMap<>();
        params.put("w", w);
        params.put("b", b);
        params.put("ln.weight", ln);
        double lr = 0.1, wd = 0.05;
        AdamW opt = new AdamW(params, wd);

        // zero gradients: Adam's part is 0, only the decay moves the weights
        setGrad(w, 0, 0, 0, 0);
        setGrad(b, 0, 0);
        setGrad(ln, 0, 0);
        opt.step(lr);
        for (int i = 0; i < 4; i++) assertEquals(w0[i] * (1 - lr * wd), w.value.data[i], 1e-6, "w[" + i + "]");
        assertArrayEquals(b0, b.value.data, 0f, "rank-1 bias is not decayed");
        assertArrayEquals(ln0, ln.value.data, 0f, "rank-1 norm weight is not decayed");

        // decoupled: the decay is lr * wd * w on top of the Adam step, not divided by sqrt(v)
        Var w2 = Var.constant(new Tensor(w0.clone(), 2, 2));
        AdamW opt2 = new AdamW(Map.of("w", w2), wd);
        setGrad(w2, 1e-3f, -5f, 2f, 0.1f);
        opt2.step(lr);
        float[] sign = {1, -1, 1, 1};
        for (int i = 0; i < 4; i++) assertEquals(w0[i] - lr * (sign[i] + wd * w0[i]), w2.value.data[i], 1e-5, "w2[" + i + "]");

        // without weight decay, zero gradients change nothing
        Var w3 = Var.constant(new Tensor(w0.clone(), 2, 2));
        AdamW opt3 = new AdamW(Map.of("w", w3), 0);
        setGrad(w3, 0, 0, 0, 0);
        opt3.step(lr);
        assertArrayEquals(w0, w3.value.data, 0f);
    }

    @Test
    void parametersWithoutGradientAreLeftAlone() {
        float[] w0 = {1f, 2f, 3f, 4f};
        Var w = Var.constant(new Tensor(w0.clone(), 2, 2));
        AdamW opt = new AdamW(Map.of("w", w), 0.1);
        opt.step(0.5);
        assertArrayEquals(w0, w.value.data, 0f);
        setGrad(w, 1, 1, 1, 1);
        opt.zeroGrad();
        assertNull(w.grad());
    }

    @Test
    void logisticRegressionFitsSeparableData() {
        // two classes split by the line x0 + 0.5 x1 = 0, with a margin
        Random r = new Random(3);
        int n = 60;
        float[] xs = new float[n * 2];
        int[] labels = new int[n];
        for (int i = 0; i < n; ) {
            double a = r.nextGaussian() * 2, c = r.nextGaussian() * 2, s = a + 0.5 * c;
            if (Math.abs(s) < 0.3) continue;
            xs[2 * i] = (float) a;
            xs[2 * i + 1] = (float) c;
            labels[i] = s > 0 ? 1 : 0;
            i++;
        }
        Var x = Var.constant(new Tensor(xs, n, 2));
        Var w = Var.constant(new Tensor(new float[] {0.3f, -0.2f, -0.4f, 0.1f}, 2, 2)); // starts mostly wrong
        Var b = Var.constant(new Tensor(new float[] {0.5f, -0.5f}, 2));
        Map<String, Var> params = new LinkedHashMap<>();
        params.put("cls.weight", w);
        params.put("cls.bias", b);
        AdamW opt = new AdamW(params, 0.01);

        double firstLoss = Double.NaN, loss = Double.NaN;
        double accuracy = accuracy(x, w, b, labels);
        assertTrue(accuracy < 0.5, "starts below chance, at " + accuracy);
        int solvedAt = -1;
        for (int step = 0; step < 200 && solvedAt < 0; step++) {
            Tape t = Tape.recording(RuleSet.GRADIENT).batch(n);
            Var logits = Ops.linear(t, x, w, b, Role.HEAD_LINEAR, "cls");
            Var l = Ops.crossEntropy(t, logits, labels);
            loss = l.value.data[0];
            if (step == 0) firstLoss = loss;
            t.backward(l, new Tensor(new float[] {1f}, 1));
            opt.step(0.1);
            if (accuracy(x, w, b, labels) == 1.0) solvedAt = step;
        }
        assertTrue(solvedAt >= 0, "not separated after 200 steps; accuracy " + accuracy(x, w, b, labels) + ", loss " + loss);
        assertTrue(loss < firstLoss, "loss " + firstLoss + " -> " + loss);
    }

    private static double accuracy(Var x, Var w, Var b, int[] labels) {
        Var logits = Ops.linear(Tape.inference(), x, w, b, Role.HEAD_LINEAR, "cls");
        int right = 0;
        for (int i = 0; i < labels.length; i++) {
            int pred = logits.value.data[2 * i + 1] > logits.value.data[2 * i] ? 1 : 0;
            if (pred == labels[i]) right++;
        }
        return right / (double) labels.length;
    }
}
