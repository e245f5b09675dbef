package io.lrp.models.llama;

import io.lrp.LrpException;
import io.lrp.autograd.DecoderOps;
import io.lrp.autograd.Ops;
import io.lrp.autograd.Role;
import io.lrp.autograd.Tape;
import io.lrp.autograd.Var;
import io.lrp.models.decoder.Checkpoint;
import io.lrp.models.decoder.DecoderModel;
import io.lrp.models.decoder.DecoderTokenizer;
import io.lrp.models.decoder.KvCache;
import io.lrp.nn.Linear;
import io.lrp.tensor.Tensor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The LLaMA layout ({@code LlamaForCausalLM}; Mistral and Qwen2 are the same graph): x =
 * embed_tokens[ids] (the attribution point), pre-norm blocks with RMSNorm, rotary embeddings on
 * q and k, causal grouped-query attention (optional q/k/v/o biases), and the gated MLP
 * down(silu(gate(m)) * up(m)); then the final RMSNorm and the head (tied to embed_tokens or
 * lm_head).
 */
public final class LlamaModel extends DecoderModel {

    /** The model_type values read with this layout. */
    public static final List<String> TYPES = List.of("llama", "mistral", "qwen2");

    /** The config.json fields the layout needs, validated. */
    public record Config(String type, int vocab, int hidden, int layers, int heads, int kvHeads, int headDim, int inner,
                         double eps, int maxPositions, boolean qkvBias, boolean oBias, boolean mlpBias, boolean tied,
                         Integer slidingWindow, int[] eos) {

        public static Config read(Checkpoint.Config c) {
            String type = c.modelType();
            if (type == null || !TYPES.contains(type)) {
                throw c.err("model_type '" + type + "' is not of the LLaMA layout (" + String.join(", ", TYPES) + ")");
            }
            int vocab = c.requiredInt("vocab_size", 1), hidden = c.requiredInt("hidden_size", 1);
            int layers = c.requiredInt("num_hidden_layers", 1), heads = c.requiredInt("num_attention_heads", 1);
            int kv = c.optionalInt("num_key_value_heads", heads, 1);
            if (heads % kv != 0) {
                throw c.err("num_key_value_heads " + kv + " does not divide num_attention_heads " + heads);
            }
            Integer hd = c.nullableInt("head_dim", 1);
            if (hd == null) {
                if (hidden % heads != 0) throw c.err("hidden_size " + hidden + " is not divisible by num_attention_heads " + heads);
                hd = hidden / heads;
            }
            String act = c.string("hidden_act", "silu");
            if (!act.equals("silu")) throw c.err("unsupported hidden_act '" + act + "': the gated MLP of this layout uses silu");
            boolean qwen = type.equals("qwen2");
            boolean attnBias = c.bool("attention_bias", false);
            Integer window = null;
            if (type.equals("mistral") || (qwen && c.bool("use_sliding_window", false))) window = c.nullableInt("sliding_window", 1);
            return new Config(type, vocab, hidden, layers, heads, kv, hd, c.requiredInt("intermediate_size", 1),
                    c.positive("rms_norm_eps", 1e-6), c.optionalInt("max_position_embeddings", 2048, 1),
                    qwen || attnBias, !qwen && attnBias, c.bool("mlp_bias", false),
                    c.bool("tie_word_embeddings", false),
                    window, c.ids("eos_token_id"));
        }
    }

    record Block(Var inputNorm, Linear q, Linear k, Linear v, Linear o, Var postNorm, Linear gate, Linear up, Linear down) {}

    private final Config config;
    private final Rope rope;
    private final Tensor embedTokens, lmHead;
    private final Block[] blocks;
    private final Var norm;

    private LlamaModel(String name, String source, DecoderTokenizer tokenizer, Config config, Rope rope, Tensor embedTokens,
                       Tensor lmHead, Block[] blocks, Var norm) {
        super(name, source, tokenizer);
        this.config = config;
        this.rope = rope;
        this.embedTokens = embedTokens;
        this.lmHead = lmHead;
        this.blocks = blocks;
        this.norm = norm;
    }

    public static LlamaModel load(Path dir) {
        Checkpoint ck = Checkpoint.open(dir);
        Config c = Config.read(ck.config());
        Rope rope = Rope.read(ck.config(), c.headDim());
        DecoderTokenizer tok = DecoderTokenizer.load(dir, ck.config());
        return load(dir.getFileName().toString(), ck, c, rope, tok);
    }

