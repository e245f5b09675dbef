package io.lrp.cli;

import io.lrp.LrpException;
import io.lrp.data.Datasets;
import io.lrp.data.Example;
import io.lrp.eval.Evaluation;
import io.lrp.explain.LongInputs;
import io.lrp.explain.Method;
import io.lrp.models.Model;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Input perturbation evaluation (Ali et al. 2022): AUAC (generate), AUPC and AU-MSE (pruning) per method, "
                + "explaining the true label of each example. Resumable: run the same command again after an interruption."},
        footer = {"", "Writes to DIR: samples.jsonl (one line per sample and method, as computed),",
                "run.json, summary.json, summary.md, summary.csv, curves.png/.svg (mean E vs",
                "fraction, generate and pruning side by side) and conservation.png/.svg",
                "(sum R + bias for lrp-ah-ln, sum R for gi, vs the explained logit).",
                "", "Example:",
                "  lrp evaluate --model minilm-sst2 \\",
                "      --data ../shared/data/sst2/stsa.binary.test \\",
                "      --methods lrp-ah-ln,gi,random --limit 200 --out /tmp/eval-sst2",
                "", "Methods:", "${sys:lrp.methods.help}",
                "  Each method also costs the evaluation's 22 perturbed forward passes per text."})
final class EvaluateCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = {"-m", "--model"}, defaultValue = Models.DEFAULT,
            description = "A model directory, .onnx or .safetensors file, or a built-in name. Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = "--data", required = true, description = "Labelled examples: stsa, GLUE TSV or JSON Lines; for a graph model a molecule CSV "
            + "(a header with smiles and Class columns, as BACE) or an MNIST directory (IDX files; digits as superpixel graphs).")
    Path data;

    @Option(names = "--split", paramLabel = "train|valid|test", description = "Molecule CSV: evaluate only this part of the scaffold split "
            + "in the split file (default: every molecule of --data). MNIST: test (the test digits, the default), valid (training digits "
            + "55,000-59,999) or train (0-54,999).")
    String split;

    @Option(names = "--split-file", paramLabel = "FILE", description = "The split file (lrp train --arch graph writes OUT/split.tsv). "
            + "Default: split.tsv beside the model (in its directory, or beside its .safetensors file).")
    Path splitFile;

    @Option(names = "--format", description = "stsa, glue or jsonl (detected from the content when absent).")
    String format;

    @Option(names = "--encoding", defaultValue = "utf-8", description = "Encoding of the data file: utf-8 or latin-1 (MR is Latin-1). Default: ${DEFAULT-VALUE}.")
    String encoding;

    @Option(names = "--text-field", paramLabel = "NAME", description = "TSV column / JSON Lines key holding the text. Default: text or sentence.")
    String textField;

    @Option(names = "--label-field", paramLabel = "NAME", description = "TSV column / JSON Lines key holding the label: an index, or one of the model's label names "
            + "(e.g. negative, positive). Default: label.")
    String labelField;

    /** The methods of the paper's table (Ali et al. 2022, Table 2), as in the README's reproduction. */
    static final String PAPER_METHODS = "random,a-last,rollout,gae,gi,lrp-ah,lrp-ah-ln";

    @Option(names = "--methods", defaultValue = PAPER_METHODS, paramLabel = "LIST",
            description = {"Comma-separated methods, or all (the ${sys:lrp.methods.count} below, each with its cost). Default: the paper's 7:",
                    "${DEFAULT-VALUE}"})
    String methods;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Output directory (created; an existing run there is resumed).")
    Path out;

    @Option(names = "--limit", paramLabel = "N", description = "Evaluate only N examples: the first N, or N drawn at random with --shuffle.")
    Integer limit;

    @Option(names = "--shuffle", description = "With --limit: draw the examples at random (seeded by --seed) instead of taking the first N.")
    boolean shuffle;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the random baseline (and of --shuffle). Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--gamma", defaultValue = "0", description = "Gamma rule for the LRP methods. Default: ${DEFAULT-VALUE}.")
    double gamma;

    @Option(names = "--batch", defaultValue = "16", description = "Examples explained per batch. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--truncate", description = "The same as --long truncate.")
    boolean truncate;

    @Option(names = "--long", paramLabel = "truncate",
            description = "Inputs longer than the model's limit: truncate (cut to the limit, keeping [SEP]; as the paper does on IMDB). "
                    + "Default: an error. (Windows are for explain: the perturbation curves are defined on one model input.)")
    String longInputs;

    @Option(names = "--no-plots", description = "Do not draw the PNG/SVG figures.")
    boolean noPlots;

    @Override public Integer call() {
        if (limit != null && limit < 1) throw new LrpException("--limit must be >= 1, got " + limit);
        if (batch < 1) throw new LrpException("--batch must be >= 1, got " + batch);
        if (shuffle && limit == null) throw new LrpException("--shuffle needs --limit");
        io.lrp.explain.Explainer.checkGamma(gamma);
        if (java.nio.file.Files.exists(out) && !java.nio.file.Files.isDirectory(out)) {
            throw new LrpException("--out " + out + " exists and is not a directory");
        }
        List<Method> ms = Method.parseList(methods);
        if (splitFile != null && split == null) throw new LrpException("--split-file needs --split train|valid|test");
        if (io.lrp.models.graph.GraphEvaluation.isMoleculeCsv(data)) return molecules(ms);
        if (io.lrp.models.graph.MnistData.isMnistDir(data)) return digits(ms);
        if (split != null) throw new LrpException("--split needs a molecule CSV (a header with a smiles column) or an MNIST directory, and a graph model");
        // labels written as names map through the model's, read without loading it when it can be
        List<String> peeked = ModelLabels.peek(model);
        Datasets.Fields fields = new Datasets.Fields(textField, labelField,
                () -> peeked != null && !peeked.isEmpty() ? peeked : open().labels(),
                "model " + (io.lrp.models.ModelLoader.BUILT_IN.contains(model) ? model : String.valueOf(Path.of(model).getFileName())));
        List<Example> examples = Datasets.read(data, Datasets.parseFormat(format), io.lrp.data.TextLines.parseEncoding(encoding), fields);
        if (examples.isEmpty()) throw new LrpException(data + ": no examples");
        examples = select(examples);
        Args.writableDirectory(out);
        Model m = open();
        if (m instanceof io.lrp.models.graph.GraphModel) {
            throw new LrpException(m.name() + " is a graph model: --data must be a molecule CSV (a header with smiles and Class columns) or an MNIST directory");
        }
        if (m instanceof io.lrp.models.decoder.DecoderModel) {
            throw new LrpException(m.name() + " is a " + m.family() + " decoder language model: evaluate perturbs the inputs of"
                    + " classifiers over labelled examples (explain a decoder's next tokens with lrp explain)");
        }

        LongInputs mode = LongInputs.parse(longInputs);
        if (mode == LongInputs.WINDOW) {
            throw new LrpException("evaluate supports --long truncate only: the perturbation curves are defined on one model input, not on windows");
        }
        Evaluation.Settings settings = new Evaluation.Settings(ms, seed, gamma, batch, truncate || mode == LongInputs.TRUNCATE);
        return run(m, examples, settings, null);
    }

    /** A molecule CSV with a graph model: skipped rows reported with their lines, the split's part chosen. */
    private Integer molecules(List<Method> ms) {
        if (format != null) throw new LrpException("--format is for text data; " + data + " is a molecule CSV");
        if (truncate || longInputs != null) throw new LrpException("--long and --truncate are for texts; molecules larger than the model are skipped");
        io.lrp.models.graph.MoleculeData.Part part = null;
        if (split != null) {
            try {
                part = io.lrp.models.graph.MoleculeData.Part.valueOf(split.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new LrpException("unknown split '" + split + "': choose train, valid or test");
            }
        }
        if (splitFile != null) Args.readableFile(splitFile, "split file");
        Args.writableDirectory(out);
        if (!(open() instanceof io.lrp.models.graph.GraphModel g)) {
            throw new LrpException(data + " is a molecule CSV: it needs a graph model (lrp train --arch graph); " + opened.name()
                    + " is a " + opened.family() + " model, not a graph model");
        }
        Path sf = splitFile != null ? splitFile : part == null ? null : io.lrp.models.graph.GraphEvaluation.defaultSplitFile(model);
        var mols = io.lrp.models.graph.GraphEvaluation.read(g, data, sf, part);
        PrintWriter err = spec.commandLine().getErr();
        for (var k : mols.skipped()) err.println("lrp: skipped " + data + ":" + k.line() + ": " + k.reason());
        if (mols.examples().isEmpty()) throw new LrpException(data + ": no molecules to evaluate");
        if (part != null) err.printf("the %s split of %s: %d molecules%n", split.trim().toLowerCase(java.util.Locale.ROOT), sf, mols.examples().size());
        List<Example> examples = select(mols.examples());
        Evaluation.Settings settings = new Evaluation.Settings(ms, seed, gamma, batch, false);
        return run(g, examples, settings, io.lrp.models.graph.GraphEvaluation.inputs(g, examples, mols.graphs()));
    }

    /**
     * An MNIST directory with a superpixel model: --split test (the 10,000 test digits, the
     * default), valid (training digits 55,000-59,999, the training's validation part) or train
     * (training digits 0-54,999).
     */
    private Integer digits(List<Method> ms) {
        if (format != null) throw new LrpException("--format is for text data; " + data + " is an MNIST directory");
        if (truncate || longInputs != null) throw new LrpException("--long and --truncate are for texts");
        if (splitFile != null) throw new LrpException("--split-file is for molecules; MNIST's parts are fixed (--split train, valid or test)");
        String part = split == null ? "test" : split.trim().toLowerCase(java.util.Locale.ROOT);
        if (!List.of("train", "valid", "test").contains(part)) throw new LrpException("unknown split '" + split + "': choose train, valid or test");
        Args.writableDirectory(out);
        if (!(open() instanceof io.lrp.models.graph.GraphModel g)) {
            throw new LrpException(data + " is an MNIST directory: it needs a superpixel graph model (lrp train --arch graph); " + opened.name()
                    + " is a " + opened.family() + " model, not a graph model");
        }
        var all = io.lrp.models.graph.MnistData.read(data, part.equals("test") ? io.lrp.models.graph.MnistData.Part.TEST
                : io.lrp.models.graph.MnistData.Part.TRAIN);
        int from = part.equals("valid") ? io.lrp.models.graph.MnistTraining.VALID_FROM : 0;
        int to = part.equals("train") ? Math.min(all.size(), io.lrp.models.graph.MnistTraining.VALID_FROM) : all.size();
        if (from >= to) throw new LrpException(data + ": no digits in the " + part + " part (" + all.size() + " digits in its file)");
        // the digits are chosen (--limit, --shuffle) before they are segmented
        List<Example> chosen = select(all.subList(from, to).stream()
                .map(d -> new Example(d.name(), d.label(), data.toString(), d.index() + 1)).toList());
        List<io.lrp.models.graph.MnistData.Digit> digits = chosen.stream().map(e -> all.get(e.line() - 1)).toList();
        var set = io.lrp.models.graph.GraphEvaluation.digits(g, data, digits);
        PrintWriter err = spec.commandLine().getErr();
        for (var k : set.skipped()) err.println("lrp: skipped " + data + " digit " + (k.line() - 1) + ": " + k.reason());
        if (set.examples().isEmpty()) throw new LrpException(data + ": no digits to evaluate");
        err.printf("the %s part of %s: %d digits%n", part, data, set.examples().size());
        Evaluation.Settings settings = new Evaluation.Settings(ms, seed, gamma, batch, false);
        return run(g, set.examples(), settings, io.lrp.models.graph.GraphEvaluation.inputs(g, set.examples(), set.graphs(), "superpixels"));
    }

    private Integer run(Model m, List<Example> examples, Evaluation.Settings settings, Evaluation.Inputs inputs) {
        List<Method> ms = settings.methods();
        Evaluation ev = new Evaluation(m, examples, settings, out).inputs(inputs).check();
        PrintWriter err = spec.commandLine().getErr();
        err.printf("evaluating %s on %d examples of %s, methods %s -> %s%n", m.name(), examples.size(), data,
                String.join(",", ms.stream().map(Method::id).toList()), out);
        err.flush();
        Evaluation.Report r = ev
                .progress(progressStream())
                .plots(!noPlots)
                .run();
        if (r.resumed() > 0) err.printf("resumed: %d results were already in %s%n", r.resumed(), out.resolve(Evaluation.SAMPLES));
        err.printf("wrote %s (summary.json, summary.md, summary.csv%s)%n", out, noPlots ? "" : ", curves.png/.svg, conservation.png/.svg");
        err.flush();
        PrintWriter w = spec.commandLine().getOut();
        w.print(r.markdown());
        w.flush();
        return 0;
    }

    private Model opened;

    private Model open() {
        if (opened == null) opened = Models.open(model);
        return opened;
    }

    private List<Example> select(List<Example> all) { return io.lrp.data.Datasets.select(all, limit, shuffle, seed); }

    /** The progress bar goes to the command's error stream. */
    private PrintStream progressStream() {
        PrintWriter err = spec.commandLine().getErr();
        return new PrintStream(new java.io.OutputStream() {
            @Override public void write(int b) { err.write(b); }
            @Override public void write(byte[] b, int off, int len) { err.write(new String(b, off, len, java.nio.charset.StandardCharsets.UTF_8)); }
            @Override public void flush() { err.flush(); }
        }, true, java.nio.charset.StandardCharsets.UTF_8);
    }
}
