package io.lrp.models.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lrp.explain.GoldenFiles;
import io.lrp.explain.Method;
import io.lrp.explain.Relevance;
import io.lrp.io.SafeTensors;
import io.lrp.models.Batch;
import io.lrp.models.decoder.DecoderExplainer;
import io.lrp.models.decoder.KvCache;
import io.lrp.tensor.Bf16Matrix;
import io.lrp.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A BF16 copy of the tiny llama golden model (every tensor rounded to BF16 and written as a BF16
 * safetensors file): kept BF16 in memory, its products widening the weights per block, it gives
 * the relevance of the same weights widened to F32 when loaded (the F32 path), to within float32
 * summation order (relative 1e-5 of the largest |R|), and conserves within 1e-5.
 */
public class LlamaBf16Test {
    @TempDir static Path dir;
    static LlamaModel bf16, widened;

    @BeforeAll
    static void writeBf16Copy() throws Exception {
        Path golden = GoldenFiles.path("families/llama_small");
        for (String f : List.of("config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")) {
            Files.copy(golden.resolve(f), dir.resolve(f));
        }
        writeBf16(dir.resolve("model.safetensors"), SafeTensors.open(golden.resolve("model.safetensors")).getAll());
        bf16 = LlamaModel.load(dir, true);
        widened = LlamaModel.load(dir, false);
    }

    /** A safetensors file with every tensor as BF16 (rounded to nearest even). */
    public static void writeBf16(Path file, Map<String, Tensor> tensors) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode header = json.createObjectNode();
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (var e : tensors.entrySet()) {
            float[] v = e.getValue().data;
            ByteBuffer b = ByteBuffer.allocate(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            for (float f : v) b.putShort(Bf16Matrix.fromFloat(f));
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", "BF16");
            var shape = t.putArray("shape");
            for (int d : e.getValue().shape()) shape.add(d);
            t.putArray("data_offsets").add(data.size()).add(data.size() + b.capacity());
            data.write(b.array());
        }
        byte[] h = json.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.write(len.array());
        all.write(h);
        all.write(data.toByteArray());
        Files.write(file, all.toByteArray());
    }

    @Test
    void matricesStayBf16AndSaySo() {
        assertEquals("BF16", bf16.weightsInMemory());
        assertEquals("F32", widened.weightsInMemory());
        assertEquals("BF16", bf16.storedDtypes());
        assertTrue(bf16.productKernel().startsWith("BF16 weights, widened a slice at a time to F32"), bf16.productKernel());
        assertEquals(widened.parameterCount(), bf16.parameterCount());
        // 32000 x 48 embedding (tied head) + 2 layers of 4 attention and 3 MLP matrices: 2 bytes each
        long matrices = 32000L * 48 + 2 * (48 * 48 + 24 * 48 * 2 + 48 * 48 + 3 * 128 * 48);
        long norms = 4L * (2 * 2 * 48 + 48);
        assertEquals(2 * matrices + norms, bf16.weightBytes());
        assertEquals(4 * matrices + norms, widened.weightBytes());
    }

    @Test
    void relevanceEqualsTheWidenedF32Path() {
        DecoderExplainer a = DecoderExplainer.of(bf16), b = DecoderExplainer.of(widened);
        for (String prompt : List.of("The capital of France is", "Never again, thanks. I said it twice and meant it")) {
            int[] ids = a.encode(prompt);
            for (Method m : List.of(Method.LRP_AH_LN, Method.GI)) {
                Relevance.Result x = Relevance.compute(bf16, Batch.single(ids), m, null, Relevance.Options.DEFAULT);
                Relevance.Result y = Relevance.compute(widened, Batch.single(ids), m, null, Relevance.Options.DEFAULT);
                assertEquals(y.targets()[0], x.targets()[0]);
                double[] rx = x.relevance()[0], ry = y.relevance()[0];
                double max = 0;
                for (double v : ry) max = Math.max(max, Math.abs(v));
                assertTrue(max > 0.01, "relevance too small to compare: " + max);
                for (int t = 0; t < rx.length; t++) assertEquals(ry[t], rx[t], 1e-5 * max, m + " token " + t + " of " + prompt);
                float logit = x.logits()[0][x.targets()[0]];
                assertEquals(y.logits()[0][y.targets()[0]], logit, 1e-5 * Math.abs(logit));
                if (m == Method.LRP_AH_LN) {
                    double sum = 0;
                    for (double v : rx) sum += v;
                    assertEquals(logit, sum + x.bias()[0], 1e-5 * Math.abs(logit), "conservation");
                }
            }
            org.junit.jupiter.api.Assertions.assertArrayEquals(b.greedy(ids, 3), a.greedy(ids, 3)); // generation (KV cache) through the BF16 products
        }
    }

