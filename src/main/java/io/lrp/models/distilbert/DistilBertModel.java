package io.lrp.models.distilbert;

import io.lrp.LrpException;
import io.lrp.autograd.Attention;
import io.lrp.autograd.Ops;
import io.lrp.autograd.Role;
import io.lrp.autograd.Tape;
import io.lrp.autograd.Var;
import io.lrp.explain.Cost;
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
 * DistilBertForSequenceClassification (Hugging Face semantics, eval mode): embeddings
 * LayerNorm(word + position) (the attribution point; no token types), post-LN blocks as BERT's,
 * then the head classifier(ReLU(pre_classifier(h[0]))). Roles: methods.md section 8.2.
 */
public final class DistilBertModel implements Model {

    /** One transformer block; weight shapes in the nn.Linear layout [out, in]. */
    record Layer(Linear q, Linear k, Linear v, Linear out, LayerNorm saNorm, Linear lin1, Linear lin2, LayerNorm outputNorm) {}

    private final String name, source;
    private final DistilBertConfig config;
    private final Embeddings embeddings;
    private final Layer[] layers;
    private final Linear preClassifier, classifier; // null: the encoder alone (DistilBertModel)
    private final Tokenizer tokenizer;

    private DistilBertModel(String name, String source, DistilBertConfig config, Embeddings embeddings, Layer[] layers,
                            Linear preClassifier, Linear classifier, Tokenizer tokenizer) {
        this.name = name;
        this.source = source;
        this.config = config;
        this.embeddings = embeddings;
        this.layers = layers;
        this.preClassifier = preClassifier;
        this.classifier = classifier;
        this.tokenizer = tokenizer;
    }

    /** The weight names of the family, declared once (the "distilbert." prefix is optional). */
    public static DistilBertModel load(String name, DistilBertConfig c, Weights weights, Tokenizer tokenizer) {
        Weights w = weights.withPrefixes("distilbert.");
        int h = c.dim(), f = c.hiddenDim();
        double eps = DistilBertConfig.LAYER_NORM_EPS;
        Embeddings emb = Embeddings.loadWithoutTypes(w, c.vocabSize(), c.maxPositions(), h, eps);
        Layer[] layers = new Layer[c.layers()];
        for (int l = 0; l < layers.length; l++) {
            String p = "transformer.layer." + l + ".";
            layers[l] = new Layer(
                    Linear.load(w, p + "attention.q_lin", h, h, Role.ENCODER_LINEAR),
                    Linear.load(w, p + "attention.k_lin", h, h, Role.ENCODER_LINEAR),
                    Linear.load(w, p + "attention.v_lin", h, h, Role.ENCODER_LINEAR),
                    Linear.load(w, p + "attention.out_lin", h, h, Role.ENCODER_LINEAR),
                    LayerNorm.load(w, p + "sa_layer_norm", h, eps),
                    Linear.load(w, p + "ffn.lin1", f, h, Role.ENCODER_LINEAR),
                    Linear.load(w, p + "ffn.lin2", h, f, Role.ENCODER_LINEAR),
                    LayerNorm.load(w, p + "output_layer_norm", h, eps));
        }
        Linear pre = null, cls = null;
        if (w.has("classifier.weight")) {
            pre = Linear.load(w, "pre_classifier", h, h, Role.HEAD_LINEAR);
            cls = Linear.load(w, "classifier", c.labels().size(), h, Role.HEAD_LINEAR);
        }
        return new DistilBertModel(name, w.source(), c, emb, layers, pre, cls, tokenizer);
    }

    public DistilBertConfig config() { return config; }

    @Override public String name() { return name; }
    @Override public String family() { return "distilbert"; }
    @Override public String source() { return source; }
    @Override public List<String> labels() { return config.labels(); }
    @Override public int maxLength() { return config.maxPositions(); }
    @Override public int unkId() { return tokenizer != null ? tokenizer.unkId() : 100; }
    @Override public int padId() { return config.padId(); }
    @Override public Tokenizer tokenizer() { return tokenizer; }

    @Override public String head() {
        return classifier == null ? "none (encoder only)" : "token 0: pre_classifier, ReLU, classifier";
    }

    @Override public String describe() {
        return String.format("DistilBERT encoder, %d layers, dim %d, %d heads, FFN %d, vocab %d, max %d positions, head %s, %d labels",
                config.layers(), config.dim(), config.heads(), config.hiddenDim(), config.vocabSize(), config.maxPositions(),
                head(), config.labels().size());
    }

    @Override public Cost cost(int tokens) { return Cost.encoder(config.layers(), config.dim(), config.hiddenDim(), tokens); }

    @Override public Tensor embed(Batch batch) { return embeddings.embed(batch); }

    @Override public Var forward(Tape tape, Var x, Batch batch) {
        if (classifier == null) {
            throw new LrpException("model " + name + " is an encoder without a classification head: give a "
                    + "DistilBertForSequenceClassification checkpoint");
        }
        int bsz = batch.size(), len = batch.length();
        float scale = (float) (1.0 / Math.sqrt(config.headDim())); // HF scales q by it before q k^T: the same scores
        float[] mask = batch.additiveMask();
        Var h = x;
        for (Layer layer : layers) {
            Var q = layer.q().apply(tape, h), k = layer.k().apply(tape, h), v = layer.v().apply(tape, h);
            Var context = Attention.attention(tape, q, k, v, bsz, len, config.heads(), scale, mask).context();
            tape.discard(q, k, v); // (a recording tape keeps what its backward pass reads)
            Var attended = layer.out().apply(tape, context);
            tape.discard(context);
            Var sum1 = Ops.add(tape, attended, h);
            tape.discard(attended);
            if (h != x) tape.discard(h);
            Var h1 = layer.saNorm().apply(tape, sum1);
            tape.discard(sum1);
            Var pre = layer.lin1().apply(tape, h1);
            Var inner = Ops.gelu(tape, pre, Role.ACTIVATION);
            tape.discard(pre);
            Var ffn = layer.lin2().apply(tape, inner);
            tape.discard(inner);
            Var sum2 = Ops.add(tape, ffn, h1);
            tape.discard(ffn, h1);
            h = layer.outputNorm().apply(tape, sum2);
            tape.discard(sum2);
        }
        tape.mark("encoder_output", h);
        Var first = Ops.firstToken(tape, h, bsz, len);
        Var hidden = Ops.relu(tape, preClassifier.apply(tape, first), Role.ACTIVATION);
        return classifier.apply(tape, hidden);
    }

    @Override public Map<String, Var> parameters() {
        Map<String, Var> p = new LinkedHashMap<>();
        for (Layer l : layers) {
            for (Linear lin : List.of(l.q(), l.k(), l.v(), l.out(), l.lin1(), l.lin2())) {
                p.put(lin.name() + ".weight", lin.weight());
                p.put(lin.name() + ".bias", lin.bias());
            }
            for (LayerNorm n : List.of(l.saNorm(), l.outputNorm())) {
                p.put(n.name() + ".weight", n.weight());
                p.put(n.name() + ".bias", n.bias());
            }
        }
        for (Linear lin : new Linear[] {preClassifier, classifier}) {
            if (lin == null) continue;
            p.put(lin.name() + ".weight", lin.weight());
            p.put(lin.name() + ".bias", lin.bias());
        }
        return p;
    }
}
