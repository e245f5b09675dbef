package io.lrp.models.graph;

import io.lrp.LrpException;
import io.lrp.autograd.Tape;
import io.lrp.autograd.Var;
import io.lrp.explain.Relevance;
import io.lrp.models.Batch;
import io.lrp.train.Trainer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * {@code lrp train --arch graph --data DIR} on an MNIST directory: digits as superpixel graphs
 * ({@link Superpixels}), ten classes. Training digits 0..54,999 train, 55,000..59,999 validate
 * (the model is selected by validation accuracy); the test accuracy of the selected model is on
 * the 10,000 test digits. With a limit N: the first N training digits, the first
 * min(5000, max(500, N/10)) validation digits and the first min(10000, N) test digits.
 * Training runs through the shared loop ({@link Trainer}: resumable, progress and ETA).
 */
public final class MnistTraining {
    private MnistTraining() {}

    public static final int VALID_FROM = 55_000, MAX_NODES = 128, MAX_DEGREE = 12, MAX_DISTANCE = 10;
    public static final List<String> LABELS = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

    /**
     * A segmented digit, compact (the graph with its distance matrices is built per minibatch:
     * kept for 60,000 digits they would take gigabytes).
     */
    public record Item(String name, int label, int nodes, float[] features, short[] edges) {
        public Graph graph() {
            float[][] f = new float[nodes][];
            String[] labels = new String[nodes];
            for (int i = 0; i < nodes; i++) {
                f[i] = java.util.Arrays.copyOfRange(features, i * Superpixels.FEATURES, (i + 1) * Superpixels.FEATURES);
                labels[i] = Superpixels.label(i);
            }
            int[][] e = new int[edges.length / 2][];
            for (int k = 0; k < e.length; k++) e[k] = new int[] {edges[2 * k], edges[2 * k + 1]};
            return Graph.of(name, labels, new int[nodes][0], f, e, new int[e.length][0]);
        }

        static Item of(MnistData.Digit d) {
            Superpixels.Segmentation s = Superpixels.segment(d.pixels());
            float[] f = new float[s.count() * Superpixels.FEATURES];
            for (int i = 0; i < s.count(); i++) System.arraycopy(s.features()[i], 0, f, i * Superpixels.FEATURES, Superpixels.FEATURES);
            short[] e = new short[s.edges().length * 2];
            for (int k = 0; k < s.edges().length; k++) {
                e[2 * k] = (short) s.edges()[k][0];
                e[2 * k + 1] = (short) s.edges()[k][1];
            }
            return new Item(d.name(), d.label(), s.count(), f, e);
        }
    }

    public record Result(Path model, int train, int valid, int test, double bestValidAccuracy, int bestEpoch, double testAccuracy,
                         double digitsPerSecond) {}

    /** The model config of a superpixel classifier. */
    public static GraphConfig config(GraphTraining.Settings s) {
        return new GraphConfig(new int[0], Superpixels.FEATURES, MAX_DEGREE, new int[0], s.maxDistance(), s.hidden(), s.heads(), s.blocks(),
                s.ffn(), 1e-5, MAX_NODES, Superpixels.FEATURIZER, LABELS);
    }

