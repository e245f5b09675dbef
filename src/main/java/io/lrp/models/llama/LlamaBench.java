package io.lrp.models.llama;

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
 * in ms, peak RSS). The counterpart of {@code torch_reference.py --model llama-1b --what both}.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -Xmx12g -cp 'target/classes:target/lib/*' \
 *     io.lrp.models.llama.LlamaBench --shape 1b --seq 128 --threads 2 --runs 3
 * </pre>
 * (OMP_NUM_THREADS=1, as for every program using the library.) {@code --shape tiny} is a
 * hidden-256, 2-layer model for a quick check of the harness.
 */
public final class LlamaBench {
    private LlamaBench() {}

    public static void main(String[] args) {
        String shape = "1b";
        int seq = 128, threads = Runtime.getRuntime().availableProcessors(), runs = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--shape" -> shape = args[++i];
                case "--seq" -> seq = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: LlamaBench [--shape 1b|tiny] [--seq N] [--threads K] [--runs R]");
                    System.exit(2);
                }
            }
        }
        LlamaModel.Config c = shape.equals("tiny")
                ? new LlamaModel.Config("llama", 32000, 256, 2, 8, 2, 32, 1024, 1e-5, 4096, false, false, false, true, null, new int[0])
                : RandomLlama.llama1b();
        Parallel.setThreads(threads);
        long t0 = System.nanoTime();
        LlamaModel model = RandomLlama.create("llama-" + shape, c, 42);
        double buildMs = (System.nanoTime() - t0) / 1e6;
        long weightBytes = 4L * model.parameterCount(); // the tied head (= embed_tokens) counted once
        SplittableRandom rnd = new SplittableRandom(7);
        int[] ids = new int[seq];
        for (int i = 0; i < seq; i++) ids[i] = rnd.nextInt(c.vocab());
        Batch batch = Batch.single(ids);
        Simd.warmUp();
        Relevance.logits(model, batch); // untimed: JIT, packed weights
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
        System.out.println(String.format(Locale.ROOT,
                "{\"model\": \"llama-%s\", \"seq\": %d, \"threads\": %d, \"runs\": %d, \"gemm\": \"%s\", \"simd\": %b, "
                        + "\"build_ms\": %.0f, \"forward_ms\": {\"median\": %.1f, \"min\": %.1f}, "
                        + "\"lrp_ah_ln_ms\": {\"median\": %.1f, \"min\": %.1f}, \"explain_over_forward\": %.2f, "
                        + "\"weights_bytes_f32\": %d, \"peak_rss_bytes\": %d, \"max_conservation_error_relative\": %.2e}",
                shape, seq, threads, runs, Gemm.get().name(), Simd.ENABLED, buildMs, median(fwd), min(fwd), median(exp), min(exp),
                median(exp) / median(fwd), weightBytes, peakRss(), conservation));
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
