package io.lrp.cli;

import io.lrp.LrpException;
import io.lrp.autograd.Tape;
import io.lrp.autograd.Var;
import io.lrp.explain.Method;
import io.lrp.explain.Relevance;
import io.lrp.models.Batch;
import io.lrp.models.Model;
import io.lrp.models.bert.BertModel;
import io.lrp.tensor.Gemm;
import java.io.PrintWriter;
import io.lrp.explain.Explainer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "bench", mixinStandardHelpOptions = true, description = {
        "Time a forward pass or an explanation on a synthetic input (median after warm-up).",
        "--model bert-base is a BERT-base-sized model with seeded random weights (benchmark only).",
        "--model llama-1b (llama-tiny) is a Llama-3.2-1B-shaped decoder with seeded random weights: forward and lrp-ah-ln at --seq,",
        "  weights in --dtype f32 or bf16, the product kernel and peak RSS, one JSON object.",
        "--sgemm times the GEMM backend on N x N x N instead (the reference rate)."})
final class BenchCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = {"-m", "--model"}, defaultValue = Models.DEFAULT,
            description = "Model, or bert-base (random weights, for timing only). Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = "--sgemm", description = "Time sgemm of --size N square matrices through the GEMM backend, and report GFLOP/s.")
    boolean sgemm;

    @Option(names = "--size", defaultValue = "1024", description = "--sgemm: matrix size N. Default: ${DEFAULT-VALUE}.")
    int size;

    @Option(names = "--method", defaultValue = "forward", description = "forward, or an explanation method (gi, lrp-ah-ln, ...). Default: ${DEFAULT-VALUE}.")
    String method;

    @Option(names = "--seq", defaultValue = "128", description = "Tokens in the input, [CLS] and [SEP] included. Default: ${DEFAULT-VALUE}.")
    int seq;

    @Option(names = "--threads", defaultValue = "1", description = "Threads of one matrix product (corpus mode: worker threads over batches). Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--warmup", defaultValue = "5", description = "Untimed runs first (and, if > 0, the vector kernels compiled before them). Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--runs", defaultValue = "20", description = "Timed runs. Default: ${DEFAULT-VALUE}.")
    int runs;

    @Option(names = "--dtype", defaultValue = "f32", description = "--model llama-1b: the weights in memory, f32 or bf16. Default: ${DEFAULT-VALUE}.")
    String dtype;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Option(names = "--texts", description = "Corpus mode: explain the first --n texts of this file (stsa, glue or jsonl, or one text per line) "
            + "one by one and in batches, and report both times and their ratio.")
    Path texts;

    @Option(names = "--n", defaultValue = "100", description = "Corpus mode: number of texts. Default: ${DEFAULT-VALUE}.")
    int n;

    @Option(names = "--repeat", defaultValue = "3", description = "Corpus mode: timed passes of each kind (medians reported). Default: ${DEFAULT-VALUE}.")
    int repeat;

    @Option(names = "--batch", defaultValue = "8", description = "Corpus mode: texts per batch. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Override public Integer call() {
        int knob = io.lrp.tensor.Parallel.threads(); // --threads sets the process-wide knob: given back after (in-process callers, tests)
        try {
            return bench();
        } finally {
            io.lrp.tensor.Parallel.setThreads(knob);
        }
    }

    private Integer bench() {
        if (threads < 1) throw new LrpException("--threads must be >= 1");
        if (runs < 1) throw new LrpException("--runs must be >= 1");
        if (warmup < 0) throw new LrpException("--warmup must be >= 0");
        if (sgemm) return sgemm();
        if (model.equals("llama-1b") || model.equals("llama-tiny")) {
            spec.commandLine().getOut().println(io.lrp.models.llama.LlamaBench.run(model.substring(6), dtype, seq, threads, warmup, runs));
            return 0;
        }
        if (seq < 2) throw new LrpException("--seq must be at least 2 ([CLS] and [SEP])");
        Model m = Models.openForBench(model);
        if (seq > m.maxLength()) throw new LrpException("--seq " + seq + " exceeds the model's limit of " + m.maxLength());
        if (texts != null) return corpus(m); // threads = workers over batches, each product on one thread
        io.lrp.tensor.Parallel.setThreads(threads);
        Method explain = method.equals("forward") ? null : Method.parse(method);
        if (explain != null && m instanceof BertModel b && !b.hasClassifier()) {
            throw new LrpException("model " + m.name() + " has no classification head to explain; bench --method forward times the encoder");
        }
        int[] ids = syntheticIds(m, seq);
        Batch batch = Batch.single(ids);
        // single-pass methods: each run is also timed up to the end of its forward pass
        long[] forwardEnd = new long[1];
        Runnable mark = () -> forwardEnd[0] = System.nanoTime();
        Runnable work = explain == null ? () -> forward(m, batch)
                : () -> Relevance.compute(m, batch, explain, null, Relevance.Options.DEFAULT, mark);
        boolean split = explain != null && explain.singlePass();
        double[] forwardMs = new double[runs], backwardMs = new double[runs];
        double[] ms = time(work, !split ? null : (i, t0, t1) -> {
            forwardMs[i] = (forwardEnd[0] - t0) / 1e6;
            backwardMs[i] = (t1 - forwardEnd[0]) / 1e6;
        });
        double median = median(ms);
        Arrays.sort(forwardMs);
        Arrays.sort(backwardMs);
        String forwardPart = split ? String.format(java.util.Locale.ROOT, "%.3f", median(forwardMs)) : "null";
        String backwardPart = split ? String.format(java.util.Locale.ROOT, "%.3f", median(backwardMs)) : "null";
        long flops = flops(m, seq, method);
        String flopsJson = flops < 0 ? "null" : Long.toString(flops);
        String gflops = flops < 0 ? "null" : String.format(java.util.Locale.ROOT, "%.2f", flops / (median * 1e6));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.printf(java.util.Locale.ROOT,
                    "{\"model\":\"%s\",\"method\":\"%s\",\"seq\":%d,\"threads\":%d,\"gemm\":\"%s\",\"kernels\":\"%s\",\"median_ms\":%.3f,"
                            + "\"min_ms\":%.3f,\"runs\":%d,\"flops\":%s,\"gflops\":%s,\"forward_part_ms\":%s,\"backward_part_ms\":%s}%n",
                    m.name(), method, seq, threads, Gemm.get().name(), io.lrp.tensor.Simd.describe(), median, ms[0], runs, flopsJson, gflops,
                    forwardPart, backwardPart);
        } else {
            out.printf(java.util.Locale.ROOT, "%s %s, %d tokens, %d thread(s), %s gemm, %s kernels: median %.2f ms, min %.2f ms over %d runs%s%n",
                    m.name(), method, seq, threads, Gemm.get().name(), io.lrp.tensor.Simd.describe(), median, ms[0], runs,
                    flops < 0 ? "" : String.format(java.util.Locale.ROOT, "; %.3f GFLOP, %s GFLOP/s", flops / 1e9, gflops));
            if (split) out.printf("  of which the recorded forward pass %s ms, the backward pass and relevance %s ms (medians)%n", forwardPart, backwardPart);
        }
        return 0;
    }

    /** Warm-up runs, then the timed runs' milliseconds, sorted. */
    private double[] time(Runnable work) { return time(work, null); }

    /** Called after timed run i with the run's start and end (System.nanoTime). */
    private interface AfterRun { void done(int run, long start, long end); }

    private double[] time(Runnable work, AfterRun after) {
        if (warmup > 0) io.lrp.tensor.Simd.warmUp(); // a warm process: the vector kernels compiled (none with --warmup 0)
        for (int i = 0; i < warmup; i++) work.run();
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            work.run();
            long t1 = System.nanoTime();
            ms[i] = (t1 - t0) / 1e6;
            if (after != null) after.done(i, t0, t1);
        }
        Arrays.sort(ms);
        return ms;
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /**
     * The FLOPs of one run on one sequence of seq tokens: the model's cost of its passes (the
     * encoder's matrix products) combined by the method's cost model, or -1 for a model without one.
     */
    static long flops(Model m, int seq, String method) {
        io.lrp.explain.Cost c = m.cost(seq);
        if (c == null) return -1;
        return method.equals("forward") ? c.forward() : Method.parse(method).flops(c, Relevance.Options.DEFAULT);
    }

    /** --sgemm: C = A B for N x N matrices through the project's GEMM interface (B as a constant operand, like a weight). */
    private int sgemm() {
        if (size < 1) throw new LrpException("--size must be >= 1");
        Gemm g = Gemm.get();
        g.setThreads(threads);
        int n = size;
        Random r = new Random(42);
        float[] a = new float[n * n], b = new float[n * n], c = new float[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextGaussian();
            b[i] = (float) r.nextGaussian();
        }
        double[] ms = time(() -> g.sgemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, true, 0f, c, 0, n));
        double median = median(ms);
        long flops = 2L * n * n * n;
        double gflops = flops / (median * 1e6);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.printf(java.util.Locale.ROOT,
                    "{\"benchmark\":\"sgemm\",\"gemm\":\"%s\",\"size\":%d,\"threads\":%d,\"median_ms\":%.3f,\"min_ms\":%.3f,\"runs\":%d,"
                            + "\"flops\":%d,\"gflops\":%.2f}%n",
                    g.name(), n, threads, median, ms[0], runs, flops, gflops);
        } else {
            out.printf(java.util.Locale.ROOT, "sgemm %dx%dx%d, %s, %d thread(s): median %.3f ms, min %.3f ms over %d runs, %.2f GFLOP/s%n",
                    n, n, n, g.name(), threads, median, ms[0], runs, gflops);
        }
        return 0;
    }

    /**
     * Explains n texts one by one and in batches: one untimed pass of each, then --repeat timed
     * passes of each, alternating (so that drift of the machine hits both alike); reports the
     * medians and their ratio.
     */
    private int corpus(Model m) {
        if (repeat < 1) throw new LrpException("--repeat must be >= 1");
        Method explain = method.equals("forward") ? Method.LRP_AH_LN : Method.parse(method);
        List<String> all = readTexts(texts);
        List<String> sample = all.subList(0, Math.min(n, all.size()));
        Explainer single = Explainer.of(m).method(explain).batchSize(1).truncate(true);
        Explainer batched = Explainer.of(m).method(explain).batchSize(batchSize).truncate(true).threads(threads);
        io.lrp.tensor.Simd.warmUp(); // a warm process: the vector kernels compiled
        batched.explain(sample, null);
        single.explain(sample, null);
        double[] oneByOne = new double[repeat], inBatches = new double[repeat];
        for (int r = 0; r < repeat; r++) {
            long t0 = System.nanoTime();
            single.explain(sample, null);
            oneByOne[r] = (System.nanoTime() - t0) / 1e9;
            t0 = System.nanoTime();
            batched.explain(sample, null);
            inBatches[r] = (System.nanoTime() - t0) / 1e9;
        }
        double single50 = median(sorted(oneByOne)), batched50 = median(sorted(inBatches));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.printf(java.util.Locale.ROOT,
                    "{\"model\":\"%s\",\"method\":\"%s\",\"texts\":%d,\"batch\":%d,\"threads\":%d,\"repeat\":%d,"
                            + "\"one_by_one_s\":%.3f,\"batched_s\":%.3f,\"speedup\":%.2f,\"one_by_one_runs_s\":%s,\"batched_runs_s\":%s}%n",
                    m.name(), explain.id(), sample.size(), batchSize, threads, repeat, single50, batched50, single50 / batched50,
                    seconds(oneByOne), seconds(inBatches));
        } else {
            out.printf(java.util.Locale.ROOT,
                    "%s %s on %d texts, median of %d: one by one (1 thread) %.3f s, batches of %d on %d thread(s) %.3f s, speed-up %.2fx%n",
                    m.name(), explain.id(), sample.size(), repeat, single50, batchSize, threads, batched50, single50 / batched50);
        }
        return 0;
    }

    private static double[] sorted(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s;
    }

    private static String seconds(double[] v) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) b.append(i == 0 ? "" : ",").append(String.format(java.util.Locale.ROOT, "%.3f", v[i]));
        return b.append(']').toString();
    }

    private static List<String> readTexts(Path file) {
        try {
            return io.lrp.data.Datasets.read(file, null).stream().map(io.lrp.data.Example::text).toList();
        } catch (LrpException e) {
            try {
                return java.nio.file.Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList();
            } catch (java.io.IOException io) {
                throw new LrpException("cannot read " + file + ": " + io.getMessage());
            }
        }
    }

    private static void forward(Model m, Batch batch) {
        try (io.lrp.tensor.Arena scope = io.lrp.tensor.Arena.open()) { // as Relevance.logits does
            Var x = Var.constant(m.embed(batch));
            Tape tape = Tape.inference().withoutAttention(); // logits only, as Relevance.logits
            if (m instanceof BertModel b && !b.hasClassifier()) b.encode(tape, x, batch);
            else m.forward(tape, x, batch);
        }
    }

    /** [CLS], seq - 2 ordinary tokens drawn with a fixed seed, [SEP]. */
    static int[] syntheticIds(Model m, int seq) {
        Random r = new Random(42);
        int[] ids = new int[seq];
        int vocab = m.tokenizer() != null ? m.tokenizer().vocabSize() : 64;
        int first = m.tokenizer() != null ? 1000 : 4;
        for (int i = 0; i < seq; i++) ids[i] = first + r.nextInt(vocab - first);
        if (m.tokenizer() != null) {
            ids[0] = m.tokenizer().clsId();
            ids[seq - 1] = m.tokenizer().sepId();
        }
        return ids;
    }
}
