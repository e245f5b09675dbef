package io.lrp.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrp.LrpException;
import io.lrp.autograd.Ops;
import io.lrp.autograd.Tape;
import io.lrp.autograd.Var;
import io.lrp.models.Batch;
import io.lrp.models.paper.PaperConfig;
import io.lrp.models.paper.PaperModel;
import io.lrp.nn.Embeddings;
import io.lrp.nn.LayerNorm;
import io.lrp.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A training run killed after an epoch resumes to exactly the weights of an uninterrupted run. */
class TrainerResumeTest {

    record Item(int[] ids, int label) {}

    static PaperModel tinyModel() {
        Random r = new Random(7);
        Tensor word = Tensor.zeros(20, 8), pos = Tensor.zeros(16, 8), type = Tensor.zeros(2, 8);
        for (Tensor t : List.of(word, pos, type)) for (int i = 0; i < t.data.length; i++) t.data[i] = (float) r.nextGaussian();
        Tensor w = Tensor.zeros(8), b = Tensor.zeros(8);
        java.util.Arrays.fill(w.data, 1f);
        Embeddings emb = new Embeddings(word, pos, type,
                new LayerNorm("embeddings.LayerNorm", Var.constant(w), Var.constant(b), 1e-12, Ops.NormKind.BIASED_VARIANCE));
        PaperConfig c = new PaperConfig(20, 8, 2, 1, 16, 2, 1e-12, 1e-12, 0, 3, List.of("a", "b"));
        return PaperModel.create("tiny", c, emb, null, new Random(11));
    }

