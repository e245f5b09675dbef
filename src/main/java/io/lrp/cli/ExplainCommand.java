package io.lrp.cli;

import io.lrp.LrpException;
import io.lrp.explain.Explainer;
import io.lrp.explain.Explanation;
import io.lrp.explain.LongInputs;
import io.lrp.explain.Method;
import io.lrp.models.Model;
import io.lrp.train.Progress;
import io.lrp.viz.ColorMode;
import io.lrp.viz.HtmlReport;
import io.lrp.viz.JsonLines;
import io.lrp.viz.TerminalHeatmap;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "explain", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Explain a model's prediction: relevance of every token for one logit.",
        footer = {"", "Examples:",
                "  lrp explain \"the film is a charming, funny delight\"",
                "  lrp explain --model path/to/bert-classifier \"a charming film\"",
                "  lrp explain --method lrp-ah-ln,gi,rollout --format html \\",
                "      --out report.html \"the film is a charming, funny delight\"",
                "  lrp explain --method all --format json \"first text\" \"second text\"",
                "  lrp explain --model m --ids 101,2023,2003,102",
                "  lrp explain --model path/to/llama \"The capital of France is\"",
                "  lrp explain --model path/to/gpt2 --generate 8 \"Once upon a time\"",
                "", "Methods:", "${sys:lrp.methods.help}"})
