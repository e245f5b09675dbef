package io.lrp.models.paper;

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
 * The attention-only encoder of Ali et al. (2022), methods.md section 5: frozen BERT-style
 * embeddings, then blocks of unscaled softmax attention, an output projection, a residual and
 * a normalisation without affine parameters (unbiased std + eps); the BERT pooler on token 0
 * and a linear classifier. The pooler tanh is differentiated normally in every rule set, as in
 * the authors' code, except the conservative variant lrp-ah-ln-cp (identity rule).
 */
public final class PaperModel implements Model {

    record Block(Linear query, Linear key, Linear value, Linear output, LayerNorm norm) {}

    private final String name, source;
    private final PaperConfig config;
    private final Embeddings embeddings;
    private final Block[] blocks;
    private final Linear pooler, classifier;
    private final Tokenizer tokenizer;

    public PaperModel(String name, String source, PaperConfig config, Embeddings embeddings, Block[] blocks,
                      Linear pooler, Linear classifier, Tokenizer tokenizer) {
        this.name = name;
        this.source = source;
        this.config = config;
        this.embeddings = embeddings;
        this.blocks = blocks;
        this.pooler = pooler;
        this.classifier = classifier;
        this.tokenizer = tokenizer;
    }

    public static PaperModel load(String name, PaperConfig c, Weights w, Tokenizer tokenizer) {
        int h = c.hidden();
        Embeddings emb = Embeddings.load(w, c.vocabSize(), c.maxPositions(), c.typeVocab(), h, c.layerNormEps());
        Block[] blocks = new Block[c.blocks()];
        for (int l = 0; l < blocks.length; l++) {
            String p = "encoder.layer." + l + ".attention.";
            blocks[l] = new Block(
                    Linear.load(w, p + "self.query", h, h, Role.ENCODER_LINEAR),
                    Linear.load(w, p + "self.key", h, h, Role.ENCODER_LINEAR),
                    Linear.load(w, p + "self.value", h, h, Role.ENCODER_LINEAR),
                    Linear.load(w, p + "output.dense", h, h, Role.ENCODER_LINEAR),
                    new LayerNorm("encoder.layer." + l + ".norm", null, null, c.normEps(), Ops.NormKind.UNBIASED_STD));
        }
        Linear pooler = Linear.load(w, "pooler.dense", h, h, Role.HEAD_LINEAR);
        Linear classifier = Linear.load(w, "classifier", c.labels().size(), h, Role.HEAD_LINEAR);
        return new PaperModel(name, w.source(), c, emb, blocks, pooler, classifier, tokenizer);
    }

    /** A freshly initialised model on given (frozen) embeddings, for training. */
    public static PaperModel create(String name, PaperConfig c, Embeddings embeddings, Tokenizer tokenizer, java.util.Random rnd) {
        int h = c.hidden();
        double std = 1.0 / Math.sqrt(h);
        Block[] blocks = new Block[c.blocks()];
        for (int l = 0; l < blocks.length; l++) {
            String p = "encoder.layer." + l + ".attention.";
            blocks[l] = new Block(
                    Linear.init(p + "self.query", h, h, Role.ENCODER_LINEAR, rnd, std),
                    Linear.init(p + "self.key", h, h, Role.ENCODER_LINEAR, rnd, std),
                    Linear.init(p + "self.value", h, h, Role.ENCODER_LINEAR, rnd, std),
                    Linear.init(p + "output.dense", h, h, Role.ENCODER_LINEAR, rnd, std),
                    new LayerNorm("encoder.layer." + l + ".norm", null, null, c.normEps(), Ops.NormKind.UNBIASED_STD));
        }
        Linear pooler = Linear.init("pooler.dense", h, h, Role.HEAD_LINEAR, rnd, std);
        Linear classifier = Linear.init("classifier", c.labels().size(), h, Role.HEAD_LINEAR, rnd, std);
        return new PaperModel(name, "initialised (seeded)", c, embeddings, blocks, pooler, classifier, tokenizer);
    }

    public PaperConfig config() { return config; }

    @Override public String name() { return name; }
    @Override public String source() { return source; }
    @Override public List<String> labels() { return config.labels(); }
    @Override public int maxLength() { return config.maxPositions(); }
    @Override public int unkId() { return config.unkId(); }
    @Override public int padId() { return config.padId(); }
    @Override public Tokenizer tokenizer() { return tokenizer; }

    @Override public String family() { return "lrp-paper"; }
    @Override public String head() { return "token-0 pooler (dense, tanh) + classifier"; }

    @Override public String describe() {
        return String.format("attention-only encoder (Ali et al. 2022), %d blocks, hidden %d, %d heads, vocab %d, max %d positions, [CLS] pooler + classifier, %d labels",
                config.blocks(), config.hidden(), config.heads(), config.vocabSize(), config.maxPositions(), config.labels().size());
    }

    @Override public Tensor embed(Batch batch) { return embeddings.embed(batch); }

    @Override public Var forward(Tape tape, Var x, Batch batch) {
        int bsz = batch.size(), len = batch.length(), heads = config.heads();
        float[] mask = batch.additiveMask(); // null without padding, as in the authors' model
        Var h = x;
        for (Block b : blocks) {
            Var q = b.query().apply(tape, h);
            Var k = b.key().apply(tape, h);
            Var v = b.value().apply(tape, h);
            Var context = Attention.attention(tape, q, k, v, bsz, len, heads, 1f, mask).context();
            Var z = Ops.add(tape, Ops.dropout(tape, b.output().apply(tape, context), 0.1), h);
            h = b.norm().apply(tape, z);
        }
        tape.mark("encoder_output", h);
        Var cls = Ops.firstToken(tape, h, bsz, len);
        Var pooled = Ops.tanh(tape, pooler.apply(tape, cls), Role.POOLER_ACTIVATION);
        return classifier.apply(tape, pooled);
    }

    @Override public Map<String, Var> parameters() {
        Map<String, Var> p = new LinkedHashMap<>();
        for (Block b : blocks) {
            for (Linear lin : List.of(b.query(), b.key(), b.value(), b.output())) {
                p.put(lin.name() + ".weight", lin.weight());
                p.put(lin.name() + ".bias", lin.bias());
            }
        }
        p.put("pooler.dense.weight", pooler.weight());
        p.put("pooler.dense.bias", pooler.bias());
        p.put("classifier.weight", classifier.weight());
        p.put("classifier.bias", classifier.bias());
        return p;
    }

    public Embeddings embeddings() { return embeddings; }
}
