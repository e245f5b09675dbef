package io.lrp.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lrp.LrpException;
import io.lrp.data.Example;
import io.lrp.explain.Explainer;
import io.lrp.explain.Explanation;
import io.lrp.explain.Method;
import io.lrp.models.Model;
import io.lrp.train.Progress;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Runs the input perturbation evaluation (methods.md section 6) of a model on labelled examples
 * for several methods, explaining the logit of each example's TRUE label.
 *
 * <p>Each (sample, method) result is appended to {@code DIR/samples.jsonl} as one line and
 * flushed to disk (fsync) before the next, so a run killed at any moment resumes: a restart
 * reads the lines written (dropping a truncated or unreadable last line), skips the pairs
 * already done and counts each pair once. {@code DIR/run.json} records what was evaluated; a
 * restart with another model, data set, seed, gamma or truncation is refused. At the end:
 * summary.json, summary.md, summary.csv and the plots (see {@link Plots}).
 *
 * <p>Samples are explained in fixed chunks of {@code batchSize} consecutive indices (the whole
 * chunk in one padded batch, even when some of its samples are already done), so the numbers
 * do not depend on where a run was interrupted. The random baseline draws its relevance per
 * sample from {@code java.util.Random(seed + index)}, independent of batching.
 */
public final class Evaluation {

    public static final String SAMPLES = "samples.jsonl";
    public static final String RUN = "run.json";
    /** Held (an advisory file lock) while a run works in the directory. */
    static final String LOCK = ".lock";

    /** What to compute. */
    public record Settings(List<Method> methods, long seed, double gamma, int batchSize, boolean truncate) {
        public Settings {
            if (methods == null || methods.isEmpty()) throw new LrpException("no method to evaluate");
            if (batchSize < 1) throw new LrpException("batch size must be >= 1, got " + batchSize);
            if (!(gamma >= 0)) throw new LrpException("gamma must be >= 0, got " + gamma);
            methods = List.copyOf(methods);
        }

        public static Settings of(List<Method> methods) { return new Settings(methods, 0, 0, 16, false); }
    }

    /**
     * How the examples become explanations and perturbable inputs. Texts go through the
     * {@link Explainer} with nothing kept (the default); a model family whose inputs are not
     * texts (graphs) supplies its own, e.g. one that keeps a virtual node.
     */
    public interface Inputs {
        /** The explanations of examples start..end-1, each of its example's label. */
        List<Explanation> explain(Method m, int start, int end, Settings settings);

        /** The input the perturbation edits for example {@code index}, explained as {@code e}. */
        Perturbation.Input input(int index, Explanation e);

        /** What the inputs are and what removing one means, for run.json (part of the run's identity). */
        String describe();

        /** What is perturbed, for the plots' axes. */
        default String unit() { return "nodes"; }
    }

    /** Called after each record is on disk (a test hook: throwing from it simulates a kill). */
    public interface Listener {
        void written(SampleRecord record);
    }

