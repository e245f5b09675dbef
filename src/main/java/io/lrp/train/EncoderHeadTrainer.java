package io.lrp.train;

import io.lrp.LrpException;
import io.lrp.autograd.Ops;
import io.lrp.autograd.Role;
import io.lrp.autograd.RuleSet;
import io.lrp.autograd.Tape;
import io.lrp.autograd.Var;
import io.lrp.data.Example;
import io.lrp.io.SafeTensors;
import io.lrp.models.Batch;
import io.lrp.models.bert.BertModel;
import io.lrp.nn.Linear;
import io.lrp.tensor.Tensor;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Trains a sentence classifier on a pretrained mean-pooling encoder: the top K layers are
 * fine-tuned together with a new linear head, the layers below stay frozen. The hidden states
 * entering the first trained layer are computed once and cached, so an epoch costs only the
 * top layers' forward and backward passes.
 */
public final class EncoderHeadTrainer {

    public record Settings(int epochs, double lr, int batch, long seed, int finetuneLayers, double weightDecay,
                           double warmup, List<String> labels) {}

    public record Report(double bestDevAccuracy, int bestEpoch, Map<String, Tensor> weights) {}

    private final BertModel encoder;
    private final Settings s;
    private final PrintStream log;

    public EncoderHeadTrainer(BertModel encoder, Settings settings, PrintStream log) {
        this.encoder = encoder;
        this.s = settings;
        this.log = log;
        if (settings.finetuneLayers() < 0 || settings.finetuneLayers() > encoder.layerCount()) {
            throw new LrpException("--finetune-layers must be between 0 and " + encoder.layerCount());
        }
    }

    /** An example with its cached hidden states [T, H] entering the first trained layer. */
    private record Cached(int[] ids, float[] hidden, int label) {}

    public Report train(List<Example> train, List<Example> dev, Path checkpoint, Map<String, String> metadata) {
        int hidden = encoder.config().hidden(), from = encoder.layerCount() - s.finetuneLayers();
        int classes = s.labels().size();
        for (Example e : train) checkLabel(e, classes);
        for (Example e : dev) checkLabel(e, classes);
        List<Cached> trainSet = cache(train, from, "caching train");
        List<Cached> devSet = cache(dev, from, "caching dev");

        Random rnd = new Random(s.seed());
        Linear head = Linear.init("classifier", classes, hidden, Role.HEAD_LINEAR, rnd, 0.02);
        Map<String, Var> params = new LinkedHashMap<>();
        for (int l = from; l < encoder.layerCount(); l++) params.putAll(encoder.layerParameters(l));
        params.put("classifier.weight", head.weight());
        params.put("classifier.bias", head.bias());
        AdamW opt = new AdamW(params, s.weightDecay());

        int stepsPerEpoch = (trainSet.size() + s.batch() - 1) / s.batch();
        long totalSteps = (long) stepsPerEpoch * s.epochs(), step = 0;
        double best = -1;
        int bestEpoch = -1;
        Map<String, Tensor> bestWeights = null;
        for (int epoch = 1; epoch <= s.epochs(); epoch++) {
            List<Cached> order = new ArrayList<>(trainSet);
            Collections.shuffle(order, rnd);
            Progress bar = new Progress(log, String.format("epoch %d/%d", epoch, s.epochs()), order.size());
            double lossSum = 0;
            int correct = 0, seen = 0;
            for (int i = 0; i < order.size(); i += s.batch()) {
                List<Cached> mb = order.subList(i, Math.min(order.size(), i + s.batch()));
                Batch batch = batchOf(mb);
                Tape tape = Tape.recording(RuleSet.GRADIENT).batch(mb.size()).training(rnd);
                Var logits = forward(tape, batch, mb, from, head);
                int[] labels = mb.stream().mapToInt(Cached::label).toArray();
                Var loss = Ops.crossEntropy(tape, logits, labels);
                tape.backward(loss, new Tensor(new float[] {1f}, 1));
                opt.step(learningRate(step++, totalSteps));
                lossSum += loss.value.data[0] * mb.size();
                seen += mb.size();
                for (int b = 0; b < mb.size(); b++) if (argmax(logits.value, b) == labels[b]) correct++;
                bar.advance(mb.size(), String.format(Locale.ROOT, "loss %.4f acc %.3f", lossSum / seen, (double) correct / seen));
            }
            double devAcc = accuracy(devSet, from, head);
            log.printf(Locale.ROOT, "epoch %d: train loss %.4f, train acc %.4f, dev acc %.4f%n", epoch, lossSum / seen, (double) correct / seen, devAcc);
            if (devAcc > best) {
                best = devAcc;
                bestEpoch = epoch;
                bestWeights = snapshot(params);
                Map<String, String> meta = new LinkedHashMap<>(metadata);
                meta.put("dev_accuracy", String.format(Locale.ROOT, "%.4f", devAcc));
                meta.put("epoch", Integer.toString(epoch));
                if (checkpoint != null) SafeTensors.write(checkpoint, bestWeights, meta); // atomic: temp file + rename
            }
        }
        return new Report(best, bestEpoch, bestWeights);
    }

