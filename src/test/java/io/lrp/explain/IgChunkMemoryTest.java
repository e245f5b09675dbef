package io.lrp.explain;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrp.models.Batch;
import io.lrp.models.Model;
import io.lrp.models.ModelLoader;
import io.lrp.tensor.Arena;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Integrated Gradients and occlusion run their variants in chunks sized by what one variant
 * takes (measured by the arena), within -Dlrp.chunk.MB: the memory of an explanation stays
 * within the budget plus one variant at the model's full length, and the result does not
 * depend on the chunking.
 */
class IgChunkMemoryTest {

    private static final int STEPS = 50;

    private record Run(double[] relevance, long peak) {}

    private static Run run(Model model, Batch batch, Method method, int steps, String budgetMB) {
        String old = System.getProperty("lrp.chunk.MB");
        System.setProperty("lrp.chunk.MB", budgetMB);
        try (Arena scope = Arena.open()) {
            Relevance.Result r = Relevance.compute(model, batch, method, null, new Relevance.Options(0, steps, 0));
            return new Run(r.relevance()[0], scope.peakBytes());
        } finally {
            if (old == null) System.clearProperty("lrp.chunk.MB");
            else System.setProperty("lrp.chunk.MB", old);
        }
    }

    @Test
    void igAndOcclusionAtFullLengthStayWithinTheChunkBudget() {
        Model model = ModelLoader.load(GoldenFiles.path("hf_bert_small").toString());
        int n = model.maxLength();
        int[] ids = new int[n];
        ids[0] = 101;
        ids[n - 1] = 102;
        for (int i = 1; i < n - 1; i++) ids[i] = 1996 + (i * 37) % 3000;
        Batch batch = Batch.of(List.of(ids), model.padId());
        for (Method m : List.of(Method.IG, Method.OCCLUSION)) {
            long one = run(model, batch, Method.IG, 1, "1").peak();  // a single step: one variant's memory
            Run small = run(model, batch, m, STEPS, "1");
            Run large = run(model, batch, m, STEPS, "100000");       // every variant in chunks of 32
            if (m == Method.IG) assertTrue(large.peak() > 4 * one, m + ": chunks of 32 take more than 4 variants (" + large.peak() + " vs " + one + ")");
            assertTrue(small.peak() <= (1 << 20) + 2 * one, m + ": peak " + small.peak() + " bytes within 1 MB + one variant (" + one + ")");
            GoldenFiles.assertClose(m.id() + " chunked", large.relevance(), small.relevance(), 1e-6, 1e-5);
        }
    }
}