    /**
     * The large-model F32 path: the checkpoint's matrices decoded straight into direct memory and
     * read in place by the products (threshold 0 bytes here, 1 GB by default) give the relevance
     * and the generation of the ordinary F32 path, and conserve.
     */
    @Test
    void largeF32MatricesReadInPlaceGiveTheF32Path() {
        long old = LlamaModel.blockedAbove;
        LlamaModel inPlace;
        try {
            LlamaModel.blockedAbove = 0;
            inPlace = LlamaModel.load(dir, false);
        } finally {
            LlamaModel.blockedAbove = old;
        }
        assertEquals("F32", inPlace.weightsInMemory());
        if (io.lrp.tensor.Gemm.get() instanceof io.lrp.tensor.NativeGemm) {
            assertTrue(inPlace.productKernel().startsWith("F32 weights in direct memory, read in place"), inPlace.productKernel());
        }
        assertEquals(widened.weightBytes(), inPlace.weightBytes());
        DecoderExplainer a = DecoderExplainer.of(inPlace), b = DecoderExplainer.of(widened);
        int[] ids = a.encode("Never again, thanks. I said it twice and meant it");
        for (Method m : List.of(Method.LRP_AH_LN, Method.GI, Method.ATTNLRP)) {
            Relevance.Result x = Relevance.compute(inPlace, Batch.single(ids), m, null, Relevance.Options.DEFAULT);
            Relevance.Result y = Relevance.compute(widened, Batch.single(ids), m, null, Relevance.Options.DEFAULT);
            assertEquals(y.targets()[0], x.targets()[0]);
            double max = 0;
            for (double v : y.relevance()[0]) max = Math.max(max, Math.abs(v));
            for (int t = 0; t < ids.length; t++) assertEquals(y.relevance()[0][t], x.relevance()[0][t], 1e-5 * max, m + " token " + t);
            if (m == Method.LRP_AH_LN) {
                float logit = x.logits()[0][x.targets()[0]];
                double sum = 0;
                for (double v : x.relevance()[0]) sum += v;
                assertEquals(logit, sum + x.bias()[0], 1e-5 * Math.abs(logit), "conservation");
            }
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(b.greedy(ids, 3), a.greedy(ids, 3));
    }

    @Test
    void gammaRuleUsesTheBoostedBf16Weights() {
        int[] ids = DecoderExplainer.of(bf16).encode("The capital of France is");
        Relevance.Options gamma = new Relevance.Options(0.25, 50, 0);
        double[] rx = Relevance.compute(bf16, Batch.single(ids), Method.LRP_AH_LN, null, gamma).relevance()[0];
        double[] ry = Relevance.compute(widened, Batch.single(ids), Method.LRP_AH_LN, null, gamma).relevance()[0];
        double[] plain = Relevance.compute(widened, Batch.single(ids), Method.LRP_AH_LN, null, Relevance.Options.DEFAULT).relevance()[0];
        double max = 0, moved = 0;
        for (int t = 0; t < ry.length; t++) {
            max = Math.max(max, Math.abs(ry[t]));
            moved = Math.max(moved, Math.abs(ry[t] - plain[t]));
        }
        // z / z+ is ill-conditioned where z+ nears 0, so the two paths' summation orders show more
        // than without gamma: 2e-3 of the largest |R|, ten times below what gamma itself moves
        double tol = 2e-3 * max;
        assertTrue(moved > 10 * tol, "gamma moved the relevance by " + moved + " only");
        for (int t = 0; t < rx.length; t++) assertEquals(ry[t], rx[t], tol, "token " + t);
    }

    @Test
    void theGateComputedAgainGivesTheSameBits() {
        assertTrue(bf16.recomputesGate(), "BF16 models compute the gate again by default");
        assertTrue(!widened.recomputesGate(), "F32 models keep silu(gate)");
        // long enough (over 4096 floats an activation) that the arena hands freed arrays out again
        int[] ids = DecoderExplainer.of(bf16).encode("Never again, thanks. I said it twice and meant it. ".repeat(8));
        assertTrue(ids.length * 48 > 4096, "prompt of " + ids.length + " tokens");
        for (LlamaModel model : List.of(bf16, widened)) {
            boolean byDefault = model.recomputesGate();
            try {
                for (Method m : List.of(Method.LRP_AH_LN, Method.ATTNLRP, Method.GI)) {
                    double[][] r = new double[2][];
                    Double[] bias = new Double[2];
                    for (int k = 0; k < 2; k++) {
                        model.recomputeGate(k == 1);
                        Relevance.Result x = Relevance.compute(model, Batch.single(ids), m, null, Relevance.Options.DEFAULT);
                        r[k] = x.relevance()[0];
                        bias[k] = x.bias()[0];
                    }
                    double max = 0;
                    for (double v : r[0]) max = Math.max(max, Math.abs(v));
                    assertTrue(max > 0.01, "relevance too small to compare: " + max);
                    org.junit.jupiter.api.Assertions.assertArrayEquals(r[0], r[1], 0.0, model.weightsInMemory() + " " + m);
                    assertEquals(bias[0], bias[1]); // null for GI, which has no bias term
                }
            } finally {
                model.recomputeGate(byDefault);
            }
        }
    }

    @Test
    void embeddingRowsAreTheBf16ValuesWidened() {
        int[] ids = {1, 450, 7545};
        Tensor x = bf16.embed(ids, 0), y = widened.embed(ids, 0);
        for (int i = 0; i < x.size(); i++) assertEquals(y.data[i], x.data[i], 0f);
        KvCache c = bf16.newCache(8);
        assertEquals(8, c.capacity());
    }
}
