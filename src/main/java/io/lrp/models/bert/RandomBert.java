package io.lrp.models.bert;

import io.lrp.autograd.Ops;
import io.lrp.autograd.Role;
import io.lrp.autograd.Var;
import io.lrp.nn.Embeddings;
import io.lrp.nn.LayerNorm;
import io.lrp.nn.Linear;
import io.lrp.tensor.Tensor;
import io.lrp.text.Tokenizer;
import java.util.List;
import java.util.SplittableRandom;

/**
 * BERT models with seeded random weights, for benchmarks: the cost of a forward pass or an
 * explanation does not depend on the values. Every weight matrix and embedding table is drawn
 * from N(0, 0.02) (BERT's initializer range), biases are 0, LayerNorm weights 1 and biases 0.
 * Each tensor has its own generator, seeded from the model seed and the tensor's name, so a
 * tensor's values do not depend on the order in which the others are drawn.
 */
public final class RandomBert {
    private RandomBert() {}

    /** BERT-base: 12 layers, hidden 768, 12 heads, FFN 3072, vocab 30522, 512 positions, 2 token types. */
    public static BertConfig bertBaseConfig() {
        return new BertConfig(30522, 768, 12, 12, 3072, 512, 2, 1e-12, 0,
                List.of("LABEL_0", "LABEL_1"), BertConfig.Pooling.CLS_POOLER);
    }

    /** The BERT-base benchmark model: [CLS] pooler and a 2-class classifier, seed 42. */
    public static BertModel bertBase(Tokenizer tokenizer) {
        return create("bert-base", bertBaseConfig(), 42, tokenizer);
    }

    /**
     * A model of the given sizes with random weights; with a classification head (the pooler
     * too under {@link BertConfig.Pooling#CLS_POOLER}) when the config has labels.
     */
    public static BertModel create(String name, BertConfig c, long seed, Tokenizer tokenizer) {
        int h = c.hidden(), f = c.intermediate();
        double eps = c.layerNormEps();
        Embeddings emb = new Embeddings(
                normal(seed, "embeddings.word_embeddings.weight", c.vocabSize(), h),
                normal(seed, "embeddings.position_embeddings.weight", c.maxPositions(), h),
                normal(seed, "embeddings.token_type_embeddings.weight", c.typeVocab(), h),
                norm("embeddings.LayerNorm", h, eps));
        BertModel.Layer[] layers = new BertModel.Layer[c.layers()];
        for (int l = 0; l < layers.length; l++) {
            String p = "encoder.layer." + l + ".";
            layers[l] = new BertModel.Layer(
                    linear(seed, p + "attention.self.query", h, h, Role.ENCODER_LINEAR),
                    linear(seed, p + "attention.self.key", h, h, Role.ENCODER_LINEAR),
                    linear(seed, p + "attention.self.value", h, h, Role.ENCODER_LINEAR),
                    linear(seed, p + "attention.output.dense", h, h, Role.ENCODER_LINEAR),
                    norm(p + "attention.output.LayerNorm", h, eps),
                    linear(seed, p + "intermediate.dense", f, h, Role.ENCODER_LINEAR),
                    linear(seed, p + "output.dense", h, f, Role.ENCODER_LINEAR),
                    norm(p + "output.LayerNorm", h, eps));
        }
        Linear pooler = null, classifier = null;
        if (!c.labels().isEmpty()) {
            if (c.pooling() == BertConfig.Pooling.CLS_POOLER) pooler = linear(seed, "pooler.dense", h, h, Role.HEAD_LINEAR);
            classifier = linear(seed, "classifier", c.labels().size(), h, Role.HEAD_LINEAR);
        }
        return new BertModel(name, "random weights N(0, 0.02), seed " + seed, c, emb, layers, pooler, classifier, tokenizer);
    }

    private static Linear linear(long seed, String name, int out, int in, Role role) {
        return new Linear(name, Var.constant(normal(seed, name + ".weight", out, in)), Var.constant(Tensor.zeros(out)), role);
    }

    private static LayerNorm norm(String name, int size, double eps) {
        Tensor w = Tensor.zeros(size);
        java.util.Arrays.fill(w.data, 1f);
        return new LayerNorm(name, Var.constant(w), Var.constant(Tensor.zeros(size)), eps, Ops.NormKind.BIASED_VARIANCE);
    }

    private static Tensor normal(long seed, String name, int rows, int cols) {
        Tensor t = Tensor.zeros(rows, cols);
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ name.hashCode());
        float[] d = t.data;
        // Box-Muller, two values per pair of uniforms (SplittableRandom has no nextGaussian on Java 17)
        for (int i = 0; i < d.length; i += 2) {
            double u1 = 1.0 - r.nextDouble(), u2 = r.nextDouble();
            double rad = 0.02 * Math.sqrt(-2 * Math.log(u1)), a = 2 * Math.PI * u2;
            d[i] = (float) (rad * Math.cos(a));
            if (i + 1 < d.length) d[i + 1] = (float) (rad * Math.sin(a));
        }
        return t;
    }
}
