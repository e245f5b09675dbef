package io.lrp.cli;

import io.lrp.models.Model;
import io.lrp.models.ModelLoader;
import java.util.HashMap;
import java.util.Map;

/** Model lookup for the commands, cached per JVM (tests run many commands). */
final class Models {
    private Models() {}

    /** The model used when --model is absent. */
    static final String DEFAULT = "minilm-sst2";

    private static final Map<String, Model> CACHE = new HashMap<>();

    /** The bench's synthetic BERT-base (random weights): a name only {@code lrp bench} knows. */
    static final String BERT_BASE = "bert-base";

    /** Like {@link #open}, and bert-base: BERT-base sizes with seeded random weights, MiniLM's tokenizer. */
    static synchronized Model openForBench(String spec) {
        if ("minilm".equals(spec)) {
            // the encoder with a seeded random 2-class head, as the PyTorch reference script does
            return CACHE.computeIfAbsent("bench:minilm", k -> {
                java.util.Random r = new java.util.Random(1234);
                io.lrp.tensor.Tensor w = io.lrp.tensor.Tensor.zeros(2, 384), b = io.lrp.tensor.Tensor.zeros(2);
                for (int i = 0; i < w.data.length; i++) w.data[i] = (float) (0.05 * r.nextGaussian());
                return ModelLoader.miniLm("minilm", new io.lrp.nn.Weights(
                        Map.of("classifier.weight", w, "classifier.bias", b), "random head (seed 1234)"), null);
            });
        }
        if (!BERT_BASE.equals(spec)) return open(spec);
        return CACHE.computeIfAbsent("bench:" + BERT_BASE, k -> io.lrp.models.bert.RandomBert.bertBase(
                io.lrp.text.WordPieceTokenizer.loadClasspath(io.lrp.models.ModelLoader.MINILM_TOKENIZER)));
    }

    static synchronized Model open(String spec) {
        String name = spec == null ? DEFAULT : spec;
        String key = io.lrp.models.ModelChecks.unusedWeightsAllowed() ? name + " (unused weights allowed)" : name;
        Model m = CACHE.get(key);
        if (m == null) {
            m = ModelLoader.load(name);
            CACHE.put(key, m);
        }
        return m;
    }
}