    /** Label 1 when token 5 occurs: learnable, with noise tokens around it. */
    static List<Item> data(int n, long seed) {
        Random r = new Random(seed);
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int len = 3 + r.nextInt(5);
            int[] ids = new int[len];
            ids[0] = 1;
            for (int j = 1; j < len; j++) ids[j] = 6 + r.nextInt(14);
            int label = r.nextBoolean() ? 1 : 0;
            if (label == 1) ids[1 + r.nextInt(len - 1)] = 5;
            items.add(new Item(ids, label));
        }
        return items;
    }

    static Trainer.Task<Item> task(PaperModel m) {
        return new Trainer.Task<>() {
            public Var logits(Tape tape, List<Item> mb) {
                Batch b = Batch.of(mb.stream().map(Item::ids).toList(), 0);
                return m.forward(tape, Var.constant(m.embed(b)), b);
            }
            public int label(Item x) { return x.label(); }
            public Map<String, Var> parameters() { return m.parameters(); }
        };
    }

    static final Trainer.Settings SETTINGS = new Trainer.Settings(4, 2e-2, 8, 42, 0.01, 0.1);

    @Test
    void resumedRunEqualsUninterruptedRun(@TempDir Path dir) throws Exception {
        List<Item> train = data(256, 1), dev = data(64, 2);
        Map<String, String> meta = Map.of("trained", "tiny test");

        Files.createDirectories(dir.resolve("a"));
        PaperModel a = tinyModel();
        Trainer.Report ra = new Trainer<Item>(SETTINGS, System.out).train(task(a), train, dev, dir.resolve("a/model.safetensors"), meta);

        Path b = dir.resolve("b/model.safetensors");
        Files.createDirectories(b.getParent());
        PaperModel killed = tinyModel();
        assertThrows(IllegalStateException.class, () -> new Trainer<Item>(SETTINGS, System.out)
                .afterEpoch(e -> { if (e == 1) throw new IllegalStateException("killed after epoch 1"); })
                .train(task(killed), train, dev, b, meta));
        assertTrue(Files.exists(b.resolveSibling(Trainer.STATE_FILE)), "state written after epoch 1");

        PaperModel resumed = tinyModel(); // a fresh process: new initial weights, then the saved state
        Trainer.Report rb = new Trainer<Item>(SETTINGS, System.out).train(task(resumed), train, dev, b, meta);

        assertEquals(ra.bestDevAccuracy(), rb.bestDevAccuracy());
        assertEquals(ra.bestEpoch(), rb.bestEpoch());
        var pa = a.parameters();
        for (var e : resumed.parameters().entrySet()) {
            assertArrayEquals(pa.get(e.getKey()).value.data, e.getValue().value.data, e.getKey() + " identical after resuming");
        }
        assertTrue(ra.bestDevAccuracy() > 0.7, "the task is learnt: " + ra.bestDevAccuracy());
    }

    @Test
    void bucketedRunResumesExactlyAndBatchesBySimilarLength(@TempDir Path dir) throws Exception {
        List<Item> train = data(200, 3), dev = data(64, 4); // 25 batches of 8: one pool of 50 batches would hold them all
        Map<String, String> meta = Map.of("trained", "tiny bucketed");
        List<Integer> spreads = new ArrayList<>();
        PaperModel a = tinyModel();
        Trainer.Task<Item> spy = new Trainer.Task<>() {
            final Trainer.Task<Item> inner = task(a);
            public Var logits(Tape tape, List<Item> mb) {
                if (tape.training()) {
                    int lo = Integer.MAX_VALUE, hi = 0;
                    for (Item x : mb) { lo = Math.min(lo, x.ids().length); hi = Math.max(hi, x.ids().length); }
                    spreads.add(hi - lo);
                }
                return inner.logits(tape, mb);
            }
            public int label(Item x) { return x.label(); }
            public Map<String, Var> parameters() { return inner.parameters(); }
        };
        Files.createDirectories(dir.resolve("a"));
        Trainer.Report ra = new Trainer<Item>(SETTINGS, System.out).bucketByLength(x -> x.ids().length)
                .train(spy, train, dev, dir.resolve("a/model.safetensors"), meta);
        // lengths 3..7, 40 items of each on average: a sorted pool puts at most two lengths in a batch of 8
        assertEquals(4 * 25, spreads.size());
        for (int sp : spreads) assertTrue(sp <= 1, "length spread in a bucketed batch: " + sp);

        Path b = dir.resolve("b/model.safetensors");
        Files.createDirectories(b.getParent());
        assertThrows(IllegalStateException.class, () -> new Trainer<Item>(SETTINGS, System.out).bucketByLength(x -> x.ids().length)
                .afterEpoch(e -> { if (e == 2) throw new IllegalStateException("killed after epoch 2"); })
                .train(task(tinyModel()), train, dev, b, meta));
        // an unbucketed run may not continue a bucketed one
        assertThrows(io.lrp.LrpException.class, () -> new Trainer<Item>(SETTINGS, System.out).train(task(tinyModel()), train, dev, b, meta));
        PaperModel resumed = tinyModel();
        Trainer.Report rb = new Trainer<Item>(SETTINGS, System.out).bucketByLength(x -> x.ids().length).train(task(resumed), train, dev, b, meta);
        assertEquals(ra.bestDevAccuracy(), rb.bestDevAccuracy());
        var pa = a.parameters();
        for (var e : resumed.parameters().entrySet()) {
            assertArrayEquals(pa.get(e.getKey()).value.data, e.getValue().value.data, e.getKey() + " identical after resuming");
        }
    }

    @Test
    void stateOfAnotherRunIsRefused(@TempDir Path dir) throws Exception {
        List<Item> train = data(32, 1), dev = data(8, 2);
        Path ckpt = dir.resolve("model.safetensors");
        new Trainer<Item>(new Trainer.Settings(1, 5e-3, 8, 42, 0.01, 0.1), System.out).train(task(tinyModel()), train, dev, ckpt, Map.of());
        LrpException e = assertThrows(LrpException.class, () ->
                new Trainer<Item>(new Trainer.Settings(2, 5e-3, 8, 42, 0.01, 0.1), System.out).train(task(tinyModel()), train, dev, ckpt, Map.of()));
        assertTrue(e.getMessage().contains("training state of a different run"), e.getMessage());
    }
}
