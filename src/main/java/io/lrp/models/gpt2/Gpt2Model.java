package io.lrp.models.gpt2;

import io.lrp.LrpException;
import io.lrp.autograd.Attention;
import io.lrp.autograd.DecoderOps;
import io.lrp.autograd.Ops;
import io.lrp.autograd.Role;
import io.lrp.autograd.Tape;
import io.lrp.autograd.Var;
import io.lrp.models.decoder.Checkpoint;
import io.lrp.models.decoder.DecoderModel;
import io.lrp.models.decoder.DecoderTokenizer;
import io.lrp.models.decoder.KvCache;
import io.lrp.nn.LayerNorm;
import io.lrp.nn.Linear;
import io.lrp.tensor.Tensor;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GPT-2 ({@code GPT2LMHeadModel}, eval mode): x = wte[ids] + wpe[positions] (the attribution
 * point), pre-norm blocks h += attn(ln_1(h)), h += mlp(ln_2(h)) with causal attention and
 * gelu_new, then ln_f and the head tied to wte. Conv1D weights [in, out] are turned into the
 * nn.Linear layout once at load time; c_attn becomes three layers q, k, v.
 */
public final class Gpt2Model extends DecoderModel {

    /** The config.json fields GPT-2 needs, validated. */
    public record Config(int vocab, int positions, int hidden, int layers, int heads, int inner, double eps,
                         String activation, boolean scaleByInverseLayer, int[] eos) {

        static final List<String> ACTIVATIONS = List.of("gelu_new", "gelu_pytorch_tanh", "gelu");

        public static Config read(Checkpoint.Config c) {
            int vocab = c.requiredInt("vocab_size", 1), positions = c.requiredInt("n_positions", 1);
            int hidden = c.requiredInt("n_embd", 1), layers = c.requiredInt("n_layer", 1), heads = c.requiredInt("n_head", 1);
            if (hidden % heads != 0) throw c.err("n_embd " + hidden + " is not divisible by n_head " + heads);
            Integer inner = c.nullableInt("n_inner", 1);
            String act = c.string("activation_function", "gelu_new");
            if (!ACTIVATIONS.contains(act)) {
                throw c.err("unsupported activation_function '" + act + "': supported: " + String.join(", ", ACTIVATIONS));
            }
            if (!c.bool("scale_attn_weights", true)) throw c.err("scale_attn_weights false is not supported");
            return new Config(vocab, positions, hidden, layers, heads, inner == null ? 4 * hidden : inner,
                    c.positive("layer_norm_epsilon", 1e-5), act, c.bool("scale_attn_by_inverse_layer_idx", false),
                    c.ids("eos_token_id"));
        }

        public int headDim() { return hidden / heads; }
    }

    record Block(LayerNorm ln1, Linear q, Linear k, Linear v, Linear proj, LayerNorm ln2, Linear fc, Linear out) {}

    private final Config config;
    private final Tensor wte, wpe;
    private final Block[] blocks;
    private final LayerNorm lnF;

    private Gpt2Model(String name, String source, DecoderTokenizer tokenizer, Config config, Tensor wte, Tensor wpe,
                      Block[] blocks, LayerNorm lnF) {
        super(name, source, tokenizer);
        this.config = config;
        this.wte = wte;
        this.wpe = wpe;
        this.blocks = blocks;
        this.lnF = lnF;
    }

    /** Loads a GPT2LMHeadModel directory (tensor names with or without the "transformer." prefix). */
    public static Gpt2Model load(Path dir) {
        Checkpoint ck = Checkpoint.open(dir);
        Config c = Config.read(ck.config());
        DecoderTokenizer tok = DecoderTokenizer.load(dir, ck.config());
        return load(dir.getFileName().toString(), ck, c, tok);
    }

    public static Gpt2Model load(String name, Checkpoint ck, Config c, DecoderTokenizer tok) {
        String p = ck.has("transformer.wte.weight") ? "transformer." : "";
        int h = c.hidden(), f = c.inner();
        Tensor wte = ck.take(p + "wte.weight", c.vocab(), h), wpe = ck.take(p + "wpe.weight", c.positions(), h);
        Block[] blocks = new Block[c.layers()];
        for (int l = 0; l < blocks.length; l++) {
            String b = p + "h." + l + ".";
            Tensor attnW = ck.take(b + "attn.c_attn.weight", h, 3 * h), attnB = ck.take(b + "attn.c_attn.bias", 3 * h);
            blocks[l] = new Block(
                    norm(ck, b + "ln_1", h, c.eps()),
                    conv1d(b + "attn.q", attnW, attnB, 0, h),
                    conv1d(b + "attn.k", attnW, attnB, h, h),
                    conv1d(b + "attn.v", attnW, attnB, 2 * h, h),
                    conv1d(b + "attn.c_proj", ck.take(b + "attn.c_proj.weight", h, h), ck.take(b + "attn.c_proj.bias", h), 0, h),
                    norm(ck, b + "ln_2", h, c.eps()),
                    conv1d(b + "mlp.c_fc", ck.take(b + "mlp.c_fc.weight", h, f), ck.take(b + "mlp.c_fc.bias", f), 0, f),
                    conv1d(b + "mlp.c_proj", ck.take(b + "mlp.c_proj.weight", f, h), ck.take(b + "mlp.c_proj.bias", h), 0, h));
            ck.ignore(b + "attn.bias");        // the causal mask buffer of older checkpoints
            ck.ignore(b + "attn.masked_bias");
        }
        LayerNorm lnF = norm(ck, p + "ln_f", h, c.eps());
        ck.ignore("lm_head.weight"); // tied to wte (GPT2LMHeadModel always ties it)
        ck.requireAllTaken("gpt2");
        if (tok != null && tok.vocabSize() > c.vocab()) {
            throw new LrpException(ck.dir().resolve("tokenizer.json") + " has " + tok.vocabSize()
                    + " tokens, more than the model's vocab_size " + c.vocab());
        }
        Gpt2Model m = new Gpt2Model(name, ck.source(), tok, c, wte, wpe, blocks, lnF);
        m.storedDtypes(ck.dtypes());
        return m;
    }

