package io.lrp.train;

import io.lrp.autograd.Ops;
import io.lrp.autograd.RuleSet;
import io.lrp.autograd.Tape;
import io.lrp.autograd.Var;
import io.lrp.io.SafeTensors;
import io.lrp.tensor.Tensor;
import java.io.PrintStream;
import io.lrp.LrpException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The training loop shared by every architecture: shuffled minibatches, cross-entropy, AdamW with
 * linear warm-up and decay, dropout on, a progress bar, dev accuracy after each epoch, and the
 * best model written atomically (temp file + rename), so a killed run loses at most one epoch.
 */
public final class Trainer<T> {

    /** What the loop needs from an architecture. */
    public interface Task<T> {
        /** Logits [B, C] of a minibatch; the tape is in training mode when training. */
        Var logits(Tape tape, List<T> batch);
        int label(T item);
        /** The parameters to train, by name (they are also what the checkpoint holds). */
        Map<String, Var> parameters();
    }

    public record Settings(int epochs, double lr, int batch, long seed, double weightDecay, double warmup) {}

    public record Report(double bestDevAccuracy, int bestEpoch, Map<String, Tensor> weights) {}

    private final Settings s;
    private final PrintStream log;

    public Trainer(Settings settings, PrintStream log) {
        this.s = settings;
        this.log = log;
    }

    /**
     * Trains, writing the best model to {@code checkpoint} and, after every epoch, the training
     * state (weights, optimizer moments, epoch) to {@code last.safetensors} beside it. When that
     * state file exists from a run with the same settings, training resumes after its epoch:
     * every epoch draws its shuffle and dropout from a generator seeded by (seed, epoch), so the
     * resumed run computes exactly what the uninterrupted run would have.
     */
    public Report train(Task<T> task, List<T> train, List<T> dev, Path checkpoint, Map<String, String> metadata) {
        Map<String, Var> params = task.parameters();
        AdamW opt = new AdamW(params, s.weightDecay());
        long totalSteps = (long) ((train.size() + s.batch() - 1) / s.batch()) * s.epochs();
        Path statePath = checkpoint == null ? null : checkpoint.resolveSibling(STATE_FILE);
        String fingerprint = fingerprint(metadata, train.size(), dev.size());
        double best = -1;
        int bestEpoch = -1, start = 1;
        Map<String, Tensor> bestWeights = null;
        if (statePath != null && Files.exists(statePath)) {
            SafeTensors st = SafeTensors.open(statePath);
            Map<String, String> m = st.metadata();
            if (!fingerprint.equals(m.get("fingerprint"))) {
                throw new LrpException(statePath + ": training state of a different run (other data or settings); "
                        + "use another --out directory or delete the file");
            }
            Map<String, Tensor> saved = st.getAll();
            for (var e : params.entrySet()) {
                Tensor t = saved.get(e.getKey());
                if (t == null || t.size() != e.getValue().value.size()) throw new LrpException(statePath + ": no usable tensor '" + e.getKey() + "'");
                System.arraycopy(t.data, 0, e.getValue().value.data, 0, t.size());
                io.lrp.tensor.NativeGemm.invalidate(e.getValue().value.data);
            }
            opt.load(saved, Integer.parseInt(m.get("adam_steps")));
            start = Integer.parseInt(m.get("epoch")) + 1;
            best = Double.parseDouble(m.get("best_dev_accuracy"));
            bestEpoch = Integer.parseInt(m.get("best_epoch"));
            if (Files.exists(checkpoint)) bestWeights = SafeTensors.open(checkpoint).getAll();
            log.printf(Locale.ROOT, "resuming after epoch %d (best dev %s so far %.4f, epoch %d)%n", start - 1,
                    devMetric == null ? "accuracy" : devMetricName, best, bestEpoch);
        }
        long step = (long) ((train.size() + s.batch() - 1) / s.batch()) * (start - 1);
        List<T> devOrder = dev;
        if (lengthOf != null) { // the same accuracy with less padding
            devOrder = new ArrayList<>(dev);
            devOrder.sort(java.util.Comparator.comparingInt(lengthOf));
        }
        for (int epoch = start; epoch <= s.epochs(); epoch++) {
            Random rnd = new Random(s.seed() * 1_000_003L + epoch);
            List<T> order = new ArrayList<>(train);
            Collections.shuffle(order, rnd);
            if (lengthOf != null) order = bucketed(order, rnd);
            Progress bar = new Progress(log, String.format("epoch %d/%d", epoch, s.epochs()), order.size());
            double lossSum = 0;
            int correct = 0, seen = 0;
            for (int i = 0; i < order.size(); i += s.batch()) {
                List<T> mb = order.subList(i, Math.min(order.size(), i + s.batch()));
                Tape tape = Tape.recording(RuleSet.GRADIENT).batch(mb.size()).training(rnd);
                Var logits = task.logits(tape, mb);
                int[] labels = mb.stream().mapToInt(task::label).toArray();
                Var loss = Ops.crossEntropy(tape, logits, labels);
                tape.backward(loss, new Tensor(new float[] {1f}, 1));
                opt.step(learningRate(step++, totalSteps));
                lossSum += loss.value.data[0] * mb.size();
                seen += mb.size();
                correct += countCorrect(logits.value, labels);
                bar.advance(mb.size(), String.format(Locale.ROOT, "loss %.4f acc %.3f", lossSum / seen, (double) correct / seen));
            }
            double devAcc = devMetric == null ? accuracy(task, devOrder) : devMetric.applyAsDouble(devOrder);
            log.printf(Locale.ROOT, "epoch %d: train loss %.4f, train acc %.4f, dev %s %.4f%n", epoch, lossSum / seen, (double) correct / seen,
                    devMetricName, devAcc);
            if (devAcc > best) {
                best = devAcc;
                bestEpoch = epoch;
                bestWeights = new LinkedHashMap<>();
                for (var e : params.entrySet()) bestWeights.put(e.getKey(), e.getValue().value.copy());
                Map<String, String> meta = new LinkedHashMap<>(metadata);
                meta.put("dev_accuracy", String.format(Locale.ROOT, "%.4f", devAcc));
                meta.put("epoch", Integer.toString(epoch));
                if (checkpoint != null) SafeTensors.write(checkpoint, bestWeights, meta);
            }
            if (statePath != null) {
                Map<String, Tensor> state = new LinkedHashMap<>();
                for (var e : params.entrySet()) state.put(e.getKey(), e.getValue().value);
                state.putAll(opt.state());
                Map<String, String> meta = new LinkedHashMap<>();
                meta.put("fingerprint", fingerprint);
                meta.put("epoch", Integer.toString(epoch));
                meta.put("adam_steps", Integer.toString(opt.steps()));
                meta.put("best_dev_accuracy", Double.toString(best));
                meta.put("best_epoch", Integer.toString(bestEpoch));
                SafeTensors.write(statePath, state, meta); // atomic: a kill loses at most the epoch in progress
            }
            if (afterEpoch != null) afterEpoch.accept(epoch);
        }
        return new Report(best, bestEpoch, bestWeights);
    }

