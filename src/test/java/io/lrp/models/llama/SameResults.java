package io.lrp.models.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrp.explain.Method;
import io.lrp.explain.Relevance;

/** Two computations of the same explanation agree up to float32 rounding: targets, logits, relevance (1e-5 of the largest |R|), bias relevance. */
final class SameResults {
    private SameResults() {}

    static void assertSame(Method m, Relevance.Result a, Relevance.Result b, int samples) {
        for (int s = 0; s < samples; s++) {
            assertEquals(a.targets()[s], b.targets()[s], m + " target");
            float[] z0 = a.logits()[s], z1 = b.logits()[s];
            for (int v = 0; v < z0.length; v++) assertEquals(z0[v], z1[v], 1e-5 * (1 + Math.abs(z0[v])), m + " logit " + v);
            double[] x = a.relevance()[s], y = b.relevance()[s];
            double max = 0;
            for (double v : x) max = Math.max(max, Math.abs(v));
            assertTrue(max > 1e-3, m + ": relevance too small to compare: " + max);
            for (int t = 0; t < x.length; t++) assertEquals(x[t], y[t], 1e-5 * max, m + " sample " + s + " token " + t);
            if (a.bias()[s] != null) assertEquals(a.bias()[s], b.bias()[s], 1e-5 * Math.abs(z0[a.targets()[s]]), m + " bias");
        }
    }
}