    public static LlamaModel load(String name, Checkpoint ck, Config c, Rope rope, DecoderTokenizer tok) {
        int h = c.hidden(), f = c.inner(), qw = c.heads() * c.headDim(), kw = c.kvHeads() * c.headDim();
        Tensor embed = ck.take("model.embed_tokens.weight", c.vocab(), h);
        Block[] blocks = new Block[c.layers()];
        for (int l = 0; l < blocks.length; l++) {
            String p = "model.layers." + l + ".";
            blocks[l] = new Block(
                    Var.constant(ck.take(p + "input_layernorm.weight", h)),
                    linear(ck, p + "self_attn.q_proj", qw, h, c.qkvBias()),
                    linear(ck, p + "self_attn.k_proj", kw, h, c.qkvBias()),
                    linear(ck, p + "self_attn.v_proj", kw, h, c.qkvBias()),
                    linear(ck, p + "self_attn.o_proj", h, qw, c.oBias()),
                    Var.constant(ck.take(p + "post_attention_layernorm.weight", h)),
                    linear(ck, p + "mlp.gate_proj", f, h, c.mlpBias()),
                    linear(ck, p + "mlp.up_proj", f, h, c.mlpBias()),
                    linear(ck, p + "mlp.down_proj", h, f, c.mlpBias()));
            ck.ignore(p + "self_attn.rotary_emb.inv_freq"); // a buffer older checkpoints saved; recomputed from rope_theta
        }
        Var norm = Var.constant(ck.take("model.norm.weight", h));
        Tensor head;
        if (c.tied()) {
            head = embed;
            ck.ignore("lm_head.weight"); // a saved copy of the tied weight
        } else {
            head = ck.take("lm_head.weight", c.vocab(), h);
        }
        ck.requireAllTaken(c.type());
        if (tok != null && tok.vocabSize() > c.vocab()) {
            throw new LrpException(ck.dir().resolve("tokenizer.json") + " has " + tok.vocabSize()
                    + " tokens, more than the model's vocab_size " + c.vocab());
        }
        LlamaModel m = new LlamaModel(name, ck.source(), tok, c, rope, embed, head, blocks, norm);
        m.storedDtypes(ck.dtypes());
        return m;
    }

    private static Linear linear(Checkpoint ck, String name, int out, int in, boolean bias) {
        return new Linear(name, Var.constant(ck.take(name + ".weight", out, in)),
                bias ? Var.constant(ck.take(name + ".bias", out)) : null, Role.ENCODER_LINEAR);
    }

    /** A model from tensors already in memory (random-weight benchmarks). */
    public static LlamaModel of(String name, Config c, Rope rope, Tensor embed, Tensor head, List<Tensor[]> layers, Tensor norm,
                                DecoderTokenizer tok) {
        Block[] blocks = new Block[layers.size()];
        for (int l = 0; l < blocks.length; l++) {
            Tensor[] t = layers.get(l); // inputNorm, q, k, v, o, postNorm, gate, up, down
            String p = "model.layers." + l + ".";
            blocks[l] = new Block(Var.constant(t[0]), lin(p + "self_attn.q_proj", t[1]), lin(p + "self_attn.k_proj", t[2]),
                    lin(p + "self_attn.v_proj", t[3]), lin(p + "self_attn.o_proj", t[4]), Var.constant(t[5]),
                    lin(p + "mlp.gate_proj", t[6]), lin(p + "mlp.up_proj", t[7]), lin(p + "mlp.down_proj", t[8]));
        }
        return new LlamaModel(name, "random weights", tok, c, rope, embed, head, blocks, Var.constant(norm));
    }

    private static Linear lin(String name, Tensor w) { return new Linear(name, Var.constant(w), null, Role.ENCODER_LINEAR); }

    public Config config() { return config; }

    @Override public String family() { return config.type(); }
    @Override public int vocabSize() { return config.vocab(); }
    @Override public int hidden() { return config.hidden(); }
    @Override public int layerCount() { return blocks.length; }
    @Override public int maxLength() {
        return config.slidingWindow() == null ? config.maxPositions() : Math.min(config.maxPositions(), config.slidingWindow());
    }
    @Override protected int[] configEos() { return config.eos(); }

