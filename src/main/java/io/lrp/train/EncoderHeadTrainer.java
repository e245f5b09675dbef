package io.lrp.train;

import io.lrp.LrpException;
import io.lrp.autograd.Attention;
import io.lrp.autograd.Ops;
import io.lrp.autograd.Role;
import io.lrp.autograd.Tape;
import io.lrp.autograd.Var;
import io.lrp.data.Example;
import io.lrp.models.Batch;
import io.lrp.models.bert.BertModel;
import io.lrp.nn.Linear;
import io.lrp.tensor.Tensor;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
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

    public Trainer.Report train(List<Example> train, List<Example> dev, Path checkpoint, Map<String, String> metadata) {
        int hidden = encoder.config().hidden(), from = encoder.layerCount() - s.finetuneLayers();
        int classes = s.labels().size();
        for (Example e : train) checkLabel(e, classes);
        for (Example e : dev) checkLabel(e, classes);
        List<Cached> trainSet = cache(train, from, "caching train");
        List<Cached> devSet = cache(dev, from, "caching dev");
        Linear head = Linear.init("classifier", classes, hidden, Role.HEAD_LINEAR, new Random(s.seed()), 0.02);
        Map<String, Var> params = new LinkedHashMap<>();
        for (int l = from; l < encoder.layerCount(); l++) params.putAll(encoder.layerParameters(l));
        params.put("classifier.weight", head.weight());
        params.put("classifier.bias", head.bias());
        Trainer.Task<Cached> task = new Trainer.Task<>() {
            public Var logits(Tape tape, List<Cached> mb) { return forward(tape, batchOf(mb), mb, from, head); }
            public int label(Cached c) { return c.label(); }
            public Map<String, Var> parameters() { return params; }
        };
        var settings = new Trainer.Settings(s.epochs(), s.lr(), s.batch(), s.seed(), s.weightDecay(), s.warmup());
        return new Trainer<Cached>(settings, log).train(task, trainSet, devSet, checkpoint, metadata);
    }

    private static void checkLabel(Example e, int classes) {
        if (e.label() >= classes) throw new LrpException(e.source() + ":" + e.line() + ": label " + e.label() + " but only " + classes + " classes");
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
            h = encoder.encodeLayers(Tape.inference().withoutAttention().batch(batch.size()), h, batch, 0, from);
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
}
