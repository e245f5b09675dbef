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
import io.lrp.tensor.Bf16Matrix;
import io.lrp.tensor.BlockedMatrix;
import io.lrp.tensor.F32Matrix;
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

    record Block(Var inputNorm, Proj q, Proj k, Proj v, Proj o, Var postNorm, Proj gate, Proj up, Proj down) {}

    /**
     * A weight matrix [out, in]: F32 for the backend's products (weight), or multiplied a block
     * at a time (w16: kept BF16, or the F32 matrices of a large model; the other null), with its
     * bias: a linear layer, the embedding table, the head.
     */
    record Proj(String name, Var weight, BlockedMatrix w16, Var bias, Role role) {
        Var apply(Tape tape, Var x) {
            return w16 != null ? DecoderOps.linear(tape, x, w16, bias, role, name) : Ops.linear(tape, x, weight, bias, role, name);
        }

        int rows() { return w16 != null ? w16.rows() : weight.value.dim(0); }

        /** Row r into dst at off, widened if BF16. */
        void row(int r, float[] dst, int off) {
            if (w16 != null) w16.row(r, dst, off);
            else System.arraycopy(weight.value.data, r * weight.value.dim(1), dst, off, weight.value.dim(1));
        }

        long count() { return w16 != null ? (long) w16.rows() * w16.cols() : weight.value.size(); }
        long bytes() { return w16 != null ? w16.bytes() : 4L * weight.value.size(); }

        /** The weight as a parameter: itself, or for a blocked matrix (BF16, large F32) a stand-in holding a hash of its bits (fingerprints). */
        Var parameter() {
            if (w16 instanceof F32Matrix f) return Var.constant(f.digest());
            return w16 != null ? Var.constant(((Bf16Matrix) w16).digest()) : weight;
        }

        /** An F32 matrix moved to the blocked products (large models). */
        Proj blocked() { return weight == null ? this : new Proj(name, null, new F32Matrix(weight.value), bias, role); }
    }

    /**
     * Whether BF16 weights of a checkpoint stay BF16 in memory (default; -Dlrp.bf16=widen widens
     * them to F32 when loaded, as F16 weights always are).
     */
    static boolean keepBf16() { return !"widen".equals(System.getProperty("lrp.bf16")); }

    /**
     * Above this many bytes of F32 matrices (-Dlrp.blockedMB, default 1024) they are multiplied a
     * slice at a time ({@link F32Matrix}): the backend's cache of packed weight copies
     * holds a sliver of such a model, and packing a whole matrix per call (the head: the
     * embedding, 1 GB for Llama-3.2-1B) would cost as much memory again.
     */
    static volatile long blockedAbove = Long.getLong("lrp.blockedMB", 1024) << 20; // (tests set it to 0)

    /** The model, its F32 matrices moved to the blocked products when they are large (see blockedAbove). */
    private static LlamaModel make(String name, String source, DecoderTokenizer tok, Config c, Rope rope, Proj embed, Proj head,
                                   Block[] blocks, Var norm) {
        LlamaModel m = new LlamaModel(name, source, tok, c, rope, embed, head, blocks, norm);
        long f32 = 0, heap = 0;
        for (Proj p : m.matrices()) {
            if (p.weight() != null) heap += p.bytes();
            if (p.weight() != null || p.w16() instanceof F32Matrix) f32 += p.bytes();
        }
        if (heap == 0 || !blocksF32(f32)) return m;
        Block[] b = new Block[blocks.length];
        for (int l = 0; l < b.length; l++) {
            Block k = blocks[l];
            b[l] = new Block(k.inputNorm(), k.q().blocked(), k.k().blocked(), k.v().blocked(), k.o().blocked(), k.postNorm(),
                    k.gate().blocked(), k.up().blocked(), k.down().blocked());
        }
        Proj e = embed.blocked();
        Proj h = head.weight() != null && head.weight() == embed.weight() ? new Proj(head.name(), null, e.w16(), null, head.role())
                : head.blocked();
        return new LlamaModel(name, source, tok, c, rope, e, h, b, norm);
    }

    private final Config config;
    private final Rope rope;
    private final Proj embedTokens, lmHead;
    private final Block[] blocks;
    private final Var norm;
    /**
     * Whether an explanation whose rules hold silu(gate) constant keeps each layer's MLP input
     * and computes the gate again in the backward pass instead of keeping silu(gate), a quarter
     * of the memory for one more product per layer. On by default for weights kept
     * as BF16, whose memory is the point (Llama-3.2-1B at 512 tokens: peak RSS 1.27x the weights
     * with it, out of a 2.8 GB heap without; F32 stays at 1.16x without it and is 12% faster).
     */
    private volatile boolean recomputeGate;

    private LlamaModel(String name, String source, DecoderTokenizer tokenizer, Config config, Rope rope, Proj embedTokens,
                       Proj lmHead, Block[] blocks, Var norm) {
        super(name, source, tokenizer);
        this.config = config;
        this.rope = rope;
        this.embedTokens = embedTokens;
        this.lmHead = lmHead;
        this.blocks = blocks;
        this.norm = norm;
        String forced = System.getProperty("lrp.recomputeGate"); // true or false; default: for BF16 weights
        this.recomputeGate = forced != null ? Boolean.parseBoolean(forced) : blocks.length > 0 && blocks[0].gate().w16() instanceof Bf16Matrix;
    }

    /** Whether the last block computes only the rows the head reads (see blocks); off only to compare. */
    private volatile boolean trimLastLayer = true;

    /** Sets whether the last block computes only the rows the head reads (the same numbers up to rounding). */
    public LlamaModel trimLastLayer(boolean on) {
        trimLastLayer = on;
        return this;
    }

    /** Sets whether the gate is computed again in the backward pass (see recomputeGate); the relevance is the same bits. */
    public LlamaModel recomputeGate(boolean on) {
        recomputeGate = on;
        return this;
    }

    public boolean recomputesGate() { return recomputeGate; }

    public static LlamaModel load(Path dir) { return load(dir, keepBf16()); }

    /** The checkpoint in dir, its BF16 matrices kept as BF16 or widened to F32 when loaded. */
    public static LlamaModel load(Path dir, boolean bf16) {
        Checkpoint ck = Checkpoint.open(dir);
        Config c = Config.read(ck.config());
        Rope rope = Rope.read(ck.config(), c.headDim());
        DecoderTokenizer tok = DecoderTokenizer.load(dir, ck.config());
        return load(dir.getFileName().toString(), ck, c, rope, tok, bf16);
    }

    public static LlamaModel load(String name, Checkpoint ck, Config c, Rope rope, DecoderTokenizer tok, boolean bf16) {
        int h = c.hidden(), f = c.inner(), qw = c.heads() * c.headDim(), kw = c.kvHeads() * c.headDim();
        boolean large = blocksF32(f32MatrixBytes(ck, c, bf16));
        Proj embed = matrix(ck, "model.embed_tokens", c.vocab(), h, false, Role.HEAD_LINEAR, bf16, large);
        Block[] blocks = new Block[c.layers()];
        for (int l = 0; l < blocks.length; l++) {
            String p = "model.layers." + l + ".";
            blocks[l] = new Block(
                    Var.constant(ck.take(p + "input_layernorm.weight", h)),
                    linear(ck, p + "self_attn.q_proj", qw, h, c.qkvBias(), bf16, large),
                    linear(ck, p + "self_attn.k_proj", kw, h, c.qkvBias(), bf16, large),
                    linear(ck, p + "self_attn.v_proj", kw, h, c.qkvBias(), bf16, large),
                    linear(ck, p + "self_attn.o_proj", h, qw, c.oBias(), bf16, large),
                    Var.constant(ck.take(p + "post_attention_layernorm.weight", h)),
                    linear(ck, p + "mlp.gate_proj", f, h, c.mlpBias(), bf16, large),
                    linear(ck, p + "mlp.up_proj", f, h, c.mlpBias(), bf16, large),
                    linear(ck, p + "mlp.down_proj", h, f, c.mlpBias(), bf16, large));
            ck.ignore(p + "self_attn.rotary_emb.inv_freq"); // a buffer older checkpoints saved; recomputed from rope_theta
        }
        Var norm = Var.constant(ck.take("model.norm.weight", h));
        Proj head;
        if (c.tied()) {
            head = new Proj("lm_head", embed.weight(), embed.w16(), null, Role.HEAD_LINEAR);
            ck.ignore("lm_head.weight"); // a saved copy of the tied weight
        } else {
            head = matrix(ck, "lm_head", c.vocab(), h, false, Role.HEAD_LINEAR, bf16, large);
        }
        ck.requireAllTaken(c.type());
        if (tok != null && tok.vocabSize() > c.vocab()) {
            throw new LrpException(ck.dir().resolve("tokenizer.json") + " has " + tok.vocabSize()
                    + " tokens, more than the model's vocab_size " + c.vocab());
        }
        LlamaModel m = make(name, ck.source(), tok, c, rope, embed, head, blocks, norm);
        m.storedDtypes(ck.dtypes());
        return m;
    }

    private static Proj linear(Checkpoint ck, String name, int out, int in, boolean bias, boolean bf16, boolean large) {
        return matrix(ck, name, out, in, bias, Role.ENCODER_LINEAR, bf16, large);
    }

    /**
     * name.weight [out, in] as stored when BF16 (see keepBf16), else widened to F32, straight
     * into an {@link F32Matrix} when the model's F32 matrices are large (see blockedAbove); biases
     * always F32 (few).
     */
    private static Proj matrix(Checkpoint ck, String name, int out, int in, boolean bias, Role role, boolean keep, boolean large) {
        String wn = name + ".weight";
        boolean bf16 = keep && ck.has(wn) && ck.dtype(wn).equals("BF16");
        Var b = bias ? Var.constant(ck.take(name + ".bias", out)) : null;
        if (bf16) return new Proj(name, null, ck.takeBf16(wn, out, in), b, role);
        if (large) return new Proj(name, null, ck.takeF32Matrix(wn, out, in), b, role);
        return new Proj(name, Var.constant(ck.take(wn, out, in)), null, b, role);
    }

    /** Bytes of the matrices the checkpoint's model holds in F32 (the 2-d weights not kept BF16; a tied head's saved copy not counted). */
    private static long f32MatrixBytes(Checkpoint ck, Config c, boolean keep) {
        long bytes = 0;
        for (String n : ck.names()) {
            if (!n.endsWith(".weight") || ck.shape(n).length != 2 || (c.tied() && n.equals("lm_head.weight"))) continue;
            if (keep && ck.dtype(n).equals("BF16")) continue;
            long numel = 1;
            for (int d : ck.shape(n)) numel *= d;
            bytes += 4 * numel;
        }
        return bytes;
    }

    /** Whether a model with this many bytes of F32 matrices multiplies them a slice at a time (see blockedAbove). */
    public static boolean blocksF32(long f32MatrixBytes) { return f32MatrixBytes > blockedAbove; }

    /**
     * A model from matrices already in memory (random-weight benchmarks), each a float32
     * {@link Tensor} or a {@link Bf16Matrix}; the head is tied to the embedding.
     */
    public static LlamaModel of(String name, Config c, Rope rope, Object embed, List<Object[]> layers, Tensor norm,
                                DecoderTokenizer tok) {
        Block[] blocks = new Block[layers.size()];
        for (int l = 0; l < blocks.length; l++) {
            Object[] t = layers.get(l); // inputNorm, q, k, v, o, postNorm, gate, up, down
            String p = "model.layers." + l + ".";
            blocks[l] = new Block(Var.constant((Tensor) t[0]), lin(p + "self_attn.q_proj", t[1]), lin(p + "self_attn.k_proj", t[2]),
                    lin(p + "self_attn.v_proj", t[3]), lin(p + "self_attn.o_proj", t[4]), Var.constant((Tensor) t[5]),
                    lin(p + "mlp.gate_proj", t[6]), lin(p + "mlp.up_proj", t[7]), lin(p + "mlp.down_proj", t[8]));
        }
        Proj e = lin("model.embed_tokens", embed);
        return make(name, "random weights", tok, c, rope, e,
                new Proj("lm_head", e.weight(), e.w16(), null, Role.HEAD_LINEAR), blocks, Var.constant(norm));
    }

    private static Proj lin(String name, Object w) {
        return w instanceof BlockedMatrix b ? new Proj(name, null, b, null, Role.ENCODER_LINEAR)
                : new Proj(name, Var.constant((Tensor) w), null, null, Role.ENCODER_LINEAR);
    }

    /** How the weight matrices are held: "F32", "BF16" or "BF16 (N matrices) + F32 (M)". */
    @Override public String weightsInMemory() {
        int b = 0, f = 0;
        for (Proj p : matrices()) {
            if (p.w16() instanceof Bf16Matrix) b++;
            else f++;
        }
        return b == 0 ? "F32" : f == 0 ? "BF16" : "BF16 (" + b + " matrices) + F32 (" + f + ")";
    }

    @Override public String productKernel() {
        String bf16 = null, blocked = null;
        for (Proj p : matrices()) {
            if (p.w16() instanceof Bf16Matrix b) bf16 = b.kernel();
            else if (p.w16() != null) blocked = p.w16().kernel();
        }
        return bf16 != null ? bf16 : blocked != null ? blocked : super.productKernel();
    }

    /** Bytes of the weights as held in memory (the tied head counted once; norms and biases in F32). */
    public long weightBytes() {
        long n = 0;
        for (Proj p : matrices()) {
            n += p.bytes();
            if (p.bias() != null) n += 4L * p.bias().value.size();
        }
        for (Block b : blocks) n += 4L * (b.inputNorm().value.size() + b.postNorm().value.size());
        return n + 4L * norm.value.size();
    }

    private List<Proj> matrices() {
        List<Proj> all = new ArrayList<>();
        all.add(embedTokens);
        for (Block b : blocks) all.addAll(List.of(b.q(), b.k(), b.v(), b.o(), b.gate(), b.up(), b.down()));
        if (lmHead.weight() != embedTokens.weight() || lmHead.w16() != embedTokens.w16()) all.add(lmHead);
        return all;
    }

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
        for (int t = 0; t < ids.length; t++) embedTokens.row(ids[t], x.data, t * h);
        return x;
    }

    /**
     * The last block computes only the rows the head reads (keys and values of every row, the
     * rest for keep), unless a method reads its attention maps or a cache is filled: the same
     * numbers for a sixteenth less work on Llama-3.2-1B, forward and backward.
     */
    @Override protected Var blocks(Tape tape, Var h, int batch, int len, KvCache cache, int[] keep) {
        int heads = config.heads(), kv = config.kvHeads();
        float scale = (float) (1 / Math.sqrt(config.headDim()));
        float[][] cs = rope.tables(cache == null ? 0 : cache.length(), len);
        boolean trim = trimLastLayer && cache == null && keep.length == batch && !tape.wantsAttentionMaps();
        int full = trim ? blocks.length - 1 : blocks.length;
        Var input = h;
        for (int l = 0; l < full; l++) {
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
            h = mlp(tape, l, h1);
        }
        return trim ? lastBlock(tape, h, h != input, batch, len, keep, scale, cs) : DecoderOps.pickRows(tape, h, keep);
    }

    /** The last block on the rows keep only (see blocks); its input's keys and values on every row. */
    private Var lastBlock(Tape tape, Var h, boolean dropInput, int batch, int len, int[] keep, float scale, float[][] cs) {
        int l = blocks.length - 1, heads = config.heads(), kv = config.kvHeads(), half = config.headDim() / 2;
        Block b = blocks[l];
        int[] pos = new int[batch];
        float[] cos = new float[batch * half], sin = new float[batch * half];
        for (int i = 0; i < batch; i++) {
            pos[i] = keep[i] - i * len;
            if (pos[i] < 0 || pos[i] >= len) throw new IllegalArgumentException("row " + keep[i] + " is not in sample " + i);
            System.arraycopy(cs[0], pos[i] * half, cos, i * half, half);
            System.arraycopy(cs[1], pos[i] * half, sin, i * half, half);
        }
        Var a = DecoderOps.rmsNorm(tape, h, b.inputNorm(), config.eps(), "model.layers." + l + ".input_layernorm");
        Var kLin = b.k().apply(tape, a), v = b.v().apply(tape, a);
        Var aLast = DecoderOps.pickRows(tape, a, keep);
        tape.discard(a);
        Var qLin = b.q().apply(tape, aLast);
        tape.discard(aLast);
        Var q = DecoderOps.rope(tape, qLin, 1, batch, heads, cos, sin); // row i at position pos[i]
        Var k = DecoderOps.rope(tape, kLin, batch, len, kv, cs[0], cs[1]);
        tape.discard(qLin, kLin);
        Var ctx = DecoderOps.queryAttention(tape, q, k, v, batch, len, pos, heads, kv, scale);
        tape.discard(q, k, v);
        Var o = b.o().apply(tape, ctx);
        tape.discard(ctx);
        Var hLast = DecoderOps.pickRows(tape, h, keep);
        if (dropInput) tape.discard(h);
        Var h1 = Ops.add(tape, hLast, o);
        tape.discard(o, hLast);
        return mlp(tape, l, h1);
    }

    /** h1 + the gated MLP of block l on h1 (h1 is discarded). */
    private Var mlp(Tape tape, int l, Var h1) {
        Block b = blocks[l];
        Var m = DecoderOps.rmsNorm(tape, h1, b.postNorm(), config.eps(), "model.layers." + l + ".post_attention_layernorm");
        Var gate = b.gate().apply(tape, m), up = b.up().apply(tape, m);
        Proj gp = b.gate();
        Var inner = DecoderOps.gatedSilu(tape, gate, up, Role.ACTIVATION, Role.GATE, recomputeGate ? m : null,
                x -> gp.apply(Tape.inference(), Var.constant(x)).value); // used only with the input kept
        tape.discard(m); // after gatedSilu, which may keep it
        tape.discard(gate, up);
        Var down = b.down().apply(tape, inner);
        tape.discard(inner);
        Var out = Ops.add(tape, h1, down);
        tape.discard(down, h1);
        return out;
    }

    @Override protected Var head(Tape tape, Var rows) {
        Var n = DecoderOps.rmsNorm(tape, rows, norm, config.eps(), "model.norm");
        return lmHead.apply(tape, n);
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
            for (Proj lin : List.of(b.q(), b.k(), b.v(), b.o(), b.gate(), b.up(), b.down())) {
                p.put(lin.name() + ".weight", lin.parameter());
                if (lin.bias() != null) p.put(lin.name() + ".bias", lin.bias());
            }
        }
        p.put("model.norm.weight", norm);
        p.put("lm_head.weight", lmHead.parameter());
        return p;
    }

    /** The parameters after the attribution point (the head included), counted from the matrices (BF16 ones too). */
    @Override public long parameterCount() {
        long n = norm.value.size() + lmHead.count();
        for (Block b : blocks) {
            n += b.inputNorm().value.size() + b.postNorm().value.size();
            for (Proj lin : List.of(b.q(), b.k(), b.v(), b.o(), b.gate(), b.up(), b.down())) {
                n += lin.count() + (lin.bias() == null ? 0 : lin.bias().value.size());
            }
        }
        return n;
    }
}