    private static void checkLabel(Example e, int classes) {
        if (e.label() >= classes) throw new LrpException(e.source() + ":" + e.line() + ": label " + e.label() + " but only " + classes + " classes");
    }

    private double learningRate(long step, long total) {
        long warm = Math.max(1, Math.round(s.warmup() * total));
        if (step < warm) return s.lr() * (step + 1) / warm;
        return s.lr() * Math.max(0.0, (double) (total - step) / Math.max(1, total - warm));
    }

    private Var forward(Tape tape, Batch batch, List<Cached> mb, int from, Linear head) {
        int hidden = encoder.config().hidden();
        Tensor h = Tensor.zeros(batch.size() * batch.length(), hidden);
        for (int b = 0; b < mb.size(); b++) {
            float[] c = mb.get(b).hidden();
            System.arraycopy(c, 0, h.data, b * batch.length() * hidden, c.length);
        }
        Var last = encoder.encodeLayers(tape, Var.constant(h), batch, from, encoder.layerCount());
        Var pooled = encoder.pool(tape, last, batch);
        return head.apply(tape, Ops.dropout(tape, pooled, 0.1));
    }

    private double accuracy(List<Cached> set, int from, Linear head) {
        int correct = 0;
        for (int i = 0; i < set.size(); i += 64) {
            List<Cached> mb = set.subList(i, Math.min(set.size(), i + 64));
            Var logits = forward(Tape.inference().batch(mb.size()), batchOf(mb), mb, from, head);
            for (int b = 0; b < mb.size(); b++) if (argmax(logits.value, b) == mb.get(b).label()) correct++;
        }
        return set.isEmpty() ? 0 : (double) correct / set.size();
    }

    private static int argmax(Tensor logits, int row) {
        int c = logits.dim(1), best = 0;
        for (int j = 1; j < c; j++) if (logits.data[row * c + j] > logits.data[row * c + best]) best = j;
        return best;
    }

    private Batch batchOf(List<Cached> mb) {
        List<int[]> ids = new ArrayList<>();
        for (Cached c : mb) ids.add(c.ids());
        return Batch.of(ids, encoder.padId());
    }

    /** Tokenizes and runs the frozen layers once, in batches of similar length. */
    private List<Cached> cache(List<Example> examples, int from, String label) {
        List<int[]> ids = new ArrayList<>();
        for (Example e : examples) {
            int[] t = encoder.tokenizer().encode(e.text()).ids();
            if (t.length > encoder.maxLength()) t = java.util.Arrays.copyOf(t, encoder.maxLength());
            ids.add(t);
        }
        Integer[] order = new Integer[examples.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        java.util.Arrays.sort(order, Comparator.comparingInt(i -> ids.get(i).length));
        Cached[] out = new Cached[examples.size()];
        Progress bar = new Progress(log, label, order.length);
        int hidden = encoder.config().hidden();
        for (int i = 0; i < order.length; i += 64) {
            int end = Math.min(order.length, i + 64);
            List<int[]> group = new ArrayList<>();
            for (int k = i; k < end; k++) group.add(ids.get(order[k]));
            Batch batch = Batch.of(group, encoder.padId());
            Var h = Var.constant(encoder.embed(batch));
            h = encoder.encodeLayers(Tape.inference().batch(batch.size()), h, batch, 0, from);
            for (int k = i; k < end; k++) {
                int b = k - i, n = batch.lengths()[b];
                float[] c = new float[n * hidden];
                System.arraycopy(h.value.data, b * batch.length() * hidden, c, 0, c.length);
                out[order[k]] = new Cached(group.get(b), c, examples.get(order[k]).label());
            }
            bar.advance(end - i, "");
        }
        return java.util.Arrays.asList(out);
    }

    private static Map<String, Tensor> snapshot(Map<String, Var> params) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (var e : params.entrySet()) m.put(e.getKey(), e.getValue().value.copy());
        return m;
    }
}