    @Override public String describe() {
        return String.format("%s decoder, %d layers, hidden %d, %d heads / %d key-value heads of %d, MLP %d (SwiGLU), vocab %d, "
                        + "max %d positions, head %s", config.type(), config.layers(), config.hidden(), config.heads(),
                config.kvHeads(), config.headDim(), config.inner(), config.vocab(), maxLength(),
                config.tied() ? "tied to embed_tokens" : "lm_head");
    }

    @Override public Tensor embed(int[] ids, int offset) {
        if (offset + ids.length > maxLength()) {
            throw new LrpException("input of " + (offset + ids.length) + " tokens exceeds the model's limit of " + maxLength()
                    + (config.slidingWindow() != null && config.slidingWindow() < config.maxPositions()
                    ? " (its sliding window; windowed attention is not implemented)" : " positions"));
        }
        checkIds(ids, config.vocab());
        int h = config.hidden();
        Tensor x = Tensor.zeros(ids.length, h);
        for (int t = 0; t < ids.length; t++) System.arraycopy(embedTokens.data, ids[t] * h, x.data, t * h, h);
        return x;
    }

    @Override protected Var blocks(Tape tape, Var h, int batch, int len, KvCache cache) {
        int heads = config.heads(), kv = config.kvHeads();
        float scale = (float) (1 / Math.sqrt(config.headDim()));
        float[][] cs = rope.tables(cache == null ? 0 : cache.length(), len);
        Var input = h;
        for (int l = 0; l < blocks.length; l++) {
            Block b = blocks[l];
            Var a = DecoderOps.rmsNorm(tape, h, b.inputNorm(), config.eps(), "model.layers." + l + ".input_layernorm");
            Var qLin = b.q().apply(tape, a), kLin = b.k().apply(tape, a), v = b.v().apply(tape, a);
            tape.discard(a); // (a recording tape keeps what its backward pass reads)
            Var q = DecoderOps.rope(tape, qLin, batch, len, heads, cs[0], cs[1]);
            Var k = DecoderOps.rope(tape, kLin, batch, len, kv, cs[0], cs[1]);
            tape.discard(qLin, kLin);
            Var ctx = cache == null
                    ? DecoderOps.causalAttention(tape, q, k, v, batch, len, heads, kv, scale).context()
                    : Var.constant(new Tensor(cache.attend(l, q.value.data, k.value.data, v.value.data, len, heads, kv, scale),
                            len, heads * config.headDim()));
            tape.discard(q, k, v);
            Var o = b.o().apply(tape, ctx);
            tape.discard(ctx);
            Var h1 = Ops.add(tape, h, o);
            tape.discard(o);
            if (h != input) tape.discard(h);
            Var m = DecoderOps.rmsNorm(tape, h1, b.postNorm(), config.eps(), "model.layers." + l + ".post_attention_layernorm");
            Var gate = b.gate().apply(tape, m), up = b.up().apply(tape, m);
            tape.discard(m);
            Var inner = DecoderOps.gatedSilu(tape, gate, up, Role.ACTIVATION, Role.GATE);
            tape.discard(gate, up);
            Var down = b.down().apply(tape, inner);
            tape.discard(inner);
            h = Ops.add(tape, h1, down);
            tape.discard(down, h1);
        }
        return h;
    }

    @Override protected Var head(Tape tape, Var rows) {
        Var n = DecoderOps.rmsNorm(tape, rows, norm, config.eps(), "model.norm");
        return Ops.linear(tape, n, Var.constant(lmHead), null, Role.HEAD_LINEAR, "lm_head");
    }

    @Override public KvCache newCache(int capacity) {
        return new KvCache(blocks.length, Math.min(capacity, maxLength()), config.kvHeads() * config.headDim());
    }

    @Override public Map<String, Var> parameters() {
        Map<String, Var> p = new LinkedHashMap<>();
        for (int l = 0; l < blocks.length; l++) {
            Block b = blocks[l];
            p.put("model.layers." + l + ".input_layernorm.weight", b.inputNorm());
            p.put("model.layers." + l + ".post_attention_layernorm.weight", b.postNorm());
            List<Linear> lins = new ArrayList<>(List.of(b.q(), b.k(), b.v(), b.o(), b.gate(), b.up(), b.down()));
            for (Linear lin : lins) {
                p.put(lin.name() + ".weight", lin.weight());
                if (lin.bias() != null) p.put(lin.name() + ".bias", lin.bias());
            }
        }
        p.put("model.norm.weight", norm);
        p.put("lm_head.weight", Var.constant(lmHead));
        return p;
    }
}