    public static Result train(Path dir, Path out, GraphTraining.Settings s, PrintStream log) {
        List<MnistData.Digit> all = MnistData.read(dir, MnistData.Part.TRAIN), testDigits = MnistData.read(dir, MnistData.Part.TEST);
        if (all.size() <= VALID_FROM) throw new LrpException(dir + ": " + all.size() + " training digits, expected more than " + VALID_FROM);
        int nTrain = s.limit() == null ? VALID_FROM : Math.min(s.limit(), VALID_FROM);
        int nValid = s.limit() == null ? all.size() - VALID_FROM : Math.min(all.size() - VALID_FROM, Math.max(500, s.limit() / 10));
        int nTest = s.limit() == null ? testDigits.size() : Math.min(testDigits.size(), s.limit());
        log.printf(Locale.ROOT, "segmenting %d + %d + %d digits (SLIC, %d regions) ...%n", nTrain, nValid, nTest, Superpixels.REGIONS);
        List<Item> train = items(all.subList(0, nTrain)), valid = items(all.subList(VALID_FROM, VALID_FROM + nValid)),
                test = items(testDigits.subList(0, nTest));
        for (List<Item> set : List.of(train, valid, test)) {
            for (Item it : set) if (it.nodes() > MAX_NODES) throw new LrpException(it.name() + ": " + it.nodes() + " superpixels, more than " + MAX_NODES);
        }
        try {
            Files.createDirectories(out);
        } catch (java.io.IOException e) {
            throw new LrpException("cannot create output directory " + out + ": " + e.getMessage());
        }
        GraphConfig c = config(s);
        GraphModel model = GraphModel.create("graph", c, new Random(s.seed())).dropout(s.dropout());
        Map<String, String> meta = new LinkedHashMap<>(GraphFamily.metadata(c));
        meta.put("trained", String.format(Locale.ROOT, "arch=graph data=mnist superpixels=slic(regions=%d,spatial_weight=%g,iterations=%d,4-connected) "
                        + "split=train[0,%d)/valid[%d,%d)/test[0,%d) epochs=%d lr=%g batch=%d seed=%d hidden=%d heads=%d blocks=%d ffn=%d "
                        + "max_distance=%d dropout=%g%s", Superpixels.REGIONS, Superpixels.SPATIAL_WEIGHT, Superpixels.ITERATIONS, nTrain, VALID_FROM,
                VALID_FROM + nValid, nTest, s.epochs(), s.lr(), s.batch(), s.seed(), s.hidden(), s.heads(), s.blocks(), s.ffn(), s.maxDistance(),
                s.dropout(), s.limit() == null ? "" : " limit=" + s.limit()));
        meta.put("data_sha256", sha256(all, nTrain, nValid));
        Trainer.Task<Item> task = new Trainer.Task<>() {
            public Var logits(Tape tape, List<Item> mb) {
                Batch b = GraphModel.batch(mb.stream().map(Item::graph).toList());
                return model.forward(tape, model.embed(tape, b), b);
            }
            public int label(Item e) { return e.label(); }
            public Map<String, Var> parameters() { return model.trainableParameters(); }
        };
        Path file = out.resolve("model.safetensors");
        Trainer<Item> trainer = new Trainer<Item>(new Trainer.Settings(s.epochs(), s.lr(), s.batch(), s.seed(), 0.01, 0.06), log)
                .bucketByLength(Item::nodes);
        long t0 = System.nanoTime();
        int[] epochs = {0};
        trainer.afterEpoch(e -> epochs[0]++);
        Trainer.Report report = trainer.train(task, train, valid, file, meta);
        double seconds = (System.nanoTime() - t0) / 1e9;
        GraphModel best = GraphFamily.fromSafetensors(file, "trained");
        return new Result(file, train.size(), valid.size(), test.size(), report.bestDevAccuracy(), report.bestEpoch(), accuracy(best, test),
                epochs[0] == 0 ? Double.NaN : (double) epochs[0] * (train.size() + valid.size()) / seconds);
    }

    public static List<Item> items(List<MnistData.Digit> digits) {
        List<Item> out = new ArrayList<>(digits.size());
        for (MnistData.Digit d : digits) out.add(Item.of(d));
        return out;
    }

    /** Accuracy without dropout, in batches of 64. */
    public static double accuracy(GraphModel model, List<Item> set) {
        int correct = 0;
        for (int i = 0; i < set.size(); i += 64) {
            List<Item> mb = set.subList(i, Math.min(set.size(), i + 64));
            float[][] z = Relevance.logits(model, GraphModel.batch(mb.stream().map(Item::graph).toList()));
            for (int b = 0; b < mb.size(); b++) {
                int arg = 0;
                for (int k = 1; k < z[b].length; k++) if (z[b][k] > z[b][arg]) arg = k;
                if (arg == mb.get(b).label()) correct++;
            }
        }
        return set.isEmpty() ? Double.NaN : (double) correct / set.size();
    }

    /** The pixels and labels used for training and validation (a different file under the same name is another run). */
    private static String sha256(List<MnistData.Digit> all, int nTrain, int nValid) {
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            for (int i = 0; i < all.size(); i++) {
                if (i >= nTrain && (i < VALID_FROM || i >= VALID_FROM + nValid)) continue;
                md.update(all.get(i).pixels());
                md.update((byte) all.get(i).label());
            }
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
