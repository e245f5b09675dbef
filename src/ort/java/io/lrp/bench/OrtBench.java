package io.lrp.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The ONNX Runtime reference for `lrp bench --model minilm` (forward): runs the embedded
 * all-MiniLM-L6-v2 ONNX export (the classpath resource of the langchain4j artifact the library
 * reads its weights from) on one synthetic input of --seq tokens, with --threads intra-op
 * threads, and prints one JSON object with the median and minimum milliseconds after warm-up.
 * Benchmark only: compiled and run in the Maven profile "ort" (docs/benchmarking.md).
 */
public final class OrtBench {
    private OrtBench() {}

    public static void main(String[] args) throws Exception {
        int seq = 128, threads = 1, warmup = 5, runs = 20;
        String resource = "all-minilm-l6-v2.onnx";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seq" -> seq = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--model-resource" -> resource = args[++i];
                default -> {
                    System.err.println("usage: OrtBench [--seq N] [--threads K] [--warmup W] [--runs R] [--model-resource NAME]");
                    System.exit(2);
                }
            }
        }
        if (seq < 2 || threads < 1 || runs < 1 || warmup < 0) throw new IllegalArgumentException("bad arguments");
        byte[] model;
        try (InputStream in = OrtBench.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) throw new IOException("classpath resource missing: " + resource);
            model = in.readAllBytes();
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opt = new OrtSession.SessionOptions()) {
            opt.setIntraOpNumThreads(threads);
            opt.setInterOpNumThreads(1);
            opt.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            opt.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            try (OrtSession session = env.createSession(model, opt)) {
                // [CLS], seq - 2 ordinary tokens drawn with a fixed seed, [SEP] (the ids lrp bench uses for MiniLM's vocabulary)
                Random r = new Random(42);
                long[] ids = new long[seq], mask = new long[seq], types = new long[seq];
                for (int i = 0; i < seq; i++) {
                    ids[i] = 1000 + r.nextInt(30522 - 1000);
                    mask[i] = 1;
                }
                ids[0] = 101;
                ids[seq - 1] = 102;
                long[] shape = {1, seq};
                Map<String, OnnxTensor> inputs = new HashMap<>();
                for (String name : session.getInputNames()) {
                    long[] v = name.contains("mask") ? mask : name.contains("type") ? types : ids;
                    inputs.put(name, OnnxTensor.createTensor(env, LongBuffer.wrap(v), shape));
                }
                for (int i = 0; i < warmup; i++) session.run(inputs).close();
                double[] ms = new double[runs];
                for (int i = 0; i < runs; i++) {
                    long t0 = System.nanoTime();
                    session.run(inputs).close();
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                }
                for (OnnxTensor t : inputs.values()) t.close();
                Arrays.sort(ms);
                double median = runs % 2 == 1 ? ms[runs / 2] : (ms[runs / 2 - 1] + ms[runs / 2]) / 2;
                System.out.printf(Locale.ROOT,
                        "{\"engine\":\"onnxruntime\",\"version\":\"%s\",\"model\":\"minilm\",\"seq\":%d,\"threads\":%d,\"median_ms\":%.3f,\"min_ms\":%.3f,\"runs\":%d}%n",
                        env.getVersion(), seq, threads, median, ms[0], runs);
            }
        }
    }
}
