package io.lrp.models.decoder;

import io.lrp.LrpException;
import io.lrp.explain.Method;
import io.lrp.explain.Relevance;
import io.lrp.models.Batch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Explains what a decoder language model predicts: the logit of a next token over the tokens
 * before it, by any method of {@link Method} (methods.md section 8), and greedy generations step
 * by step (each generated token's logit over the prompt and the tokens generated before it).
 * The entry point for the command line's decoder path:
 *
 * <pre>{@code
 * DecoderModel m = Decoders.load(dir);
 * DecoderExplainer ex = DecoderExplainer.of(m);
 * List<NextTokenExplanation> e = ex.explain("The capital of France is", List.of(Method.LRP_AH_LN), null);
 * DecoderExplainer.Generation g = ex.generate("The capital of France is", 8, List.of(Method.LRP_AH_LN));
 * }</pre>
 */
public final class DecoderExplainer {

    private final DecoderModel model;
    private Relevance.Options options = Relevance.Options.DEFAULT;
    private int top = 5;
    private int[] stop; // null: the model's EOS ids

    private DecoderExplainer(DecoderModel model) { this.model = model; }

    public static DecoderExplainer of(DecoderModel model) { return new DecoderExplainer(model); }

    /** Options of the methods (gamma, IG steps, the random baseline's seed). */
    public DecoderExplainer options(Relevance.Options o) {
        this.options = o;
        return this;
    }

    /** How many of the highest next-token logits each explanation lists (default 5). */
    public DecoderExplainer top(int k) {
        if (k < 1) throw new LrpException("top must be >= 1, got " + k);
        this.top = k;
        return this;
    }

    public DecoderModel model() { return model; }

    /** Token ids that end a generation (default: the model's EOS ids); the stop token itself is generated and explained. */
    public DecoderExplainer stopTokens(int... ids) {
        this.stop = ids.clone();
        return this;
    }

    private int[] stops() { return stop != null ? stop : model.eosIds(); }

    /** The prompt's ids as the model reads them (BOS included where the tokenizer adds one). */
    public int[] encode(String text) {
        if (model.decoderTokenizer() == null) throw new LrpException("model " + model.name() + " has no tokenizer: give ids");
        if (text.isEmpty() && !startsWithBos()) throw new LrpException("empty prompt: a decoder needs at least one token to predict from");
        int[] ids = model.decoderTokenizer().encode(text);
        if (ids.length == 0) throw new LrpException("the prompt has no tokens");
        return ids;
    }

    private boolean startsWithBos() {
        DecoderTokenizer t = model.decoderTokenizer();
        return t.encode("").length > 0;
    }

    /**
     * A target given as a token id ("3681"), as the text of one vocabulary entry (" Paris" is
     * "▁Paris" or "ĠParis"), or as text the tokenizer turns into one token; null or empty for
     * the predicted next token.
     */
    public Integer parseTarget(String spec) {
        if (spec == null || spec.isEmpty()) return null;
        if (spec.matches("\\d+")) {
            int id;
            try {
                id = Integer.parseInt(spec);
            } catch (NumberFormatException e) {
                throw new LrpException("target " + spec + " is not a token id of the vocabulary of " + model.vocabSize());
            }
            if (id >= model.vocabSize()) throw new LrpException("target " + id + " outside the vocabulary of " + model.vocabSize());
            return id;
        }
        if (model.decoderTokenizer() == null) throw new LrpException("model " + model.name() + " has no tokenizer: give the target as a token id");
        int exact = model.decoderTokenizer().tokenOf(spec);
        if (exact >= 0) return exact;
        int[] ids = model.decoderTokenizer().encodeContinuation(spec);
        if (ids.length != 1) {
            throw new LrpException("target '" + spec + "' is " + ids.length + " tokens " + Arrays.toString(ids)
                    + ", not one: give one token (mind the leading space) or its id");
        }
        return ids[0];
    }

    /** Explains the next-token logit after text (the predicted token when target is null) by each method. */
    public List<NextTokenExplanation> explain(String text, List<Method> methods, Integer target) {
        return explainIds(text, encode(text), methods, target);
    }

    /** As {@link #explain}, for given ids (text is carried into the results only). */
    public List<NextTokenExplanation> explainIds(String text, int[] ids, List<Method> methods, Integer target) {
        if (ids.length == 0) throw new LrpException("no tokens to explain");
        if (ids.length > model.maxLength()) {
            throw new LrpException("input of " + ids.length + " tokens exceeds the model's limit of " + model.maxLength() + " positions");
        }
        if (target != null && (target < 0 || target >= model.vocabSize())) {
            throw new LrpException("target " + target + " outside the vocabulary of " + model.vocabSize());
        }
        Batch batch = Batch.single(ids);
        List<NextTokenExplanation> out = new ArrayList<>();
        for (Method m : methods) {
            if (m == Method.ATTENTION_FLOW && ids.length > 256) {
                throw new LrpException("attention-flow on " + ids.length + " tokens would take hours: use it on short prompts");
            }
            Relevance.Result r = Relevance.compute(model, batch, m, new int[] {target == null ? -1 : target}, options);
            out.add(result(text, ids, m, r));
        }
        return out;
    }

    private NextTokenExplanation result(String text, int[] ids, Method m, Relevance.Result r) {
        float[] z = r.logits()[0];
        int t = r.targets()[0];
        double[] rel = r.relevance()[0];
        double sum = 0;
        for (double v : rel) sum += v;
        DecoderTokenizer tok = model.decoderTokenizer();
        List<NextTokenExplanation.TopToken> best = new ArrayList<>();
        for (int id : topIds(z, top)) best.add(new NextTokenExplanation.TopToken(id, token(id), z[id]));
        String[] tokens = tok == null ? idStrings(ids) : tok.tokens(ids);
        return new NextTokenExplanation(text, model.name(), m.id(), t, tok == null ? "<" + t + ">" : tok.piece(t), best,
                tokens, ids.clone(), rel, new NextTokenExplanation.Conservation(sum, z[t], r.bias()[0]));
    }

    private String token(int id) { return model.decoderTokenizer() == null ? "<" + id + ">" : model.decoderTokenizer().token(id); }

    private static String[] idStrings(int[] ids) {
        String[] s = new String[ids.length];
        for (int i = 0; i < s.length; i++) s[i] = "<" + ids[i] + ">";
        return s;
    }

    /** The k largest entries, descending (ties: lower id first). */
    static int[] topIds(float[] z, int k) {
        k = Math.min(k, z.length);
        int[] best = new int[k];
        int n = 0;
        for (int i = 0; i < z.length; i++) {
            if (n == k && !(z[i] > z[best[k - 1]])) continue;
            int pos = n < k ? n++ : k - 1;
            while (pos > 0 && z[i] > z[best[pos - 1]]) {
                best[pos] = best[pos - 1];
                pos--;
            }
            best[pos] = i;
        }
        return best;
    }

    // ---------------------------------------------------------------- generation

    /** One generated token and the explanations of its logit over everything before it. */
    public record Step(int index, int token, String piece, int[] context, List<NextTokenExplanation> explanations) {}

    /** A greedy generation: the prompt's ids, the generated ids (EOS included when reached), each step explained. */
    public record Generation(String prompt, int[] promptIds, int[] generated, boolean stoppedAtEos, List<Step> steps) {}

    /**
     * Greedy decoding with a KV cache: up to maxNew tokens, stopping after an EOS token. Only
     * the tokens, no explanations.
     */
    public int[] greedy(int[] promptIds, int maxNew) {
        if (maxNew < 1) throw new LrpException("number of tokens to generate must be >= 1, got " + maxNew);
        int capacity = Math.min(promptIds.length + maxNew, model.maxLength());
        if (promptIds.length >= capacity) {
            throw new LrpException("prompt of " + promptIds.length + " tokens leaves no room to generate within the model's "
                    + model.maxLength() + " positions");
        }
        KvCache cache = model.newCache(capacity);
        float[] logits = model.step(cache, promptIds);
        int[] eos = stops();
        List<Integer> out = new ArrayList<>();
        while (true) {
            int next = Relevance.argmax(logits);
            out.add(next);
            if (contains(eos, next) || out.size() == maxNew || cache.length() == capacity) break;
            logits = model.step(cache, new int[] {next});
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Generates greedily (see {@link #greedy}) and explains each generated token's logit by each method. */
    public Generation generate(String prompt, int maxNew, List<Method> methods) {
        return generateIds(prompt, encode(prompt), maxNew, methods);
    }

    public Generation generateIds(String prompt, int[] promptIds, int maxNew, List<Method> methods) {
        int[] gen = greedy(promptIds, maxNew);
        List<Step> steps = new ArrayList<>();
        DecoderTokenizer tok = model.decoderTokenizer();
        for (int i = 0; i < gen.length; i++) {
            int[] ctx = Arrays.copyOf(promptIds, promptIds.length + i);
            System.arraycopy(gen, 0, ctx, promptIds.length, i);
            String text = prompt + (tok == null ? "" : tok.decode(Arrays.copyOf(gen, i)));
            steps.add(new Step(i, gen[i], tok == null ? "<" + gen[i] + ">" : tok.piece(gen[i]), ctx,
                    explainIds(text, ctx, methods, gen[i])));
        }
        boolean eos = gen.length > 0 && contains(stops(), gen[gen.length - 1]);
        return new Generation(prompt, promptIds.clone(), gen, eos, steps);
    }

    private static boolean contains(int[] a, int v) {
        for (int x : a) if (x == v) return true;
        return false;
    }
}
