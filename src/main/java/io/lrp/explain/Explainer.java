package io.lrp.explain;

import io.lrp.LrpException;
import io.lrp.models.Batch;
import io.lrp.models.Model;
import io.lrp.tensor.Parallel;
import io.lrp.text.Encoding;
import io.lrp.text.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The Java API: {@code Explainer.of(model).method(Method.LRP_AH_LN).explain("text")}. Lists of
 * texts are batched internally (sorted by length, padded with attention masks); the results are
 * the same as one by one, in input order.
 */
public final class Explainer {
    private final Model model;
    private Method method = Method.LRP_AH_LN;
    private Relevance.Options options = Relevance.Options.DEFAULT;
    private int batchSize = 8;
    private LongInputs longInputs = LongInputs.REFUSE;
    private int stride;
    private java.util.function.Consumer<String> notices = System.err::println;
    private int threads = 1;
    private int tokenBudget = Integer.getInteger("lrp.batch.tokens", 256);

    private Explainer(Model model) { this.model = model; }

    public static Explainer of(Model model) { return new Explainer(model); }

    public Explainer method(Method m) { this.method = m; return this; }
    public Explainer gamma(double g) {
        checkGamma(g);
        options = new Relevance.Options(g, options.igSteps(), options.seed());
        return this;
    }

    /** The gamma rule's gamma: a finite number >= 0 (Infinity would turn every relevance into NaN). */
    public static void checkGamma(double g) {
        if (!Double.isFinite(g) || g < 0) throw new io.lrp.LrpException("--gamma must be a finite number >= 0, got " + g);
    }

    public Explainer seed(long s) { options = new Relevance.Options(options.gamma(), options.igSteps(), s); return this; }
    public Explainer batchSize(int n) {
        if (n < 1) throw new LrpException("batch size must be >= 1");
        this.batchSize = n;
        return this;
    }
    /** The most padded tokens in one batch (default 256); a single longer text still forms its own batch. */
    public Explainer tokenBudget(int n) {
        if (n < 1) throw new LrpException("token budget must be >= 1");
        this.tokenBudget = n;
        return this;
    }

    /** Worker threads over the batches of one call (default 1); results do not depend on it. */
    public Explainer threads(int n) {
        if (n < 1) throw new LrpException("threads must be >= 1");
        this.threads = n;
        return this;
    }

    /** Cut over-long inputs to the model's limit (keeping the final [SEP]) instead of failing. */
    public Explainer truncate(boolean t) { this.longInputs = t ? LongInputs.TRUNCATE : LongInputs.REFUSE; return this; }

    /** What to do with inputs over the model's limit (default: refuse them). */
    public Explainer longInputs(LongInputs mode) { this.longInputs = mode == null ? LongInputs.REFUSE : mode; return this; }

    /** Tokens between window starts under {@link LongInputs#WINDOW}; 0 (default): half a window. */
    public Explainer stride(int tokens) {
        if (tokens < 0) throw new LrpException("--stride must be >= 1, got " + tokens);
        this.stride = tokens;
        return this;
    }

    /** Where the notice of a cut input goes (default: standard error; null: nowhere). */
    public Explainer notices(java.util.function.Consumer<String> sink) { this.notices = sink == null ? s -> {} : sink; return this; }

    public Model model() { return model; }
    public Method method() { return method; }

    /** Explains the predicted class of one text. */
    public Explanation explain(String text) { return explain(List.of(text), null).get(0); }

    /** Explains each text; target null (or an entry < 0) means the predicted class. */
    public List<Explanation> explain(List<String> texts, int[] targets) {
        Tokenizer tok = model.tokenizer();
        if (tok == null) throw new LrpException("model " + model.name() + " has no tokenizer: explain token ids instead (--ids)");
        List<Input> inputs = new ArrayList<>();
        for (String t : texts) inputs.add(new Input(t, tok.encode(t)));
        return explainInputs(inputs, targets);
    }