    /** The training-state file written beside the checkpoint after every epoch. */
    public static final String STATE_FILE = "last.safetensors";

    private java.util.function.IntConsumer afterEpoch;

    private java.util.function.ToDoubleFunction<List<T>> devMetric;
    private String devMetricName = "acc";

    /** Select the model by this score of the dev set (higher is better) instead of its accuracy; the files keep their key names. */
    public Trainer<T> selectBy(String name, java.util.function.ToDoubleFunction<List<T>> metric) {
        this.devMetricName = name;
        this.devMetric = metric;
        return this;
    }

    /** Called after each epoch's files are written (tests use it to stop a run mid-way). */
    public Trainer<T> afterEpoch(java.util.function.IntConsumer hook) {
        this.afterEpoch = hook;
        return this;
    }

    private String fingerprint(Map<String, String> metadata, int trainSize, int devSize) {
        // data_sha256: the content of the examples used, so that another file under the same name is another run
        return String.format(Locale.ROOT, "%s|%s|train=%d|dev=%d|data=%s%s", metadata.getOrDefault("trained", ""), s, trainSize, devSize,
                metadata.getOrDefault("data_sha256", ""), lengthOf == null ? "" : "|buckets=" + BUCKET_POOL);
    }

    /** Batches per pool sorted by length under {@link #bucketByLength}. */
    public static final int BUCKET_POOL = 50;

    private java.util.function.ToIntFunction<T> lengthOf;

    /**
     * Minibatches of similar length: the shuffled order is cut into pools of {@value #BUCKET_POOL}
     * batches, each pool sorted by length and cut into batches, and the batches shuffled (all from
     * the epoch's seeded generator, so a resumed run still computes what an uninterrupted one
     * would). On inputs of very different lengths (IMDB reviews) most of the padding goes.
     */
    public Trainer<T> bucketByLength(java.util.function.ToIntFunction<T> length) {
        this.lengthOf = length;
        return this;
    }

    private List<T> bucketed(List<T> order, Random rnd) {
        int pool = BUCKET_POOL * s.batch();
        List<List<T>> batches = new ArrayList<>();
        for (int i = 0; i < order.size(); i += pool) {
            List<T> p = new ArrayList<>(order.subList(i, Math.min(order.size(), i + pool)));
            p.sort(java.util.Comparator.comparingInt(lengthOf));
            for (int j = 0; j < p.size(); j += s.batch()) batches.add(p.subList(j, Math.min(p.size(), j + s.batch())));
        }
        // a short last batch stays last: the loop cuts the order at multiples of the batch size
        List<T> tail = batches.get(batches.size() - 1).size() < s.batch() ? batches.remove(batches.size() - 1) : null;
        Collections.shuffle(batches, rnd);
        if (tail != null) batches.add(tail);
        List<T> out = new ArrayList<>(order.size());
        for (List<T> b : batches) out.addAll(b);
        return out;
    }

    private double learningRate(long step, long total) {
        long warm = Math.max(1, Math.round(s.warmup() * total));
        if (step < warm) return s.lr() * (step + 1) / warm;
        return s.lr() * Math.max(0.0, (double) (total - step) / Math.max(1, total - warm));
    }

    /** Accuracy without dropout, in batches of 64. */
    public static <T> double accuracy(Task<T> task, List<T> set) {
        int correct = 0;
        for (int i = 0; i < set.size(); i += 64) {
            List<T> mb = set.subList(i, Math.min(set.size(), i + 64));
            Var logits = task.logits(Tape.inference().withoutAttention().batch(mb.size()), mb);
            correct += countCorrect(logits.value, mb.stream().mapToInt(task::label).toArray());
        }
        return set.isEmpty() ? 0 : (double) correct / set.size();
    }

    private static int countCorrect(Tensor logits, int[] labels) {
        int c = logits.dim(1), n = 0;
        for (int b = 0; b < labels.length; b++) {
            int best = 0;
            for (int j = 1; j < c; j++) if (logits.data[b * c + j] > logits.data[b * c + best]) best = j;
            if (best == labels[b]) n++;
        }
        return n;
    }
}
