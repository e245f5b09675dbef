package io.lrp.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lrp.models.Model;
import io.lrp.models.ModelLoader;
import io.lrp.tensor.Gemm;
import io.lrp.tensor.Parallel;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Results do not depend on the number of threads or on timing: the same bits on 1, 2 and 3
 * threads, for the product backend in use (oneDNN, OpenBLAS or Java; surefire runs this class
 * again with -XX:UseAVX=2 and ONEDNN_MAX_CPU_ISA=AVX2, with -Dlrp.gemm=openblas and java, and
 * on the scalar kernels). On an AVX2 machine a native product's row differs in its last bits
 * between calls of different row counts, so a product cut by the thread count did not.
 */
class DeterminismTest {
    static final String LONG = "An absolutely wonderful, moving film with a brilliant cast, a clever script "
            + "and music that stays with you long after the credits have rolled, although the middle drags.";

    @Test
    void aProductGivesTheSameBitsOnAnyNumberOfThreads() {
        Gemm g = Gemm.get();
        Random r = new Random(7);
        int n = 384, k = 384;
        float[] w = new float[n * k];
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
        for (int m : new int[] {20, 40, 99, 130, 257, 600}) {
            float[] a = new float[m * k];
            for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
            float[][] c = new float[4][];
            for (int t = 1; t <= 3; t++) {
                float[] out = new float[m * n];
                Parallel.withThreads(t, () -> g.sgemm(false, true, m, n, k, 1f, a, 0, k, w, 0, k, true, 0f, out, 0, n));
                c[t] = out;
            }
            assertArrayEquals(c[1], c[2], 0f, g.name() + ", m = " + m + ": 1 vs 2 threads");
            assertArrayEquals(c[1], c[3], 0f, g.name() + ", m = " + m + ": 1 vs 3 threads");
        }
    }

    @Test
    void explanationsGiveTheSameBitsOnAnyNumberOfThreads() {
        Model model = ModelLoader.load("minilm-sst2");
        for (Method m : List.of(Method.IG, Method.OCCLUSION, Method.LRP_AH_LN, Method.GI)) {
            Explanation one = Explainer.of(model).method(m).threads(1).explain(List.of(LONG), null).get(0);
            for (int t : new int[] {2, 3}) {
                Explanation more = Explainer.of(model).method(m).threads(t).explain(List.of(LONG), null).get(0);
                assertArrayEquals(one.relevance(), more.relevance(), 0, m.id() + ": 1 vs " + t + " threads");
                assertArrayEquals(one.logits(), more.logits(), 0f, m.id());
                assertEquals(one.conservation().sum(), more.conservation().sum(), 0, m.id());
            }
        }
    }
}