    private static LayerNorm norm(Checkpoint ck, String name, int h, double eps) {
        return new LayerNorm(name, Var.constant(ck.take(name + ".weight", h)), Var.constant(ck.take(name + ".bias", h)),
                eps, Ops.NormKind.BIASED_VARIANCE);
    }

    /** Columns [from, from+out) of a Conv1D weight [in, total] as an nn.Linear weight [out, in], with their bias. */
    private static Linear conv1d(String name, Tensor w, Tensor b, int from, int out) {
        int in = w.dim(0), total = w.dim(1);
        Tensor wt = new Tensor(new float[out * in], out, in);
        for (int i = 0; i < in; i++) {
            for (int o = 0; o < out; o++) wt.data[o * in + i] = w.data[i * total + from + o];
        }
        float[] bias = new float[out];
        System.arraycopy(b.data, from, bias, 0, out);
        return new Linear(name, Var.constant(wt), Var.constant(new Tensor(bias, out)), Role.ENCODER_LINEAR);
    }

    public Config config() { return config; }

    @Override public String family() { return "gpt2"; }
    @Override public int vocabSize() { return config.vocab(); }
    @Override public int hidden() { return config.hidden(); }
    @Override public int layerCount() { return blocks.length; }
    @Override public int maxLength() { return config.positions(); }
    @Override protected int[] configEos() { return config.eos(); }

    @Override public String describe() {
        return String.format("GPT-2 decoder, %d layers, hidden %d, %d heads, MLP %d (%s), vocab %d, max %d positions, head tied to wte",
                config.layers(), config.hidden(), config.heads(), config.inner(), config.activation(), config.vocab(), config.positions());
    }

    @Override public Tensor embed(int[] ids, int offset) {
        int h = config.hidden();
        if (offset + ids.length > config.positions()) {
            throw new LrpException("input of " + (offset + ids.length) + " tokens exceeds the model's limit of " + config.positions() + " positions");
        }
        checkIds(ids, config.vocab());
        Tensor x = Tensor.zeros(ids.length, h);
        for (int t = 0; t < ids.length; t++) {
            int wo = ids[t] * h, po = (offset + t) * h, o = t * h;
            for (int j = 0; j < h; j++) x.data[o + j] = wte.data[wo + j] + wpe.data[po + j];
        }
        return x;
    }

    @Override protected Var blocks(Tape tape, Var h, int batch, int len, KvCache cache, int[] keep) {
        int heads = config.heads();
        Var input = h;
        for (int l = 0; l < blocks.length; l++) {
            Block b = blocks[l];
            float scale = (float) (1 / Math.sqrt(config.headDim()) / (config.scaleByInverseLayer() ? l + 1 : 1));
            Var a = b.ln1().apply(tape, h);
            Var q = b.q().apply(tape, a), k = b.k().apply(tape, a), v = b.v().apply(tape, a);
            tape.discard(a); // (a recording tape keeps what its backward pass reads)
            Var ctx = cache == null
                    ? DecoderOps.causalAttention(tape, q, k, v, batch, len, heads, heads, scale).context()
                    : Var.constant(new Tensor(cache.attend(l, q.value.data, k.value.data, v.value.data, len, heads, heads, scale),
                            len, config.hidden()));
            tape.discard(q, k, v);
            Var o = b.proj().apply(tape, ctx);
            tape.discard(ctx);
            Var h1 = Ops.add(tape, h, o);
            tape.discard(o);
            if (h != input) tape.discard(h);
            Var m = b.ln2().apply(tape, h1);
            Var pre = b.fc().apply(tape, m);
            tape.discard(m);
            Var inner = config.activation().equals("gelu")
                    ? Ops.gelu(tape, pre, Role.ACTIVATION)
                    : DecoderOps.geluNew(tape, pre, Role.ACTIVATION);
            tape.discard(pre);
            Var out = b.out().apply(tape, inner);
            tape.discard(inner);
            h = Ops.add(tape, h1, out);
            tape.discard(out, h1);
        }
        return DecoderOps.pickRows(tape, h, keep);
    }

    @Override protected Var head(Tape tape, Var rows) {
        return Ops.linear(tape, lnF.apply(tape, rows), Var.constant(wte), null, Role.HEAD_LINEAR, "lm_head");
    }

    @Override public KvCache newCache(int capacity) {
        return new KvCache(blocks.length, Math.min(capacity, config.positions()), config.hidden());
    }

    @Override public Map<String, Var> parameters() {
        Map<String, Var> p = new LinkedHashMap<>();
        for (Block b : blocks) {
            for (LayerNorm n : List.of(b.ln1(), b.ln2())) {
                p.put(n.name() + ".weight", n.weight());
                p.put(n.name() + ".bias", n.bias());
            }
            for (Linear lin : List.of(b.q(), b.k(), b.v(), b.proj(), b.fc(), b.out())) {
                p.put(lin.name() + ".weight", lin.weight());
                p.put(lin.name() + ".bias", lin.bias());
            }
        }
        p.put("ln_f.weight", lnF.weight());
        p.put("ln_f.bias", lnF.bias());
        p.put("lm_head.weight (wte)", Var.constant(wte));
        return p;
    }
}