    /** Explains a given token-id sequence (for exact parity checks and models without a tokenizer). */
    public Explanation explainIds(int[] ids, int target) {
        Tokenizer tok = model.tokenizer();
        Encoding enc;
        if (tok != null) {
            enc = tok.fromIds(ids);
        } else {
            String[] tokens = new String[ids.length];
            for (int i = 0; i < ids.length; i++) tokens[i] = Integer.toString(ids[i]);
            enc = new Encoding(tokens, ids, new int[ids.length][2], new boolean[ids.length]);
        }
        // A readable text with offsets into it, built like a text's encoding so that every view treats
        // the special tokens alike: they are not part of the text and sit at [0, 0]; the other tokens
        // are joined by spaces, a WordPiece "##" piece to the token before it without the prefix.
        StringBuilder sb = new StringBuilder();
        int[][] offsets = new int[ids.length][];
        boolean previousWord = false;
        for (int i = 0; i < ids.length; i++) {
            String t = enc.tokens()[i];
            if (enc.special()[i]) {
                offsets[i] = new int[] {0, 0};
                previousWord = false;
                continue;
            }
            boolean piece = previousWord && t.startsWith("##") && t.length() > 2;
            if (piece) t = t.substring(2);
            else if (sb.length() > 0) sb.append(' ');
            offsets[i] = new int[] {sb.length(), sb.length() + t.length()};
            sb.append(t);
            previousWord = true;
        }
        Encoding withText = new Encoding(enc.tokens(), enc.ids(), offsets, enc.special());
        return explainInputs(List.of(new Input(sb.toString(), withText)), new int[] {target}).get(0);
    }

    private record Input(String text, Encoding encoding) {}

    /** A document explained in windows: its input, its windows and where they sit in the window list. */
    private record Windowed(Input doc, List<LongInputs.Window> windows, int first) {}

    private List<Explanation> explainInputs(List<Input> given, int[] targets) {
        List<Input> inputs = new ArrayList<>();
        List<Integer> inputTargets = new ArrayList<>();
        Windowed[] windowed = new Windowed[given.size()];
        for (int i = 0; i < given.size(); i++) {
            Input in = given.get(i);
            int t = targets == null ? -1 : targets[i];
            if (in.encoding().length() > model.maxLength() && longInputs == LongInputs.WINDOW) {
                List<LongInputs.Window> ws = LongInputs.windows(in.encoding(), model.maxLength(), stride);
                if (t < 0) t = documentTarget(ws);
                windowed[i] = new Windowed(in, ws, inputs.size());
                for (LongInputs.Window w : ws) {
                    inputs.add(new Input(in.text(), w.encoding()));
                    inputTargets.add(t);
                }
            } else {
                inputs.add(checkLength(in));
                inputTargets.add(t);
            }
        }
        Explanation[] parts = explainAll(inputs, inputTargets.stream().mapToInt(Integer::intValue).toArray());
        List<Explanation> out = new ArrayList<>();
        int next = 0;
        for (int i = 0; i < given.size(); i++) {
            if (windowed[i] == null) {
                out.add(parts[next++]);
            } else {
                Windowed w = windowed[i];
                out.add(combine(w, Arrays.asList(parts).subList(w.first(), w.first() + w.windows().size())));
                next = w.first() + w.windows().size();
            }
        }
        return out;
    }

    /** The predicted class of a windowed document: the argmax of the mean of the windows' logits. */
    private int documentTarget(List<LongInputs.Window> ws) {
        double[] mean = null;
        for (LongInputs.Window w : ws) {
            float[] z = Relevance.logits(model, Batch.single(w.encoding().ids()))[0];
            if (mean == null) mean = new double[z.length];
            for (int c = 0; c < z.length; c++) mean[c] += z[c];
        }
        int best = 0;
        for (int c = 1; c < mean.length; c++) if (mean[c] > mean[best]) best = c;
        return best;
    }

    /** The document's explanation: mean logits, window relevance summed per token over K, mean bias. */
    private Explanation combine(Windowed w, List<Explanation> parts) {
        int k = parts.size(), classes = parts.get(0).logits().length;
        double[] mean = new double[classes];
        List<double[]> rel = new ArrayList<>();
        Double bias = parts.get(0).conservation().bias() == null ? null : 0.0;
        for (Explanation e : parts) {
            for (int c = 0; c < classes; c++) mean[c] += e.logits()[c] / k;
            rel.add(e.relevance());
            if (bias != null) bias += e.conservation().bias() / k;
        }
        double[] r = LongInputs.combine(w.doc().encoding(), w.windows(), rel);
        return build(w.doc(), mean, parts.get(0).target(), r, bias, parts.get(0).provenance());
    }

