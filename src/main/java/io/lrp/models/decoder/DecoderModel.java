package io.lrp.models.decoder;

import io.lrp.LrpException;
import io.lrp.autograd.DecoderOps;
import io.lrp.autograd.Tape;
import io.lrp.autograd.Var;
import io.lrp.models.Batch;
import io.lrp.models.Model;
import io.lrp.tensor.Tensor;
import io.lrp.text.WordPieceTokenizer;

import java.util.AbstractList;
import java.util.List;

/**
 * A causal language model seen as a classifier over its vocabulary: the logits are those of
 * the next token after each sequence's last position, and the attribution point is the hidden
 * state entering the first block (methods.md section 8.1). Every method of {@code Relevance}
 * then explains a next-token logit unchanged. Sequences are right-padded in a batch: under the
 * causal mask a real position never sees a padded one.
 *
 * <p>A family supplies the embedding, its blocks (with or without a {@link KvCache}) and the
 * final norm + head.
 */
public abstract class DecoderModel implements Model {

    protected final String name;
    protected final String source;
    protected final DecoderTokenizer tokenizer;

    protected DecoderModel(String name, String source, DecoderTokenizer tokenizer) {
        this.name = name;
        this.source = source;
        this.tokenizer = tokenizer;
    }

    private String storedDtypes = "F32";

    /** The dtypes of the weights in their files ("BF16", "F32+F16"). */
    public String storedDtypes() { return storedDtypes; }

    /** How the weight matrices are held in memory: "F32" here (F16 and BF16 widened when loaded); a family may keep BF16. */
    public String weightsInMemory() { return "F32"; }

    /** Which product kernel the linear layers run, for lrp info and lrp bench. */
    public String productKernel() {
        return weightsInMemory().equals("F32") ? "F32 sgemm (" + io.lrp.tensor.Gemm.get().name() + "), F32 weights"
                : io.lrp.tensor.Bf16Matrix.describe();
    }

    /** Records the dtypes the checkpoint stored the weights in (for lrp info). */
    protected final void storedDtypes(String dtypes) { this.storedDtypes = dtypes; }

    /** The family name: gpt2, llama, mistral, qwen2. */
    public abstract String family();

    public abstract int vocabSize();
    public abstract int hidden();
    public abstract int layerCount();

    /** The attribution point of ids at positions offset, offset+1, ...: [ids.length, H]. */
    public abstract Tensor embed(int[] ids, int offset);

    /**
     * Runs the blocks on h [B*T, H] and returns the rows keep [B, H] of the last block's output
     * (keep[b]: sample b's last real row). With a cache (batch 1, an inference tape) the T rows
     * are the positions cache.length() .. + T - 1, and their keys and values are appended to it.
     */
    protected abstract Var blocks(Tape tape, Var h, int batch, int len, KvCache cache, int[] keep);

    /** Final norm and LM head on the picked rows [N, H]: logits [N, V]. */
    protected abstract Var head(Tape tape, Var rows);

    /** A cache for one sequence of up to capacity tokens. */
    public abstract KvCache newCache(int capacity);

    /** config.json's eos_token_id (one or several), empty when absent. */
    protected abstract int[] configEos();

    /** Token ids the model stops generating at (config eos_token_id, else the tokenizer's EOS). */
    public int[] eosIds() {
        if (configEos().length > 0) return configEos().clone();
        return tokenizer != null && tokenizer.eosId() >= 0 ? new int[] {tokenizer.eosId()} : new int[0];
    }

    /**
     * Occlusion's replacement token (methods.md 8.3): the tokenizer's unk token, else its EOS
     * (GPT-2: both are &lt;|endoftext|&gt;, 50256; LLaMA: &lt;unk&gt;, 0).
     */
    @Override public int unkId() {
        if (tokenizer != null && tokenizer.unkId() >= 0) return tokenizer.unkId();
        int[] eos = eosIds();
        return eos.length > 0 ? eos[0] : 0;
    }

    /** Padding fills positions after the real ones, which the causal mask hides: any id in the vocabulary will do. */
    @Override public int padId() { return unkId(); }

    public DecoderTokenizer decoderTokenizer() { return tokenizer; }

    @Override public String head() { return "next-token logits over the vocabulary at the last position"; }

    @Override public String name() { return name; }
    @Override public String source() { return source; }

    /** The vocabulary as labels: label i is token i's text (a view, nothing is copied). */
    @Override public List<String> labels() {
        return new AbstractList<>() {
            @Override public String get(int i) { return tokenizer == null ? "token " + i : tokenizer.piece(i); }
            @Override public int size() { return vocabSize(); }
        };
    }

    /** Decoders carry their own tokenizer ({@link #decoderTokenizer}). */
    @Override public WordPieceTokenizer tokenizer() { return null; }

    @Override public Tensor embed(Batch batch) {
        int len = batch.length(), h = hidden();
        Tensor out = Tensor.zeros(batch.size() * len, h);
        for (int b = 0; b < batch.size(); b++) {
            int[] ids = new int[len];
            System.arraycopy(batch.ids(), b * len, ids, 0, len);
            System.arraycopy(embed(ids, 0).data, 0, out.data, b * len * h, len * h);
        }
        return out;
    }

    /** Next-token logits [B, V] at each sequence's last real position. */
    @Override public Var forward(Tape tape, Var x, Batch batch) {
        int[] last = new int[batch.size()];
        for (int b = 0; b < last.length; b++) last[b] = b * batch.length() + batch.lengths()[b] - 1;
        return head(tape, blocks(tape, x, batch.size(), batch.length(), null, last));
    }

    /** Feeds ids after what the cache holds; the next-token logits after the last of them. */
    public float[] step(KvCache cache, int[] ids) {
        if (ids.length == 0) throw new IllegalArgumentException("no ids to feed");
        if (cache.length() + ids.length > cache.capacity()) {
            throw new LrpException("sequence of " + (cache.length() + ids.length) + " tokens exceeds the cache of " + cache.capacity());
        }
        Tape tape = Tape.inference().withoutAttention();
        Var h = blocks(tape, Var.constant(embed(ids, cache.length())), 1, ids.length, cache, new int[] {ids.length - 1});
        cache.advance(ids.length);
        float[] logits = head(tape, h).value.data;
        return logits.clone();
    }

    protected static void checkIds(int[] ids, int vocab) {
        for (int id : ids) {
            if (id < 0 || id >= vocab) throw new LrpException("token id " + id + " outside the vocabulary of " + vocab);
        }
    }
}
