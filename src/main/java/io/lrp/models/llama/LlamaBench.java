package io.lrp.models.llama;

import io.lrp.LrpException;
import io.lrp.explain.Method;
import io.lrp.explain.Relevance;
import io.lrp.models.Batch;
import io.lrp.tensor.Gemm;
import io.lrp.tensor.Parallel;
import io.lrp.tensor.Simd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Times a forward pass (next-token logits) and an lrp-ah-ln explanation of a random-weight
 * LLaMA-layout model, batch 1, on seeded random ids; prints one JSON object (medians and minima
 * in ms, the product kernel, weight bytes as held, peak RSS). The counterpart of
 * {@code torch_reference.py --model llama-1b --what both}; {@code lrp bench --model llama-1b} runs it.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -Xmx12g -cp 'target/classes:target/lib/*' \
 *     io.lrp.models.llama.LlamaBench --shape 1b --dtype bf16 --seq 128 --threads 2 --runs 3
 * </pre>
 * (OMP_NUM_THREADS=1, as for every program using the library.) {@code --shape tiny} is a
 * hidden-256, 2-layer model for a quick check of the harness.
 */
public final class LlamaBench {
    private LlamaBench() {}

    public static void main(String[] args) {
        String shape = "1b", dtype = "f32";
        int seq = 128, threads = Runtime.getRuntime().availableProcessors(), runs = 3, warmup = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--shape" -> shape = args[++i];
                case "--dtype" -> dtype = args[++i];
                case "--seq" -> seq = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: LlamaBench [--shape 1b|tiny] [--dtype f32|bf16] [--seq N] [--threads K] [--runs R] [--warmup W]");
                    System.exit(2);
                }
            }
        }
        System.out.println(run(shape, dtype, seq, threads, warmup, runs));
    }

    /** The shapes lrp bench --model llama-1b|llama-tiny builds. */
    public static LlamaModel.Config shape(String shape) {
        return switch (shape) {
            case "1b" -> RandomLlama.llama1b();
            case "tiny" -> new LlamaModel.Config("llama", 32000, 256, 2, 8, 2, 32, 1024, 1e-5, 4096, false, false, false, true, null, new int[0]);
            default -> throw new LrpException("unknown llama bench shape '" + shape + "' (expected 1b or tiny)");
        };
    }

    /**
     * Builds the model (weights in F32, or drawn in BF16 and kept so), times warm-up untimed
     * runs and then runs forward passes and lrp-ah-ln explanations alternately; one JSON object.
     */
    public static String run(String shape, String dtype, int seq, int threads, int warmup, int runs) {
        if (!dtype.equals("f32") && !dtype.equals("bf16")) throw new LrpException("--dtype must be f32 or bf16, got " + dtype);
        LlamaModel.Config c = shape(shape);
        if (seq < 1 || seq > c.maxPositions()) throw new LrpException("--seq must be in 1.." + c.maxPositions());
        Parallel.setThreads(threads);
        long t0 = System.nanoTime();
        LlamaModel model = RandomLlama.create("llama-" + shape, c, 42, dtype.equals("bf16"));
        double buildMs = (System.nanoTime() - t0) / 1e6;
        long weightBytes = model.weightBytes();
        long rssBuilt = peakRss();
        SplittableRandom rnd = new SplittableRandom(7);
        int[] ids = new int[seq];
        for (int i = 0; i < seq; i++) ids[i] = rnd.nextInt(c.vocab());
        Batch batch = Batch.single(ids);
        Simd.warmUp();
        for (int w = 0; w < warmup; w++) { // untimed: JIT
            Relevance.logits(model, batch);
            Relevance.compute(model, batch, Method.LRP_AH_LN, null, Relevance.Options.DEFAULT);
        }
        double[] fwd = new double[runs], exp = new double[runs];
        double conservation = 0;
        for (int r = 0; r < runs; r++) {
            long a = System.nanoTime();
            Relevance.logits(model, batch);
            fwd[r] = (System.nanoTime() - a) / 1e6;
            a = System.nanoTime();
            Relevance.Result res = Relevance.compute(model, batch, Method.LRP_AH_LN, null, Relevance.Options.DEFAULT);
            exp[r] = (System.nanoTime() - a) / 1e6;
            double sum = Arrays.stream(res.relevance()[0]).sum(), logit = res.logits()[0][res.targets()[0]];
            conservation = Math.max(conservation, Math.abs(sum + res.bias()[0] - logit) / Math.abs(logit));
        }
        long rss = peakRss();
        double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return String.format(Locale.ROOT,
                "{\"model\": \"llama-%s\", \"seq\": %d, \"threads\": %d, \"warmup\": %d, \"runs\": %d, \"weights\": \"%s\", "
                        + "\"kernel\": \"%s\", \"gemm\": \"%s\", \"simd\": %b, "
                        + "\"build_ms\": %.0f, \"forward_ms\": {\"median\": %.1f, \"min\": %.1f}, "
                        + "\"lrp_ah_ln_ms\": {\"median\": %.1f, \"min\": %.1f}, \"explain_over_forward\": %.2f, "
                        + "\"weights_bytes\": %d, \"peak_rss_after_build_bytes\": %d, \"peak_rss_bytes\": %d, \"peak_rss_over_weights\": %.2f, "
                        + "\"max_conservation_error_relative\": %.2e, \"loadavg_1min\": %.2f}",
                shape, seq, threads, warmup, runs, model.weightsInMemory(), model.productKernel(), Gemm.get().name(), Simd.ENABLED,
                buildMs, median(fwd), min(fwd), median(exp), min(exp), median(exp) / median(fwd), weightBytes, rssBuilt, rss,
                rss / (double) weightBytes, conservation, load);
    }

    private static double median(double[] a) {
        double[] s = a.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double min(double[] a) { return Arrays.stream(a).min().orElse(Double.NaN); }

    /** VmHWM of /proc/self/status in bytes, or -1 where there is none. */
    static long peakRss() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmHWM:")) return 1024L * Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
