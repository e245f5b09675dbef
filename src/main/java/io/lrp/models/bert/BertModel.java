package io.lrp.models.bert;

import io.lrp.LrpException;
import io.lrp.autograd.Attention;
import io.lrp.autograd.Ops;
import io.lrp.autograd.Role;
import io.lrp.autograd.Tape;
import io.lrp.autograd.Var;
import io.lrp.models.Batch;
import io.lrp.models.Model;
import io.lrp.nn.Embeddings;
import io.lrp.nn.LayerNorm;
import io.lrp.nn.Linear;
import io.lrp.nn.Weights;
import io.lrp.tensor.Tensor;
import io.lrp.text.Tokenizer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A BERT encoder (Hugging Face semantics, eval mode) with a classification head: either the
 * pooler on [CLS] (BertForSequenceClassification) or mean pooling and a linear layer.
 */
public final class BertModel implements Model {

    /** One encoder layer; weight shapes in the nn.Linear layout [out, in]. */
    record Layer(Linear query, Linear key, Linear value, Linear attentionOut, LayerNorm attentionNorm,
                 Linear intermediate, Linear output, LayerNorm outputNorm) {}

    private final String name, source;
    private final BertConfig config;
    private final Embeddings embeddings;
    private final Layer[] layers;
    private final Linear pooler;      // [H, H], CLS_POOLER only
    private final Linear classifier;  // [C, H]
    private final Tokenizer tokenizer;

    public BertModel(String name, String source, BertConfig config, Embeddings embeddings, Layer[] layers,
                     Linear pooler, Linear classifier, Tokenizer tokenizer) {
        this.name = name;
        this.source = source;
        this.config = config;
        this.embeddings = embeddings;
        this.layers = layers;
        this.pooler = pooler;
        this.classifier = classifier;
        this.tokenizer = tokenizer;
    }

    /**
     * Builds the model from weights with HF names ("bert." prefix optional); the head from
     * headWeights, or an encoder without a classification head when headWeights is null.
     */
    public static BertModel load(String name, BertConfig c, Weights w, Weights headWeights, Tokenizer tokenizer) {
        int h = c.hidden(), f = c.intermediate();
        Embeddings emb = Embeddings.load(w, c.vocabSize(), c.maxPositions(), c.typeVocab(), h, c.layerNormEps());
        Layer[] layers = new Layer[c.layers()];
        for (int l = 0; l < layers.length; l++) {
            String p = "encoder.layer." + l + ".";
            layers[l] = new Layer(
                    Linear.load(w, p + "attention.self.query", h, h, Role.ENCODER_LINEAR),
                    Linear.load(w, p + "attention.self.key", h, h, Role.ENCODER_LINEAR),
                    Linear.load(w, p + "attention.self.value", h, h, Role.ENCODER_LINEAR),
                    Linear.load(w, p + "attention.output.dense", h, h, Role.ENCODER_LINEAR),
                    LayerNorm.load(w, p + "attention.output.LayerNorm", h, c.layerNormEps()),
                    Linear.load(w, p + "intermediate.dense", f, h, Role.ENCODER_LINEAR),
                    Linear.load(w, p + "output.dense", h, f, Role.ENCODER_LINEAR),
                    LayerNorm.load(w, p + "output.LayerNorm", h, c.layerNormEps()));
        }
        int classes = c.labels().size();
        Linear pooler = null, classifier = null;
        String source = w.source();
        if (headWeights != null) {
            pooler = c.pooling() == BertConfig.Pooling.CLS_POOLER
                    ? Linear.load(headWeights, "pooler.dense", h, h, Role.HEAD_LINEAR) : null;
            classifier = Linear.load(headWeights, "classifier", classes, h, Role.HEAD_LINEAR);
            if (!headWeights.source().equals(w.source())) source += " + head " + headWeights.source();
        }
        return new BertModel(name, source, c, emb, layers, pooler, classifier, tokenizer);
    }

    public BertConfig config() { return config; }

    @Override public String name() { return name; }
    @Override public String source() { return source; }
    @Override public List<String> labels() { return config.labels(); }
    @Override public int maxLength() { return config.maxPositions(); }
    @Override public int unkId() { return tokenizer != null ? tokenizer.unkId() : 100; }
    @Override public int padId() { return config.padId(); }
    @Override public Tokenizer tokenizer() { return tokenizer; }

    @Override public String family() { return "bert"; }

    @Override public String head() {
        return classifier == null ? "none (encoder only)"
                : config.pooling() == BertConfig.Pooling.CLS_POOLER ? "[CLS] pooler (dense, tanh) + classifier" : "mean pooling + linear";
    }