    /** The outcome: summaries by method (in the order of the settings) and every record used. */
    public record Report(Map<String, Curves.Summary> summaries, Map<String, List<SampleRecord>> records,
                         int computed, int resumed, Path dir, Bootstrap.Result bootstrap) {

        /** The Markdown tables: method | AUAC | CI | AUPC | AU-MSE | n by AUAC descending, then the AUAC differences. */
        public String markdown() { return Reports.markdown(summaries, bootstrap); }
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Model model;
    private final List<Example> examples;
    private final Settings settings;
    private final Path dir;
    private PrintStream progressOut = System.err;
    private Listener listener = r -> {};
    private boolean plots = true;
    private Inputs inputs;

    public Evaluation(Model model, List<Example> examples, Settings settings, Path dir) {
        this.model = model;
        this.examples = List.copyOf(examples);
        this.settings = settings;
        this.dir = dir;
    }

    /** Where the progress bar goes (null: nowhere). */
    public Evaluation progress(PrintStream out) { this.progressOut = out; return this; }

    public Evaluation listener(Listener l) { this.listener = l == null ? r -> {} : l; return this; }

    /** Explains and perturbs through these inputs instead of as texts. */
    public Evaluation inputs(Inputs in) { this.inputs = in; return this; }

    /** Whether to draw the PNG/SVG plots at the end (default true). */
    public Evaluation plots(boolean p) { this.plots = p; return this; }

    /** Checks the model and the labels before anything is written (LrpException naming the example). */
    public Evaluation check() {
        if (examples.isEmpty()) throw new LrpException("no examples to evaluate");
        int classes = model.labels().size();
        if (classes == 0) throw new LrpException("model " + model.name() + " has no classification head: nothing to evaluate");
        for (Example e : examples) {
            if (e.label() < 0 || e.label() >= classes) {
                throw new LrpException(where(e) + ": label " + e.label() + " out of range: model " + model.name()
                        + " has " + classes + " classes (0.." + (classes - 1) + ")");
            }
        }
        return this;
    }

    public Report run() {
        check();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new LrpException("cannot create output directory " + dir + ": " + e.getMessage());
        }
        Path samples = dir.resolve(SAMPLES);
        try (FileChannel lockChannel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = tryLock(lockChannel)) {
            checkRun();
            Map<String, TreeMap<Integer, SampleRecord>> done = load(samples);
            if (pendingRunFile != null) writeAtomically(dir.resolve(RUN), pendingRunFile);
            int resumed = 0;
            for (Method m : settings.methods()) resumed += done.get(m.id()).size();
            int computed;
            try (FileChannel ch = FileChannel.open(samples, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                computed = compute(ch, done);
            }
            return finish(done, computed, resumed);
        } catch (IOException e) {
            throw new LrpException("cannot read or write the evaluation files in " + dir + ": " + e, e);
        }
    }

    private FileLock tryLock(FileChannel ch) throws IOException {
        try {
            FileLock l = ch.tryLock();
            if (l == null) throw new LrpException(dir + " is in use by another evaluation (" + LOCK + " is locked)");
            return l;
        } catch (OverlappingFileLockException e) {
            throw new LrpException(dir + " is in use by another evaluation in this process");
        }
    }

    // ---- the run description -------------------------------------------------------------

    private ObjectNode runDescription() {
        ObjectNode o = JSON.createObjectNode();
        o.put("format", "lrp-evaluation/1");
        o.put("model", model.name());
        o.put("model_fingerprint", modelFingerprint(model));
        o.put("examples", examples.size());
        o.put("examples_sha256", fingerprint());
        o.put("seed", settings.seed());
        o.put("gamma", settings.gamma());
        o.put("truncate", settings.truncate());
        o.put("batch_size", settings.batchSize());
        if (inputs != null) o.put("inputs", inputs.describe()); // absent for texts, so the text runs keep their identity
        ObjectNode p = io.lrp.explain.Provenance.of(model, null, new io.lrp.explain.Relevance.Options(settings.gamma(), 50, settings.seed())).toJson();
        ObjectNode rules = p.putObject("rule_sets"); // per method: its rule set, null for a procedure
        for (Method m : settings.methods()) {
            var r = m.rules(new io.lrp.explain.Relevance.Options(settings.gamma(), 50, settings.seed()));
            if (r == null) rules.putNull(m.id());
            else rules.put(m.id(), r.name());
        }
        p.remove("rule_set");
        o.set("provenance", p);
        return o;
    }

    /**
     * A 64-bit hash of the model's weights after the attribution point (names, shapes, values),
     * of the embeddings of [UNK] and [PAD], and of its description: the same model read from
     * another path (a built-in one is extracted to a new temporary file per process) matches.
     */
    static String modelFingerprint(Model model) {
        long h = 0xcbf29ce484222325L;
        h = mix(h, model.describe().hashCode());
        for (var e : new TreeMap<>(model.parameters()).entrySet()) {
            h = mix(h, e.getKey().hashCode());
            for (int d : e.getValue().shape()) h = mix(h, d);
            for (float f : e.getValue().value.data) h = mix(h, Float.floatToIntBits(f));
        }
        for (float f : model.embed(io.lrp.models.Batch.single(new int[] {model.unkId(), model.padId()})).data) {
            h = mix(h, Float.floatToIntBits(f));
        }
        return String.format("%016x", h);
    }

    private static long mix(long h, int v) {
        h ^= v;
        h *= 0x100000001b3L;
        return h ^ (h >>> 29);
    }

    private String fingerprint() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Example e : examples) {
                md.update(e.text().getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
                md.update(Integer.toString(e.label()).getBytes(StandardCharsets.US_ASCII));
                md.update((byte) '\n');
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The run's identity: a hash of its description (model fingerprint, examples, every setting that changes a number). */
    private String runId;
    /** Whether run.json was there and matched: then records from before run ids are accepted. */
    private boolean runFileMatched;
    private String pendingRunFile;

    private String runId() throws IOException {
        if (runId == null) {
            try {
                ObjectNode what = runDescription();
                what.remove("provenance"); // what ran (kernels, Java, the methods' rule sets), not what is evaluated
                byte[] d = MessageDigest.getInstance("SHA-256").digest(JSON.writeValueAsBytes(what));
                runId = HexFormat.of().formatHex(d, 0, 8);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        return runId;
    }

    private void checkRun() throws IOException {
        Path run = dir.resolve(RUN);
        JsonNode now = JSON.readTree(JSON.writeValueAsString(runDescription())); // numbers as they read back
        ((ObjectNode) now).put("run", runId());
        if (Files.isRegularFile(run)) {
            JsonNode before;
            try {
                before = JSON.readTree(run.toFile());
            } catch (IOException e) {
                throw new LrpException(run + ": unreadable (" + e.getMessage() + "); delete it (the records in "
                        + SAMPLES + " carry their run's identity, so none of another run is reused) or use another --out");
            }
            List<String> diff = new ArrayList<>();
            for (var f : now.properties()) {
                if (f.getKey().equals("provenance")) continue; // what ran, not what is evaluated: a resume may run elsewhere
                JsonNode b = before == null ? null : before.get(f.getKey());
                if (b == null || !b.equals(f.getValue())) diff.add(f.getKey() + " (was " + b + ", now " + f.getValue() + ")");
            }
            if (before != null && before.get("run") == null) diff.removeIf(d -> d.startsWith("run ")); // written before run ids
            if (!diff.isEmpty()) {
                throw new LrpException(dir + " holds a run with other settings: " + String.join(", ", diff)
                        + "; use another --out directory or delete " + dir);
            }
            runFileMatched = true;
        } else {
            pendingRunFile = JSON.writeValueAsString(now) + "\n";   // written once the records on disk are known to be this run's
        }
    }

    // ---- resuming -------------------------------------------------------------------------

    /**
     * Reads the records on disk; drops a truncated last line and duplicates, then replaces the
     * file by the kept lines atomically (a kill during the rewrite leaves the old file).
     */
    private Map<String, TreeMap<Integer, SampleRecord>> load(Path samples) throws IOException {
        Map<String, TreeMap<Integer, SampleRecord>> done = new HashMap<>();
        for (Method m : Method.values()) done.put(m.id(), new TreeMap<>());
        if (!Files.exists(samples)) return done;
        String text = new String(Files.readAllBytes(samples), StandardCharsets.UTF_8);
        String[] lines = text.split("\n", -1);
        // the last element is "" when the file ends with a newline; otherwise a line cut short
        int last = lines.length - 1;
        List<String> keep = new ArrayList<>();
        boolean dropped = false;
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            if (l.isBlank()) {
                if (!l.isEmpty()) dropped = true;
                continue;
            }
            SampleRecord r;
            try {
                r = SampleRecord.parse(l);
                checkRunId(l, i + 1, samples);
                validate(r);
            } catch (IllegalArgumentException e) {
                boolean tail = i == last || (i == last - 1 && lines[last].isEmpty());
                if (tail) { // a write cut short by a kill
                    dropped = true;
                    continue;
                }
                throw new LrpException(samples + ":" + (i + 1) + ": " + e.getMessage()
                        + "; the file is damaged: delete it (or the line) to continue");
            }
            if (i == last) dropped = true; // complete but without its newline: rewrite with it
            TreeMap<Integer, SampleRecord> m = done.get(r.method());
            if (m.containsKey(r.index())) {
                dropped = true; // never count a pair twice
                continue;
            }
            m.put(r.index(), r);
            keep.add(l);
        }
        if (dropped) {
            StringBuilder sb = new StringBuilder();
            for (String l : keep) sb.append(l).append('\n');
            writeAtomically(samples, sb.toString());
        }
        return done;
    }

    /** A record of another run (other seed, data, model or settings) is refused, whatever files were deleted. */
    private void checkRunId(String line, int number, Path samples) throws IOException {
        JsonNode run = JSON.readTree(line).get("run");
        if (run == null && runFileMatched) return;   // written before records carried run ids; run.json vouches for it
        if (run == null || !run.asText().equals(runId())) {
            throw new LrpException(samples + ":" + number + ": a record of another run (" + (run == null ? "no run id" : "run " + run.asText())
                    + "; this run is " + runId() + ": other model, data, seed or settings): use another --out directory");
        }
    }

    private void validate(SampleRecord r) {
        if (!Method.ids().contains(r.method())) throw new IllegalArgumentException("unknown method '" + r.method() + "'");
        if (r.index() < 0 || r.index() >= examples.size()) {
            throw new IllegalArgumentException("sample index " + r.index() + " is not in this run (" + examples.size() + " examples)");
        }
        Example e = examples.get(r.index());
        if (r.label() != e.label()) {
            throw new IllegalArgumentException("sample " + r.index() + " has label " + r.label() + " here but " + e.label() + " in the data");
        }
    }

    // ---- computing ------------------------------------------------------------------------

    private int compute(FileChannel ch, Map<String, TreeMap<Integer, SampleRecord>> done) throws IOException {
        int total = 0;
        for (Method m : settings.methods()) total += examples.size() - done.get(m.id()).size();
        if (total == 0) return 0;
        checkLengths();
        try (Progress progress = progressOut == null ? null : new Progress(progressOut, "evaluate", total).ticking(false)) {
            return compute(ch, done, progress);
        }
    }

    private int compute(FileChannel ch, Map<String, TreeMap<Integer, SampleRecord>> done, Progress progress) throws IOException {
        int computed = 0;
        int bs = settings.batchSize();
        for (int start = 0; start < examples.size(); start += bs) {
            int end = Math.min(examples.size(), start + bs);
            for (Method m : settings.methods()) {
                TreeMap<Integer, SampleRecord> have = done.get(m.id());
                if (have.subMap(start, end).size() == end - start) continue;
                if (progress != null) progress.status(m.id() + " on examples " + (start + 1) + "-" + end);
                List<Explanation> ex = explain(m, start, end);
                for (int i = start; i < end; i++) {
                    if (have.containsKey(i)) continue;
                    SampleRecord r = evaluate(m, i, ex.get(i - start));
                    String line = "{\"run\":\"" + runId() + "\"," + r.toJson().substring(1);
                    ByteBuffer buf = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
                    while (buf.hasRemaining()) ch.write(buf);
                    ch.force(false);
                    SampleRecord back = SampleRecord.parse(line); // the numbers a resumed run would read
                    have.put(i, back);
                    computed++;
                    if (progress != null) progress.advance(1, m.id());
                    listener.written(back);
                }
            }
        }
        return computed;
    }

    /**
     * Before any work: under --long truncate, how many examples are cut and by how much, on one
     * line; without it, an over-long example is refused now, naming its line, rather than after
     * the examples before it were computed.
     */
    private void checkLengths() {
        if (model.tokenizer() == null || inputs != null) return;
        int cut = 0;
        long dropped = 0, total = 0;
        Example first = null;
        int firstLength = 0;
        for (Example e : examples) {
            int n = model.tokenizer().encode(e.text()).length();
            total += n;
            if (n > model.maxLength()) {
                if (cut++ == 0) { first = e; firstLength = n; }
                dropped += n - model.maxLength();
            }
        }
        if (cut == 0) return;
        if (!settings.truncate()) {
            String where = first.source() == null ? "example " + (examples.indexOf(first) + 1) : first.source() + ":" + first.line();
            throw new LrpException(String.format(java.util.Locale.ROOT,
                    "%s: input of %d tokens exceeds the limit of model %s (%d tokens), and so do %d more of the %d examples; "
                            + "pass --long truncate (cut them, as the paper does on IMDB)",
                    where, firstLength, model.name(), model.maxLength(), cut - 1, examples.size()));
        }
        if (progressOut != null) {
            progressOut.printf(java.util.Locale.ROOT, "lrp: note: %d of %d examples exceed the model's %d tokens and are cut: %d of %d tokens (%.1f%%) dropped%n",
                    cut, examples.size(), model.maxLength(), dropped, total, 100.0 * dropped / total);
        }
    }

    private List<Explanation> explain(Method m, int start, int end) {
        if (inputs != null) return inputs.explain(m, start, end, settings);
        List<String> texts = new ArrayList<>();
        int[] targets = new int[end - start];
        for (int i = start; i < end; i++) {
            Example e = examples.get(i);
            texts.add(e.text());
            targets[i - start] = e.label();
        }
        Explainer ex = Explainer.of(model).method(m).gamma(settings.gamma()).seed(settings.seed())
                .batchSize(end - start).truncate(settings.truncate()).notices(null); // cuts are reported once, up front
        try {
            return ex.explain(texts, targets);
        } catch (LrpException e) {
            if (end - start == 1) throw new LrpException(where(examples.get(start)) + ": " + e.getMessage());
            // name the example that failed
            for (int i = start; i < end; i++) explain(m, i, i + 1);
            throw e;
        }
    }

    private SampleRecord evaluate(Method m, int index, Explanation e) {
        double[] r = e.relevance();
        if (m == Method.RANDOM) r = randomRelevance(settings.seed(), index, r.length);
        Perturbation.Result p;
        try {
            p = inputs == null ? Perturbation.run(model, e.ids(), e.target(), r) : Perturbation.run(model, inputs.input(index, e), e.target(), r);
        } catch (LrpException ex) {
            throw new LrpException(where(examples.get(index)) + ": " + m.id() + ": " + ex.getMessage());
        }
        return SampleRecord.of(index, examples.get(index).line(), m.id(), e.ids(), r, e.logits()[e.target()],
                e.conservation().bias(), p);
    }

    /** The random baseline's relevance of sample {@code index}: N(0, 1) per token. */
    public static double[] randomRelevance(long seed, int index, int n) {
        Random rnd = new Random(seed + index);
        double[] r = new double[n];
        for (int t = 0; t < n; t++) r[t] = rnd.nextGaussian();
        return r;
    }

    private static String where(Example e) {
        return e.source() == null ? "example" : e.source() + ":" + e.line();
    }

    // ---- results --------------------------------------------------------------------------

    private Report finish(Map<String, TreeMap<Integer, SampleRecord>> done, int computed, int resumed) throws IOException {
        Map<String, Curves.Summary> summaries = new LinkedHashMap<>();
        Map<String, List<SampleRecord>> records = new LinkedHashMap<>();
        // every method with records in the directory, not only this run's: a rerun with fewer
        // --methods keeps the others' rows (each with its own n)
        List<Method> all = new ArrayList<>(settings.methods());
        for (Method m : Method.values()) if (!all.contains(m) && !done.get(m.id()).isEmpty()) all.add(m);
        for (Method m : all) {
            List<SampleRecord> rs = new ArrayList<>(done.get(m.id()).values()); // by index
            List<Curves.Sample> cs = new ArrayList<>();
            for (SampleRecord r : rs) cs.add(r.curves());
            summaries.put(m.id(), Curves.summarize(cs));
            records.put(m.id(), rs);
        }
        Bootstrap.Result boot = Bootstrap.auac(records, settings.seed());
        writeAtomically(dir.resolve("summary.json"), JSON.writeValueAsString(Reports.json(summaries, boot)) + "\n");
        writeAtomically(dir.resolve("summary.md"), Reports.markdown(summaries, boot));
        writeAtomically(dir.resolve("summary.csv"), Reports.csv(summaries));
        if (plots) {
            String source = examples.get(0).source();
            String about = model.name() + " on " + (source == null ? "data" : java.nio.file.Path.of(source).getFileName())
                    + ", " + examples.size() + " examples";
            Plots.curves(summaries, dir, about, inputs == null ? "tokens" : inputs.unit());
            Map<String, List<SampleRecord>> cons = new LinkedHashMap<>();
            for (Method m : List.of(Method.GI, Method.LRP_AH_LN, Method.LRP_AH_LN_CP)) if (records.containsKey(m.id())) cons.put(m.id(), records.get(m.id()));
            if (!cons.isEmpty()) Plots.conservation(cons, dir, about);
        }
        return new Report(summaries, records, computed, resumed, dir, boot);
    }

    static void writeAtomically(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) ch.write(buf);
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