final class ExplainCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = {"-m", "--model"}, description = "A model directory, .onnx or .safetensors file, or a built-in name. Default: ${DEFAULT-VALUE}.",
            defaultValue = Models.DEFAULT)
    String model;

    @Option(names = "--method", defaultValue = "lrp-ah-ln",
            description = "Comma-separated methods, or all: ${sys:lrp.methods}. Default: ${DEFAULT-VALUE}.")
    String methods;

    @Option(names = "--target", description = "The logit to explain, by label name or index; for a decoder language model a token"
            + " (\" Paris\": text of exactly one token) or a token id. Default: the predicted class (next token).")
    String target;

    @Option(names = "--generate", paramLabel = "N", description = "Decoder language models: generate up to N tokens greedily (ending"
            + " at the end-of-sequence token) and explain each one's logit over everything before it.")
    Integer generate;

    @Option(names = "--format", defaultValue = "text", description = "text, json (JSON Lines; jsonl is a synonym) or html; svg or png with --smiles (also chosen by the --out file's extension), svg with --mnist-index or --digit. Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--words", description = "Text view: merge sub-tokens into words, hide [CLS]/[SEP] (the default).")
    boolean words;

    @Option(names = "--tokens", description = "Text view: show sub-tokens and special tokens.")
    boolean tokens;

    @Option(names = {"-o", "--out"}, description = "Write the output to this file instead of standard output.")
    Path out;

    @Option(names = "--ids", split = ",", description = "Explain this token-id sequence instead of a text (e.g. 101,2023,102).")
    int[] ids;

    @Option(names = "--smiles", description = "Explain this molecule (a SMILES string; repeatable) with a graph model (lrp train --arch graph).")
    List<String> smiles;

    @Option(names = "--mnist-index", paramLabel = "N", split = ",", description = "Explain MNIST test digit N (0-based) with a superpixel graph model "
            + "(lrp train --arch graph --data DIR); several (7,8 or repeated) with --format text, json or html.")
    List<Integer> mnistIndex;

    @Option(names = "--digit", paramLabel = "FILE", description = "Explain this 28x28 digit picture (PNG, light ink on dark as MNIST) with a superpixel graph model.")
    Path digit;

    @Option(names = "--mnist-data", paramLabel = "DIR", defaultValue = "../shared/data/mnist", description = "The MNIST directory of --mnist-index. Default: ${DEFAULT-VALUE}.")
    Path mnistData;

    @Option(names = "--picture", paramLabel = "FILE", description = "--mnist-index/--digit: the picture (SVG; .png for PNG). Default with --format text: digit-NAME.svg and .png here.")
    Path picture;

    @Option(names = "--truncate", description = "The same as --long truncate.")
    boolean truncate;

    @Option(names = "--long", paramLabel = "window|truncate",
            description = "Inputs longer than the model's limit: window (overlapping windows, each with its own [CLS]/[SEP]; "
                    + "the document's logit is the mean of the windows' and each token's relevance the mean over all windows "
                    + "of its relevance there, so conservation holds) or truncate (cut, with a notice). Default: an error.")
    String longInputs;

    @Option(names = "--stride", paramLabel = "N", description = "With --long window: tokens between window starts. Default: half a window.")
    Integer stride;

    @Option(names = "--gamma", defaultValue = "0", description = "Gamma rule on the encoder's linear layers for the LRP methods. Default: ${DEFAULT-VALUE}.")
    double gamma;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the random baseline. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--batch", defaultValue = "8", description = "Texts per batch (at most 256 padded tokens per batch beyond the first text). Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--threads", description = "Worker threads over batches. Default: the number of processors.")
    Integer threads;

    @Option(names = {"-f", "--file"}, description = "Explain each line of this UTF-8 file, - for standard input (streamed, in input order; bad lines are reported and skipped).")
    Path file;

    @Option(names = "--encoding", defaultValue = "utf-8", description = "Encoding of --file: utf-8 or latin-1. Default: ${DEFAULT-VALUE}.")
    String encoding;

    @Option(names = "--text-field", paramLabel = "NAME", description = "--file holds JSON Lines: explain each object's field NAME"
            + " (a file ending in .jsonl: the field text unless given).")
    String textField;

    @Parameters(arity = "0..*", paramLabel = "TEXT", description = "Texts to explain.")
    List<String> texts = new ArrayList<>();

    @Override public Integer call() throws IOException {
        String fmt = format.toLowerCase();
        if (fmt.equals("jsonl")) fmt = "json";
        if (smiles != null && out != null && !spec.commandLine().getParseResult().hasMatchedOption("--format")) {
            String name = out.getFileName().toString().toLowerCase(java.util.Locale.ROOT); // molecules: the picture format from the file name
            for (String ext : List.of("svg", "png", "html")) if (name.endsWith("." + ext)) fmt = ext;
        }
        boolean digits = mnistIndex != null || digit != null;
        if (!List.of("text", "json", "html").contains(fmt) && !((fmt.equals("svg") || fmt.equals("png")) && smiles != null)
                && !(fmt.equals("svg") && digits)) {
            throw new LrpException("unknown format '" + format + "': choose text, json, jsonl or html (svg or png with --smiles, svg with --mnist-index or --digit)");
        }
        if (fmt.equals("png")) {
            if (out == null) throw new LrpException("--format png writes an image: give --out FILE.png");
            if (smiles.size() != 1) throw new LrpException("--format png draws one molecule; give one --smiles (or use --format html or svg)");
        }
        List<Method> ms = Method.parseList(methods);
        int sources = (ids != null ? 1 : 0) + (file != null ? 1 : 0) + (texts.isEmpty() ? 0 : 1) + (smiles != null ? 1 : 0)
                + (mnistIndex != null ? 1 : 0) + (digit != null ? 1 : 0);
        if (sources == 0) throw new LrpException("nothing to explain: give a TEXT, --file, --ids, --smiles, --mnist-index or --digit");
        if (sources > 1) throw new LrpException("give one of: texts, --file, --ids, --smiles, --mnist-index, --digit");
        DigitExplain digitInput = digits ? DigitExplain.read(mnistIndex, digit, mnistData, picture) : null; // a bad picture stops before the model loads
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i).isBlank()) {
                throw new LrpException("empty text: TEXT " + (i + 1) + " of " + texts.size()
                        + " is empty or only whitespace, nothing to explain");
            }
        }
        if (batch < 1) throw new LrpException("--batch must be >= 1, got " + batch);
        if (threads != null && threads < 1) throw new LrpException("--threads must be >= 1, got " + threads);
        if (generate != null && generate < 1) throw new LrpException("--generate must be >= 1, got " + generate);
        if (textField != null && file == null) throw new LrpException("--text-field reads --file: give --file FILE.jsonl");
        if (file != null) Args.readableFile(file, "text file");
        Args.writableFile(out);
        List<String> peeked = ModelLabels.peek(model);  // a wrong --target is reported before the load
        if (target != null && peeked != null && !peeked.isEmpty()) resolveTarget(io.lrp.models.ModelLoader.BUILT_IN.contains(model) ? model
                : String.valueOf(java.nio.file.Path.of(model).toAbsolutePath().normalize().getFileName()), peeked);
        longMode = longMode();
        if (stride != null && (stride < 1 || longMode != LongInputs.WINDOW)) throw new LrpException("--stride needs --long window and a value >= 1");
        if (out != null) io.lrp.io.AtomicOutput.checkTarget(out);  // before the model loads
        Model m = Models.open(model);
        if (m instanceof io.lrp.models.decoder.DecoderModel d) return new DecoderExplain(this, d, ms, fmt).run();
        if (generate != null) {
            throw new LrpException("--generate needs a decoder language model (model_type " + String.join(", ",
                    io.lrp.models.decoder.Decoders.types()) + "); " + m.name() + " is a " + m.family() + " model");
        }
        int targetIndex = resolveTarget(m.name(), m.labels());
        if (fmt.equals("png")) return moleculePng(m, ms, targetIndex);

        // --out: a temporary file renamed when complete; a failed run leaves no truncated file
        io.lrp.io.AtomicOutput atomic = out != null ? io.lrp.io.AtomicOutput.open(out) : null;
        PrintWriter sink = atomic != null ? atomic.writer() : spec.commandLine().getOut();
        try {
            Output output = new Output(fmt, m, sink);
            if (smiles != null) {
                explainMolecules(m, ms, targetIndex, fmt, sink);
            } else if (digitInput != null) {
                digitInput.explain(m, ms, targetIndex, new io.lrp.explain.Relevance.Options(gamma,
                        io.lrp.explain.Relevance.Options.DEFAULT.igSteps(), seed), fmt, sink, spec.commandLine().getErr());
            } else if (ids != null) {
                List<Explanation> row = new ArrayList<>();
                try (Progress p = new Progress(System.err, "explain", ms.size()).ticking()) {
                    for (Method method : ms) {
                        p.status(method.id());
                        row.add(explainer(m, method).explainIds(ids, targetIndex));
                        p.advance(1, method.id());
                    }
                }
                output.emit(List.of(row));
            } else if (file != null) {
                streamFile(m, ms, targetIndex, output);
            } else {
                try (Progress p = new Progress(System.err, "explain", (long) ms.size() * texts.size()).ticking()) {
                    output.emit(explainRows(m, ms, texts, targetIndex, p, true));
                }
            }
            if (smiles == null) output.finish(); // the molecule views write their own page
            sink.flush();
            if (atomic != null) atomic.commit();
        } finally {
            if (atomic != null) atomic.close(); // standard output stays open
        }
        if (out != null) spec.commandLine().getErr().println("wrote " + out);
        return 0;
    }

    /** --smiles: one row of explanations per molecule; the text view lists the most relevant atoms. */
    private void explainMolecules(Model m, List<Method> ms, int targetIndex, String fmt, PrintWriter sink) {
        List<List<Explanation>> rows = new ArrayList<>();
        for (List<Explanation> row : moleculeRows(m, ms, targetIndex)) {
            if (fmt.equals("html")) rows.add(row);
            else if (fmt.equals("svg")) sink.append(io.lrp.models.graph.MoleculeSvg.render(row.get(0).text(), row)).append('\n');
            else if (fmt.equals("json")) for (Explanation e : row) sink.append(JsonLines.toJson(e)).append('\n');
            else sink.append(io.lrp.models.graph.GraphExplainer.text(row, 5)).append('\n');
            sink.flush();
        }
        if (fmt.equals("html")) sink.append(io.lrp.models.graph.MoleculeHtml.render("lrp explain: " + m.name(), rows, m.labels()));
    }

    /** One row of explanations (one per method) per --smiles, every SMILES checked before any work. */
    private List<List<Explanation>> moleculeRows(Model m, List<Method> ms, int targetIndex) {
        io.lrp.models.graph.GraphModel g = io.lrp.models.graph.GraphExplainer.require(m);
        List<io.lrp.models.graph.Graph> graphs = new ArrayList<>();
        for (String s : smiles) graphs.add(io.lrp.models.graph.GraphExplainer.input(g, s));
        io.lrp.explain.Relevance.Options opt = new io.lrp.explain.Relevance.Options(gamma, io.lrp.explain.Relevance.Options.DEFAULT.igSteps(), seed);
        List<List<Explanation>> rows = new ArrayList<>();
        for (io.lrp.models.graph.Graph graph : graphs) {
            List<Explanation> row = new ArrayList<>();
            for (Method method : ms) row.add(io.lrp.models.graph.GraphExplainer.explain(g, graph, method, targetIndex, opt));
            rows.add(row);
        }
        return rows;
    }

    /** --format png: the molecule once per method, side by side, written atomically to --out. */
    private int moleculePng(Model m, List<Method> ms, int targetIndex) {
        List<Explanation> row = moleculeRows(m, ms, targetIndex).get(0);
        byte[] png = io.lrp.models.graph.MoleculeSvg.png(smiles.get(0), row);
        Path dir = out.toAbsolutePath().getParent();
        try {
            Path tmp = Files.createTempFile(dir, "." + out.getFileName() + ".", ".tmp");
            try {
                try { // the permissions a plain create gives (a temporary file is private)
                    Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
                } catch (UnsupportedOperationException e) {
                    // not a POSIX file system: the default permissions stay
                }
                Files.write(tmp, png);
                Files.move(tmp, out, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new LrpException("cannot write " + out + ": " + e.getMessage());
        }
        spec.commandLine().getErr().println("wrote " + out);
        return 0;
    }

    private LongInputs longMode;
    private final java.util.Set<String> noticed = new java.util.HashSet<>();

    private LongInputs longMode() {
        LongInputs mode = LongInputs.parse(longInputs);
        if (truncate && mode == LongInputs.WINDOW) throw new LrpException("--truncate and --long window contradict each other");
        return truncate ? LongInputs.TRUNCATE : mode;
    }

    private Explainer explainer(Model m, Method method) {
        PrintWriter err = spec.commandLine().getErr();
        return Explainer.of(m).method(method).gamma(gamma).seed(seed).batchSize(batch).longInputs(longMode)
                .stride(stride == null ? 0 : stride)
                .notices(n -> { if (noticed.add(n)) { err.println(n); err.flush(); } }) // once, not once per method
                .threads(threads != null ? threads : Runtime.getRuntime().availableProcessors());
    }

    /** One row per text, one explanation per method. */
    private List<List<Explanation>> explainRows(Model m, List<Method> ms, List<String> inputs, int targetIndex, Progress progress,
                                                boolean countMethods) {
        List<List<Explanation>> rows = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) rows.add(new ArrayList<>());
        int[] t = new int[inputs.size()];
        java.util.Arrays.fill(t, targetIndex);
        for (Method method : ms) {
            if (progress != null) progress.status(method.id() + " (method " + (ms.indexOf(method) + 1) + " of " + ms.size() + ")");
            List<Explanation> res = explainer(m, method).explain(inputs, t);
            if (progress != null && countMethods) progress.advance(inputs.size(), method.id());
            for (int i = 0; i < inputs.size(); i++) rows.get(i).add(res.get(i));
        }
        return rows;
    }

    /**
     * Explains one text per line of the file, in chunks, writing each chunk's results in input
     * order as soon as it is done; a bad line is reported with its number and skipped.
     */
    private void streamFile(Model m, List<Method> ms, int targetIndex, Output output) throws IOException {
        byte[] bytes;
        String name = file.toString().equals("-") ? "<stdin>" : file.toString();
        if (file.toString().equals("-")) {
            bytes = System.in.readAllBytes();
        } else {
            if (!Files.exists(file) || Files.isDirectory(file)) {
                if (Files.isSymbolicLink(file)) io.lrp.io.InputFiles.requireRegular(file, "text file");   // names a loop
                throw new LrpException("text file not found: " + file);
            }
            bytes = Files.readAllBytes(file);
        }
        // decoded one line at a time: a line that is not valid text is reported and skipped like an empty one
        List<io.lrp.data.TextLines.Line> decoded = io.lrp.data.TextLines.decode(bytes, io.lrp.data.TextLines.parseEncoding(encoding), name);
        List<String> lines = new ArrayList<>(decoded.size());
        java.util.Map<Integer, String> undecodable = new java.util.HashMap<>();
        String field = textField != null ? textField
                : name.toLowerCase(java.util.Locale.ROOT).endsWith(".jsonl") ? "text" : null;
        com.fasterxml.jackson.databind.ObjectMapper json = field == null ? null : new com.fasterxml.jackson.databind.ObjectMapper();
        for (io.lrp.data.TextLines.Line l : decoded) {
            String text = l.text(), problem = l.problem();
            if (text != null && field != null && !text.isBlank()) { // JSON Lines: the field's text, never the raw line
                com.fasterxml.jackson.databind.JsonNode node = null;
                try {
                    node = json.readTree(text);
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    problem = "not a JSON object (--text-field " + field + ")";
                }
                if (node != null && (!node.isObject() || !node.path(field).isTextual())) {
                    problem = "no text field '" + field + "' (--text-field)";
                }
                text = problem == null ? node.get(field).asText() : null;
            }
            if (text == null) undecodable.put(lines.size(), problem);
            lines.add(text == null ? "" : text);
        }
        try (Progress progress = new Progress(System.err, "explain", lines.size()).ticking(false)) {
            streamLines(m, ms, targetIndex, output, lines, undecodable, name, progress);
        }
    }

    private void streamLines(Model m, List<Method> ms, int targetIndex, Output output, List<String> lines,
                             java.util.Map<Integer, String> undecodable, String name, Progress progress) throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        int skipped = 0, chunk = Math.max(batch, 32);
        for (int start = 0; start < lines.size(); start += chunk) {
            int end = Math.min(lines.size(), start + chunk);
            List<String> good = new ArrayList<>();
            for (int i = start; i < end; i++) {
                String problem = undecodable.containsKey(i) ? undecodable.get(i) : check(m, lines.get(i));
                if (problem == null) {
                    good.add(lines.get(i));
                } else {
                    err.println("lrp: " + name + ":" + (i + 1) + ": " + problem + "; line skipped");
                    skipped++;
                }
            }
            if (!good.isEmpty()) output.emit(explainRows(m, ms, good, targetIndex, progress, false));
            output.flush();
            progress.advance(end - start, skipped == 0 ? "" : skipped + " skipped");
        }
        if (skipped > 0) err.println("lrp: " + skipped + " of " + lines.size() + " lines skipped");
    }

    /** Why a line cannot be explained, or null. */
    private String check(Model m, String line) {
        if (line.isBlank()) return "empty line";
        try {
            int n = m.tokenizer().encode(line).length();
            if (n > m.maxLength() && longMode == LongInputs.REFUSE) {
                return n + " tokens exceed the model's limit of " + m.maxLength() + " (use --long window or --long truncate)";
            }
            return null;
        } catch (LrpException e) {
            return e.getMessage();
        }
    }

    /** Writes rows as they come (text, json) or collects them for one page (html). */
    private final class Output {
        private final String fmt;
        private final Model model;
        private final PrintWriter sink;
        private final List<List<Explanation>> page = new ArrayList<>();
        private final ColorMode mode;
        private final int width;   // the terminal's, for wrapping at word boundaries; 0 for a file

        Output(String fmt, Model model, PrintWriter sink) {
            this.fmt = fmt;
            this.model = model;
            this.sink = sink;
            this.mode = out != null ? ColorMode.NONE : ColorMode.detect();
            this.width = out != null ? 0 : TerminalHeatmap.terminalColumns();
        }

        void emit(List<List<Explanation>> rows) {
            switch (fmt) {
                case "json" -> {
                    for (List<Explanation> row : rows) for (Explanation e : row) sink.append(JsonLines.toJson(e)).append('\n');
                }
                case "html" -> page.addAll(rows);
                default -> {
                    for (List<Explanation> row : rows) {
                        sink.append(TerminalHeatmap.render(row, model.labels(), mode, tokens && !words, width)).append('\n');
                    }
                }
            }
        }

        void flush() { sink.flush(); }

        void finish() {
            if (fmt.equals("html")) sink.append(HtmlReport.render("lrp explain: " + model.name(), page, model.labels()));
            sink.flush();
        }
    }

    private int resolveTarget(String name, List<String> labels) {
        if (target == null) return -1;
        for (int i = 0; i < labels.size(); i++) if (labels.get(i).equalsIgnoreCase(target)) return i;
        try {
            int t = Integer.parseInt(target.trim());
            if (t < 0 || t >= labels.size()) {
                throw new LrpException("target " + t + " out of range: model " + name + " has " + labels.size()
                        + " classes (0.." + (labels.size() - 1) + ": " + String.join(", ", labels) + ")");
            }
            return t;
        } catch (NumberFormatException e) {
            throw new LrpException("unknown target label '" + target + "': model " + name + " has labels " + String.join(", ", labels));
        }
    }
}
