package io.lrp.spark;

import io.lrp.LrpException;
import io.lrp.data.Datasets;
import io.lrp.data.Example;
import io.lrp.explain.Method;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lrp spark explain|evaluate|summary}: the jobs from the command line (./lrp spark, spark-submit). */
@Command(name = "lrp spark", mixinStandardHelpOptions = true, version = "lrp-spark 0.1.0",
        description = "Explain and evaluate corpora on Apache Spark (local mode or a cluster through spark-submit).",
        subcommands = {SparkMain.Explain.class, SparkMain.Evaluate.class, SparkMain.Summary.class, CommandLine.HelpCommand.class})
public final class SparkMain implements Runnable {

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT, description = "Print stack traces of errors.")
    boolean verbose;

    @Override public void run() { new CommandLine(this).usage(System.out); }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs a command with the given streams; the exit code (0 done, 2 bad input, 1 anything else). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new SparkMain());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler(io.lrp.cli.Main.exceptionHandler(err, SparkMain::sparkBadInput));
        cl.setExecutionStrategy(parsed -> {
            try {
                return new CommandLine.RunLast().execute(parsed);
            } catch (Error e) { // picocli hands only Exceptions to the handler
                throw new CommandLine.ExecutionException(cl, String.valueOf(e), e);
            }
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** The message of an error Spark's analysis blames on the input (a missing path or column), or null. */
    static String sparkBadInput(Throwable t) {
        return t instanceof org.apache.spark.sql.AnalysisException a ? a.getMessage().lines().findFirst().orElse("") : null;
    }

    /** Options every job has. */
    static class Common {
        @Option(names = "--master", description = "Spark master URL (local[2], spark://host:7077, yarn, k8s://...). Default: spark.master of spark-submit, else local[*].")
        String master;

        @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "A Spark setting (repeatable), e.g. --conf spark.task.maxFailures=4.")
        List<String> conf = new ArrayList<>();

        SparkSession session(String name) {
            SparkConf c = new SparkConf().setAppName(name);
            if (master != null) c.setMaster(master);
            else if (!c.contains("spark.master")) c.setMaster("local[*]");
            if (c.get("spark.master").startsWith("local")) {
                // one machine: no web UI, and a few shuffle partitions for the summaries instead of 200
                if (!c.contains("spark.ui.enabled")) c.set("spark.ui.enabled", "false");
                if (!c.contains("spark.sql.shuffle.partitions")) c.set("spark.sql.shuffle.partitions", "4");
            }
            for (String kv : conf) {
                int eq = kv.indexOf('=');
                if (eq <= 0) throw new LrpException("--conf needs KEY=VALUE, got '" + kv + "'");
                c.set(kv.substring(0, eq), kv.substring(eq + 1));
            }
            shared = SparkSession.getDefaultSession().isDefined();
            SparkSession s = SparkSession.builder().config(c).getOrCreate();
            if (!shared) s.sparkContext().addSparkListener(new ProgressListener(name));
            return s;
        }

        /** Whether the session was there before the command (a program or test that runs several): left running. */
        private boolean shared;

        void stop(SparkSession s) {
            if (!shared) s.stop();
        }
    }

    /**
     * Progress and an ETA on stderr for each stage that runs longer than a few seconds (the
     * explaining stages; Spark's many short bookkeeping stages stay silent): tasks done of the
     * stage's tasks.
     */
    static final class ProgressListener extends SparkListener {
        private final String name;
        private final java.util.Map<Integer, StageProgress> stages = new java.util.concurrent.ConcurrentHashMap<>();

        private static final class StageProgress {
            final long start = System.nanoTime();
            final int tasks;
            int done;

            StageProgress(int tasks) { this.tasks = tasks; }
        }

        ProgressListener(String name) { this.name = name; }

        @Override public void onStageSubmitted(SparkListenerStageSubmitted s) {
            stages.put(s.stageInfo().stageId(), new StageProgress(s.stageInfo().numTasks()));
        }

        @Override public void onTaskEnd(SparkListenerTaskEnd t) {
            StageProgress p = stages.get(t.stageId());
            if (p == null || !t.taskInfo().successful()) return;
            synchronized (p) {
                p.done++;
                double secs = (System.nanoTime() - p.start) / 1e9;
                if (secs < 3) return;
                double eta = secs / p.done * (p.tasks - p.done);
                System.err.printf(Locale.ROOT, "%s: stage %d: %d/%d tasks, elapsed %s, ETA %s%n", name, t.stageId(), p.done, p.tasks,
                        clock(secs), clock(eta));
            }
        }

        static String clock(double secs) {
            long s = Math.round(secs);
            return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                    : String.format(Locale.ROOT, "%02d:%02d", s / 60, s % 60);
        }

        @Override public void onStageCompleted(SparkListenerStageCompleted s) { stages.remove(s.stageInfo().stageId()); }
    }

    @Command(name = "explain", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Explain every text of a corpus. Writes DIR/explanations (one row per input row and method: the key columns,",
                    "text, model, method, target, label, logits, tokens, ids, offsets, relevance, conservation, error),",
                    "DIR/words (Parquet) and DIR/words.md (the words of highest and lowest mean relevance per method and predicted label)."},
            footer = {"", "Examples:",
                    "  lrp spark explain --model minilm-sst2 --input sentences.txt --methods lrp-ah-ln,gi --out /tmp/expl --master local[2]",
                    "  lrp spark explain --model /models/bert --input reviews.parquet --text-column body --key-columns id --methods lrp-ah-ln --out /tmp/expl"})
    static final class Explain extends Common implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Option(names = {"-m", "--model"}, defaultValue = "minilm-sst2", description = "A built-in name or a model path every executor can read. Default: ${DEFAULT-VALUE}.")
        String model;

        @Option(names = "--input", required = true, description = "A file or directory of files.")
        String input;

        @Option(names = "--input-format", description = "text (one text per line), csv (with a header), jsonl or parquet. Default: from the file name, else text.")
        String inputFormat;

        @Option(names = "--text-column", defaultValue = "text", description = "The column to explain (csv, jsonl, parquet). Default: ${DEFAULT-VALUE}.")
        String textColumn;

        @Option(names = "--key-columns", split = ",", description = "Input columns copied to the output. Default: all but the text column (text input: line).")
        List<String> keyColumns;

        @Option(names = {"--methods", "--method"}, defaultValue = "lrp-ah-ln", description = "Comma-separated methods, or all. Default: ${DEFAULT-VALUE}.")
        String methods;

        @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Output directory (new or empty).")
        Path out;

        @Option(names = "--out-format", defaultValue = "parquet", description = "parquet or jsonl. Default: ${DEFAULT-VALUE}.")
        String outFormat;

        @Option(names = "--partitions", description = "At least this many partitions (tasks). Default: 4 per core (4 x the default parallelism).")
        Integer partitions;

        @Option(names = "--batch", defaultValue = "8", description = "Texts per batch. Default: ${DEFAULT-VALUE}.")
        int batch;

        @Option(names = "--threads", defaultValue = "1", description = "Worker threads per task (give the task as many cores: spark.task.cpus). Default: ${DEFAULT-VALUE}.")
        int threads;

        @Option(names = "--rows-per-call", defaultValue = "64", description = "Rows a task hands the batched explainer at a time. Default: ${DEFAULT-VALUE}.")
        int rowsPerCall;

        @Option(names = "--truncate", description = "Cut texts longer than the model's limit instead of reporting them.")
        boolean truncate;

        @Option(names = "--gamma", defaultValue = "0", description = "Gamma rule for the LRP methods. Default: ${DEFAULT-VALUE}.")
        double gamma;

        @Option(names = "--seed", defaultValue = "0", description = "Seed of the random baseline. Default: ${DEFAULT-VALUE}.")
        long seed;

        @Option(names = "--top", defaultValue = "20", description = "Words each way in the corpus summary. Default: ${DEFAULT-VALUE}.")
        int top;

        @Option(names = "--min-count", defaultValue = "5", description = "Least occurrences of a word in the summary. Default: ${DEFAULT-VALUE}.")
        int minCount;

        @Option(names = "--no-summary", description = "Skip the corpus word summary.")
        boolean noSummary;

        @Override public Integer call() {
            List<Method> ms = Method.parseList(methods);
            ExplainJob.Options o = new ExplainJob.Options(model, ms.stream().map(Method::id).toList(), textColumn, keyColumns,
                    batch, threads, rowsPerCall, truncate, gamma, seed);
            if (!input.contains("://") && !Files.exists(Path.of(input.startsWith("file:") ? input.substring(5) : input))) {
                throw new LrpException("input not found: " + input);
            }
            String fmt = inputFormat != null ? inputFormat : guessFormat(input);
            if (!ExplainJob.INPUT_FORMATS.contains(fmt.toLowerCase(Locale.ROOT)) && !fmt.equalsIgnoreCase("json")) {
                throw new LrpException("unknown input format '" + fmt + "': choose " + String.join(", ", ExplainJob.INPUT_FORMATS));
            }
            if (!List.of("parquet", "jsonl", "json").contains(outFormat.toLowerCase(Locale.ROOT))) {
                throw new LrpException("unknown output format '" + outFormat + "': choose parquet or jsonl");
            }
            if (!noSummary) CorpusSummary.checkArgs(top, minCount);
            ModelCache.get(model); // a missing or unusable model is reported before the job starts
            SparkIo.requireNewDir(out);
            PrintWriter err = spec.commandLine().getErr();
            SparkSession spark = session("lrp spark explain");
            try {
                // a few tasks per core: finer progress, and a slow task holds up less of the job
                int parts = partitions != null ? partitions : 4 * spark.sparkContext().defaultParallelism();
                Dataset<Row> in = ExplainJob.read(spark, input, fmt, parts);
                String expl = out.resolve("explanations").toString();
                ExplainJob.write(ExplainJob.explain(in, o), expl, outFormat);
                Dataset<Row> back = ExplainJob.readOutput(spark, expl);
                long rows = back.count();
                long errors = back.filter(back.col("error").isNotNull()).count();
                err.printf("wrote %s: %d rows (%d texts x %d methods), %d with an error (column error)%n",
                        expl, rows, rows / ms.size(), ms.size(), errors);
                if (!noSummary) {
                    CorpusSummary.write(CorpusSummary.summarize(back, top, minCount), out, top, minCount);
                    err.printf("wrote %s and %s%n", out.resolve("words"), out.resolve("words.md"));
                }
                err.flush();
            } finally {
                stop(spark);
            }
            return 0;
        }
    }

    static String guessFormat(String input) {
        String f = input.toLowerCase(Locale.ROOT);
        if (f.endsWith(".parquet")) return "parquet";
        if (f.endsWith(".csv")) return "csv";
        if (f.endsWith(".jsonl") || f.endsWith(".json")) return "jsonl";
        if (Files.isDirectory(Path.of(input))) {
            try (var s = Files.list(Path.of(input))) {
                if (s.anyMatch(p -> p.toString().endsWith(".parquet"))) return "parquet";
            } catch (java.io.IOException e) {
                throw new LrpException("cannot read " + input + ": " + e.getMessage());
            }
        }
        return "text";
    }

    @Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"The input perturbation evaluation of lrp evaluate on Spark: per-sample curves in the tasks,",
                    "the same summary.json, summary.md and summary.csv; the records in DIR/samples/ (JSON Lines part files)."},
            footer = {"", "Example:",
                    "  lrp spark evaluate --model minilm-sst2 --data ../shared/data/sst2/stsa.binary.dev --methods lrp-ah-ln,gi,random --out /tmp/ev --master local[2]"})
    static final class Evaluate extends Common implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Option(names = {"-m", "--model"}, defaultValue = "minilm-sst2", description = "A built-in name or a model path every executor can read. Default: ${DEFAULT-VALUE}.")
        String model;

        @Option(names = "--data", required = true, description = "Labelled examples (read by the driver): stsa, GLUE TSV or JSON Lines.")
        Path data;

        @Option(names = "--format", description = "stsa, glue or jsonl (detected from the content when absent).")
        String format;

        @Option(names = "--text-field", paramLabel = "NAME", description = "TSV column / JSON Lines key holding the text (as lrp evaluate). Default: text or sentence.")
        String textField;

        @Option(names = "--label-field", paramLabel = "NAME", description = "TSV column / JSON Lines key holding the label: an index, or one of the model's label names. Default: label.")
        String labelField;

        @Option(names = "--methods", defaultValue = "lrp-ah-ln,gi,random", description = "Comma-separated methods, or all. Default: ${DEFAULT-VALUE}.")
        String methods;

        @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Output directory (new or empty).")
        Path out;

        @Option(names = "--limit", paramLabel = "N", description = "Only N examples: the first N, or N at random with --shuffle.")
        Integer limit;

        @Option(names = "--shuffle", description = "With --limit: draw the examples at random (seeded by --seed), kept in file order.")
        boolean shuffle;

        @Option(names = "--seed", defaultValue = "0", description = "Seed of the random baseline (and of --shuffle). Default: ${DEFAULT-VALUE}.")
        long seed;

        @Option(names = "--gamma", defaultValue = "0", description = "Gamma rule for the LRP methods. Default: ${DEFAULT-VALUE}.")
        double gamma;

        @Option(names = "--batch", defaultValue = "16", description = "Examples explained per batch (as lrp evaluate). Default: ${DEFAULT-VALUE}.")
        int batch;

        @Option(names = "--truncate", description = "Cut inputs longer than the model's limit instead of failing.")
        boolean truncate;

        @Option(names = "--no-plots", description = "Do not draw curves.png/.svg.")
        boolean noPlots;

        @Override public Integer call() {
            if (limit != null && limit < 1) throw new LrpException("--limit must be >= 1, got " + limit);
            if (shuffle && limit == null) throw new LrpException("--shuffle needs --limit");
            List<Method> ms = Method.parseList(methods);
            EvaluateJob.Options o = new EvaluateJob.Options(model, ms.stream().map(Method::id).toList(), seed, gamma, batch, truncate);
            Datasets.Fields fields = new Datasets.Fields(textField, labelField, () -> ModelCache.get(model).labels(), "model " + model);
            List<Example> examples = Datasets.read(data, Datasets.parseFormat(format), java.nio.charset.StandardCharsets.UTF_8, fields);
            if (examples.isEmpty()) throw new LrpException(data + ": no examples");
            examples = io.lrp.data.Datasets.select(examples, limit, shuffle, seed);
            ModelCache.get(model);
            PrintWriter err = spec.commandLine().getErr();
            err.printf("evaluating %s on %d examples of %s, methods %s -> %s%n", model, examples.size(), data, methods, out);
            err.flush();
            SparkSession spark = session("lrp spark evaluate");
            EvaluateJob.Report r;
            try {
                r = EvaluateJob.run(spark, examples, o, out, !noPlots);
            } finally {
                stop(spark);
            }
            err.printf("wrote %s (samples/, summary.json, summary.md, summary.csv, run.json%s)%n", out, noPlots ? "" : ", curves.png/.svg");
            err.flush();
            PrintWriter w = spec.commandLine().getOut();
            w.print(r.markdown());
            w.flush();
            return 0;
        }
    }

    @Command(name = "summary", mixinStandardHelpOptions = true, sortOptions = false,
            description = "The corpus word summary (DIR/words, DIR/words.md) of an explain job's output (DIR/explanations).")
    static final class Summary extends Common implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Option(names = "--input", required = true, description = "An explain job's explanations directory (Parquet or JSON Lines).")
        String input;

        @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Output directory (new or empty).")
        Path out;

        @Option(names = "--top", defaultValue = "20", description = "Words each way. Default: ${DEFAULT-VALUE}.")
        int top;

        @Option(names = "--min-count", defaultValue = "5", description = "Least occurrences of a word. Default: ${DEFAULT-VALUE}.")
        int minCount;

        @Override public Integer call() {
            CorpusSummary.checkArgs(top, minCount);
            if (!Files.isDirectory(Path.of(input))) throw new LrpException("no explanations directory " + input);
            SparkIo.requireNewDir(out);
            SparkSession spark = session("lrp spark summary");
            try {
                String md = CorpusSummary.write(CorpusSummary.summarize(ExplainJob.readOutput(spark, input), top, minCount), out, top, minCount);
                spec.commandLine().getOut().print(md);
            } finally {
                stop(spark);
            }
            return 0;
        }
    }
}