    @Override public String describe() {
        return String.format("BERT encoder, %d layers, hidden %d, %d heads, FFN %d, vocab %d, max %d positions, head %s, %d labels",
                config.layers(), config.hidden(), config.heads(), config.intermediate(), config.vocabSize(),
                config.maxPositions(), classifier == null ? "none (encoder only)"
                        : config.pooling() == BertConfig.Pooling.CLS_POOLER ? "[CLS] pooler + classifier" : "mean pooling + linear",
                config.labels().size());
    }

    @Override public io.lrp.explain.Cost cost(int tokens) {
        return io.lrp.explain.Cost.encoder(config.layers(), config.hidden(), config.intermediate(), tokens);
    }

    @Override public Tensor embed(Batch batch) { return embeddings.embed(batch); }

    /** Last hidden states [B*T, H] from the attribution point. */
    public Var encode(Tape tape, Var x, Batch batch) { return encodeLayers(tape, x, batch, 0, layers.length); }

    public int layerCount() { return layers.length; }

    /** Runs layers [from, to) on the hidden states h [B*T, H] (training caches the frozen bottom). */
    public Var encodeLayers(Tape tape, Var h, Batch batch, int from, int to) {
        int bsz = batch.size(), len = batch.length(), heads = config.heads();
        float scale = (float) (1.0 / Math.sqrt(config.headDim()));
        float[] mask = batch.additiveMask();
        Var input = h;
        for (int l = from; l < to; l++) {
            Layer layer = layers[l];
            Var q = layer.query().apply(tape, h);
            Var k = layer.key().apply(tape, h);
            Var v = layer.value().apply(tape, h);
            Var context = Attention.attention(tape, q, k, v, bsz, len, heads, scale, mask).context();
            tape.discard(q, k, v); // (a recording tape keeps what its backward pass reads)
            Var attended = Ops.dropout(tape, layer.attentionOut().apply(tape, context), 0.1);
            tape.discard(context);
            Var sum1 = Ops.add(tape, attended, h);
            tape.discard(attended);
            if (h != input) tape.discard(h);
            Var h1 = layer.attentionNorm().apply(tape, sum1);
            tape.discard(sum1);
            Var pre = layer.intermediate().apply(tape, h1);
            Var inner = Ops.gelu(tape, pre, Role.ACTIVATION);
            tape.discard(pre);
            Var out = Ops.dropout(tape, layer.output().apply(tape, inner), 0.1);
            tape.discard(inner);
            Var sum2 = Ops.add(tape, out, h1);
            tape.discard(out, h1);
            h = layer.outputNorm().apply(tape, sum2);
            tape.discard(sum2);
        }
        return h;
    }

    /** The parameters of layer l by their Hugging Face names. */
    public Map<String, Var> layerParameters(int l) {
        Map<String, Var> p = new LinkedHashMap<>();
        String prefix = "encoder.layer." + l + ".";
        for (var e : parameters().entrySet()) if (e.getKey().startsWith(prefix)) p.put(e.getKey(), e.getValue());
        return p;
    }

    /** Sentence vector [B, H] from the last hidden states: pooler output or masked mean. */
    public Var pool(Tape tape, Var hidden, Batch batch) {
        if (config.pooling() == BertConfig.Pooling.MEAN) {
            return Ops.meanPool(tape, hidden, batch.size(), batch.length(), batch.mask());
        }
        Var cls = Ops.firstToken(tape, hidden, batch.size(), batch.length());
        return Ops.tanh(tape, pooler.apply(tape, cls), Role.ACTIVATION);
    }

    public boolean hasClassifier() { return classifier != null; }

    @Override public Var forward(Tape tape, Var x, Batch batch) {
        if (classifier == null) {
            throw new LrpException("model " + name + " is an encoder without a classification head: give a classifier "
                    + "(a Hugging Face BertForSequenceClassification directory, or a built-in classifier such as minilm-sst2)");
        }
        Var last = encode(tape, x, batch);
        tape.mark("encoder_output", last);
        return classifier.apply(tape, pool(tape, last, batch));
    }

    @Override public Map<String, Var> parameters() {
        Map<String, Var> p = new LinkedHashMap<>();
        for (Layer l : layers) {
            for (Linear lin : List.of(l.query(), l.key(), l.value(), l.attentionOut(), l.intermediate(), l.output())) {
                p.put(lin.name() + ".weight", lin.weight());
                p.put(lin.name() + ".bias", lin.bias());
            }
            for (LayerNorm n : List.of(l.attentionNorm(), l.outputNorm())) {
                p.put(n.name() + ".weight", n.weight());
                p.put(n.name() + ".bias", n.bias());
            }
        }
        if (pooler != null) {
            p.put("pooler.dense.weight", pooler.weight());
            p.put("pooler.dense.bias", pooler.bias());
        }
        if (classifier != null) {
            p.put("classifier.weight", classifier.weight());
            p.put("classifier.bias", classifier.bias());
        }
        return p;
    }

    public Embeddings embeddings() { return embeddings; }
}