    private Explanation[] explainAll(List<Input> inputs, int[] targets) {
        Integer[] order = new Integer[inputs.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, Comparator.comparingInt(i -> inputs.get(i).encoding().length()));
        Explanation[] out = new Explanation[inputs.size()];
        Provenance provenance = Provenance.of(model, method, options);
        List<Runnable> chunks = new ArrayList<>();
        for (int start0 = 0, end0; start0 < order.length; start0 = end0) {
            // at most batchSize texts and (beyond the first) tokenBudget padded tokens per batch:
            // past a few hundred rows the activations fall out of cache and batching stops paying
            end0 = start0 + 1;
            while (end0 < order.length && end0 - start0 < batchSize
                    && (long) (end0 - start0 + 1) * inputs.get(order[end0]).encoding().length() <= tokenBudget) end0++;
            int start = start0, end = end0;
            chunks.add(() -> {
                List<int[]> ids = new ArrayList<>();
                int[] t = new int[end - start];
                for (int k = start; k < end; k++) {
                    ids.add(inputs.get(order[k]).encoding().ids());
                    t[k - start] = targets[order[k]];
                }
                Batch batch = Batch.of(ids, model.padId());
                Relevance.Result r = Relevance.compute(model, batch, method, t, options);
                for (int k = start; k < end; k++) {
                    int b = k - start;
                    out[order[k]] = build(inputs.get(order[k]), r.logits()[b], r.targets()[b], r.relevance()[b], r.bias()[b], provenance);
                }
            });
        }
        java.util.Collections.reverse(chunks); // longest inputs first: better balance across threads
        runAll(chunks);
        return out;
    }

    /**
     * Runs the chunks on up to {@code threads} threads, each taking the next chunk in order
     * (longest first); chunks are independent (own tape, own buffers; the model is read-only),
     * so the results do not depend on the thread count. Threads beyond the number of chunks go
     * to each chunk's kernels (one long text on two cores).
     */
    private void runAll(List<Runnable> chunks) {
        int workers = Math.min(threads, chunks.size());
        int kernelThreads = Math.max(Parallel.threads(), threads / Math.max(1, workers));
        Parallel.eachInOrder(chunks.size(), workers, kernelThreads, i -> chunks.get(i).run());
    }

    private Input checkLength(Input in) {
        Encoding e = in.encoding();
        int max = model.maxLength();
        if (e.length() <= max) return in;
        if (longInputs == LongInputs.REFUSE) throw new LrpException(LongInputs.refusal(e.length(), model.name(), max));
        Encoding cut = LongInputs.truncate(e, max);
        int lastKept = cut.offsets()[max - 1 - LongInputs.suffix(cut)][1];
        notices.accept(String.format(java.util.Locale.ROOT, "lrp: note: input of %d tokens cut to the model's %d: %d tokens (%.0f%%) dropped, "
                + "the text after character %d unexplained", e.length(), max, e.length() - max, 100.0 * (e.length() - max) / e.length(), lastKept));
        return new Input(in.text(), cut);
    }

    private Explanation build(Input in, float[] logits, int target, double[] relevance, Double bias, Provenance provenance) {
        double[] z = new double[logits.length];
        for (int i = 0; i < z.length; i++) z[i] = logits[i];
        return build(in, z, target, relevance, bias, provenance);
    }

    private Explanation build(Input in, double[] z, int target, double[] relevance, Double bias, Provenance provenance) {
        double sum = 0;
        for (double r : relevance) sum += r;
        List<String> labels = model.labels();
        String label = target < labels.size() ? labels.get(target) : Integer.toString(target);
        Encoding e = in.encoding();
        return new Explanation(in.text(), model.name(), method.id(), target, label, z, e.tokens(), e.ids(),
                e.offsets(), e.special(), relevance, new Explanation.Conservation(sum, z[target], bias), provenance);
    }
}
