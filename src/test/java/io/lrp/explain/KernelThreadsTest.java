package io.lrp.explain;

import io.lrp.models.Model;
import io.lrp.models.ModelLoader;
import io.lrp.tensor.Parallel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One explanation on two kernel threads (softmax rows, GELU, LayerNorm rows, attention heads and
 * oneDNN products split) gives the numbers of one thread. Sizes are chosen above every split
 * threshold: 8 texts of 62 tokens on MiniLM are 496 rows (LayerNorm parts of 42 rows), 762k GELU
 * units (parts of 32k), 96 heads of 62 x 62 (parts of 4), 5952 softmax rows (parts of 132) and
 * products of 496 x 384 x 384 and more (split from 2M multiply-adds, OMP_NUM_THREADS=1 in surefire).
 */
class KernelThreadsTest {
    @Test
    void twoKernelThreadsGiveTheNumbersOfOne() {
        Model model = ModelLoader.load("minilm-sst2");
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            StringBuilder b = new StringBuilder();
            for (int w = 0; w < 60; w++) b.append(w % 7 == i % 7 ? "wonderful " : w % 5 == 0 ? "boring " : "film ");
            texts.add(b.toString().trim());
        }
        for (Method m : List.of(Method.LRP_AH_LN, Method.GI, Method.GAE)) {
            List<Explanation> serial = Explainer.of(model).method(m).explain(texts, null);
            Parallel.setThreads(2);
            try {
                List<Explanation> parallel = Explainer.of(model).method(m).explain(texts, null);
                for (int i = 0; i < texts.size(); i++) {
                    GoldenFiles.assertClose(m.id() + " text " + i, serial.get(i).relevance(), parallel.get(i).relevance(), 1e-6, 1e-5);
                    if (m == Method.LRP_AH_LN) {
                        var c = parallel.get(i).conservation();
                        GoldenFiles.assertClose("conservation " + i, new double[] {c.logit()}, new double[] {c.sum() + c.bias()}, 1e-5, 1e-5);
                    }
                }
            } finally {
                Parallel.setThreads(1);
            }
        }
    }

    @Test
    void anExplainerWithMoreThreadsThanBatchesLendsThemToTheKernels() {
        Model model = ModelLoader.load("minilm-sst2");
        StringBuilder b = new StringBuilder();
        for (int w = 0; w < 200; w++) b.append(w % 9 == 0 ? "charming " : w % 4 == 0 ? "dull " : "story ");
        List<String> one = List.of(b.toString().trim()); // one batch of 202 tokens: every kernel splits
        Explanation serial = Explainer.of(model).explain(one, null).get(0);
        Explanation lent = Explainer.of(model).threads(2).explain(one, null).get(0);
        GoldenFiles.assertClose("one text, two threads", serial.relevance(), lent.relevance(), 1e-6, 1e-5);
        org.junit.jupiter.api.Assertions.assertEquals(1, Parallel.threads(), "the budget ends with the call");
    }
}
