package io.lrp.models;

import java.lang.management.ManagementFactory;

/**
 * Where the CPU of one `lrp explain` start goes: the built-in model's loading (as a whole; by
 * phase from the resources with "phases"; by phase from the cache file in -Dlrp.cache.dir with
 * "cached"), then the first and second explanation, timed in process CPU (all threads, JIT
 * included) and wall. Not a test: run it by hand (BENCHMARKS.md, start-up).
 */
public final class StartProbe {
    private static long cpu0, wall0;

    private static long cpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static void phase(String name) {
        long c = cpu(), w = System.nanoTime();
        System.out.printf("%-28s cpu %6.0f ms  wall %6.0f ms%n", name, (c - cpu0) / 1e6, (w - wall0) / 1e6);
        cpu0 = c;
        wall0 = w;
    }

    public static void main(String[] args) {
        String text = args.length > 0 ? args[0] : "the film is a charming, funny delight";
        System.out.printf("JVM start to main: cpu %.0f ms%n", cpu() / 1e6);
        cpu0 = cpu();
        wall0 = System.nanoTime();
        Model m;
        if (args.length > 1 && args[1].equals("phases")) {
            var onnx = io.lrp.io.onnx.OnnxWeights.readClasspath(ModelLoader.MINILM_ONNX);
            phase("ONNX parse");
            if (args.length > 2) {
                byte[] json;
                try (var in = StartProbe.class.getClassLoader().getResourceAsStream(ModelLoader.MINILM_TOKENIZER)) {
                    json = in.readAllBytes();
                } catch (java.io.IOException e) { throw new RuntimeException(e); }
                phase("tokenizer: read resource");
                try { new com.fasterxml.jackson.databind.ObjectMapper().readTree(json); } catch (java.io.IOException e) { throw new RuntimeException(e); }
                phase("tokenizer: Jackson tree");
                try (var in = new java.io.ByteArrayInputStream(json)) {
                    ai.djl.huggingface.tokenizers.HuggingFaceTokenizer.newInstance(in, java.util.Map.of("padding", "false"));
                } catch (java.io.IOException e) { throw new RuntimeException(e); }
                phase("tokenizer: native");
            }
            var tok = io.lrp.text.WordPieceTokenizer.loadClasspath(ModelLoader.MINILM_TOKENIZER);
            phase("tokenizer");
            var st = io.lrp.io.SafeTensors.open(ModelLoader.classpathFile(ModelLoader.MINILM_SST2));
            var head = st.getAll();
            phase("head safetensors");
            var tensors = new java.util.HashMap<>(onnx.tensors());
            for (var e : head.entrySet()) if (!e.getKey().startsWith("classifier.")) tensors.put(e.getKey(), e.getValue());
            var c = new io.lrp.models.bert.BertConfig(30522, 384, 6, 12, 1536, 512, 2, 1e-12, 0,
                    java.util.List.of(st.metadata().get("labels").split(",")), io.lrp.models.bert.BertConfig.Pooling.MEAN);
            m = io.lrp.models.bert.BertModel.load("minilm-sst2", c, new io.lrp.nn.Weights(tensors, "x"),
                    new io.lrp.nn.Weights(head, "y"), tok);
            phase("assemble");
        } else if (args.length > 1 && args[1].equals("cached")) {
            java.nio.file.Path f;
            try (var ls = java.nio.file.Files.list(ModelCache.dir())) { f = ls.filter(x -> x.toString().endsWith(".safetensors")).findFirst().get(); }
            catch (java.io.IOException e) { throw new RuntimeException(e); }
            var st = io.lrp.io.SafeTensors.open(f);
            phase("open cache file");
            String key = st.metadata().get("key");
            var entry = ModelCache.read(f, key);
            phase("read (checksum, decode)");
            var tok = io.lrp.text.WordPieceTokenizer.loadClasspath(ModelLoader.MINILM_TOKENIZER);
            phase("tokenizer");
            for (var e : entry.tensors().entrySet()) io.lrp.nn.Weights.checkFinite("x", e.getKey(), e.getValue());
            phase("finiteness check");
            var c = new io.lrp.models.bert.BertConfig(30522, 384, 6, 12, 1536, 512, 2, 1e-12, 0,
                    java.util.List.of("negative", "positive"), io.lrp.models.bert.BertConfig.Pooling.MEAN);
            m = io.lrp.models.bert.BertModel.load("minilm-sst2", c, new io.lrp.nn.Weights(entry.tensors(), "x"),
                    new io.lrp.nn.Weights(entry.tensors(), "y"), tok);
            phase("assemble");
        } else {
            m = ModelLoader.load("minilm-sst2");
            phase("load minilm-sst2");
        }
        io.lrp.tensor.Gemm.get();
        phase("gemm library");
        io.lrp.explain.Provenance.fingerprint(m);
        phase("fingerprint");
        var ex = io.lrp.explain.Explainer.of(m);
        var e1 = ex.explain(text);
        phase("first explanation");
        ex.explain(text);
        phase("second explanation");
        System.out.println(java.util.Arrays.toString(e1.relevance()));
    }
}
