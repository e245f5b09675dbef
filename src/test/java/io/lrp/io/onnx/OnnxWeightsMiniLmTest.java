package io.lrp.io.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.CodedInputStream;
import io.lrp.io.onnx.proto.OnnxMin.ModelProto;
import io.lrp.io.onnx.proto.OnnxMin.NodeProto;
import io.lrp.io.onnx.proto.OnnxMin.TensorProto;
import io.lrp.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

/** Imports the all-MiniLM-L6-v2 ONNX export shipped in the langchain4j jar. */
class OnnxWeightsMiniLmTest {
    static final int LAYERS = 6, H = 384, FFN = 1536, VOCAB = 30522, MAX_POS = 512, TYPES = 2;
    /** HF sub-module of each nn.Linear in a BERT layer -> {in, out}. */
    static final Map<String, int[]> LINEARS = Map.of(
            "attention.self.query", new int[]{H, H},
            "attention.self.key", new int[]{H, H},
            "attention.self.value", new int[]{H, H},
            "attention.output.dense", new int[]{H, H},
            "intermediate.dense", new int[]{H, FFN},
            "output.dense", new int[]{FFN, H});

    static OnnxWeights w;

    @BeforeAll
    static void load() {
        w = OnnxWeights.readClasspath("all-minilm-l6-v2.onnx");
    }

    @Test
    void exactBertTensorSetInHfLayout() {
        Map<String, int[]> expected = new TreeMap<>();
        expected.put("embeddings.word_embeddings.weight", new int[]{VOCAB, H});
        expected.put("embeddings.position_embeddings.weight", new int[]{MAX_POS, H});
        expected.put("embeddings.token_type_embeddings.weight", new int[]{TYPES, H});
        expected.put("embeddings.LayerNorm.weight", new int[]{H});
        expected.put("embeddings.LayerNorm.bias", new int[]{H});
        for (int l = 0; l < LAYERS; l++) {
            String p = "encoder.layer." + l + ".";
            for (Map.Entry<String, int[]> e : LINEARS.entrySet()) {
                int in = e.getValue()[0], out = e.getValue()[1];
                expected.put(p + e.getKey() + ".weight", new int[]{out, in});
                expected.put(p + e.getKey() + ".bias", new int[]{out});
            }
            for (String ln : List.of("attention.output.LayerNorm", "output.LayerNorm")) {
                expected.put(p + ln + ".weight", new int[]{H});
                expected.put(p + ln + ".bias", new int[]{H});
            }
        }
        assertEquals(5 + LAYERS * 16, expected.size());
        assertEquals(expected.keySet(), new TreeMap<>(w.tensors()).keySet());
        for (Map.Entry<String, int[]> e : expected.entrySet()) {
            assertArrayEquals(e.getValue(), w.tensors().get(e.getKey()).shape(), e.getKey());
        }
        assertEquals(List.of(), w.warnings());
        assertEquals("classpath:all-minilm-l6-v2.onnx", w.source());
        assertEquals("pytorch", w.producer());
        assertEquals(11, w.opsetVersion());
        assertEquals(List.of("input_ids", "attention_mask", "token_type_ids"), w.graphInputs());
        assertEquals(LAYERS * LINEARS.size(), w.onnxNames().size());
    }

    @Test
    void positionIdsKeptAsIntegerConstant() {
        OnnxWeights.IntTensor pos = w.integerTensors().get("embeddings.position_ids");
        assertNotNull(pos);
        assertArrayEquals(new int[]{1, MAX_POS}, pos.shape());
        for (int i = 0; i < MAX_POS; i++) assertEquals(i, pos.data()[i]);
        assertFalse(w.tensors().containsKey("embeddings.position_ids"));
    }

    /** LN(word[id] + pos[t] + type[0]) from the imported tensors vs the PyTorch reference. */
    @Test
    void embeddingOutputMatchesGolden() throws Exception {
        JsonNode root;
        try (InputStream in = getClass().getResourceAsStream("/golden/minilm_explanations.json")) {
            assertNotNull(in, "golden file missing");
            root = new ObjectMapper().readTree(in);
        }
        float[] word = w.tensors().get("embeddings.word_embeddings.weight").data;
        float[] pos = w.tensors().get("embeddings.position_embeddings.weight").data;
        float[] type = w.tensors().get("embeddings.token_type_embeddings.weight").data;
        float[] gamma = w.tensors().get("embeddings.LayerNorm.weight").data;
        float[] beta = w.tensors().get("embeddings.LayerNorm.bias").data;
        int checked = 0;
        double maxDiff = 0;
        assertTrue(root.get("cases").get(0).has("embedding_output"), "case 0 has no embedding_output");
        for (JsonNode c : root.get("cases")) {
            if (!c.has("embedding_output")) continue;       // only some cases carry it
            JsonNode ids = c.get("input_ids"), gold = c.get("embedding_output");
            assertEquals(ids.size(), gold.size());
            for (int t = 0; t < ids.size(); t++) {
                int id = ids.get(t).asInt();
                double[] x = new double[H];
                double mean = 0;
                for (int d = 0; d < H; d++) {
                    x[d] = (double) word[id * H + d] + pos[t * H + d] + type[d];
                    mean += x[d];
                }
                mean /= H;
                double var = 0;
                for (int d = 0; d < H; d++) var += (x[d] - mean) * (x[d] - mean);
                var /= H;
                double inv = 1 / Math.sqrt(var + 1e-12);
                for (int d = 0; d < H; d++) {
                    double y = (x[d] - mean) * inv * gamma[d] + beta[d];
                    double diff = Math.abs(y - gold.get(t).get(d).asDouble());
                    maxDiff = Math.max(maxDiff, diff);
                    assertTrue(diff < 1e-5, c.get("text").asText() + " token " + t + " dim " + d + ": diff " + diff);
                    checked++;
                }
            }
        }
        assertTrue(checked >= 5 * H, "too few values checked: " + checked);
        assertTrue(maxDiff < 1e-5, "max diff " + maxDiff);
    }

    /**
     * Independently parses the same ONNX file: every renamed weight was an [in, out] MatMul
     * initializer of the exporter's node for that module, and the imported [out, in] tensor is its
     * exact transpose, so y = x W^T + b computes the same as the ONNX MatMul + Add.
     */
    @Test
    void linearWeightsAreTransposedMatMulInitializers() throws Exception {
        ModelProto model;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("all-minilm-l6-v2.onnx")) {
            CodedInputStream cis = CodedInputStream.newInstance(in);
            cis.setSizeLimit(Integer.MAX_VALUE);
            model = ModelProto.parseFrom(cis);
        }
        Map<String, TensorProto> inits = new HashMap<>();
        for (TensorProto t : model.getGraph().getInitializerList()) inits.put(t.getName(), t);
        Map<String, String> matMulWeightOfNode = new HashMap<>();
        for (NodeProto n : model.getGraph().getNodeList()) {
            if (n.getOpType().equals("MatMul")) matMulWeightOfNode.put(n.getName(), n.getInput(1));
        }
        for (int l = 0; l < LAYERS; l++) {
            for (Map.Entry<String, int[]> e : LINEARS.entrySet()) {
                String hf = "encoder.layer." + l + "." + e.getKey() + ".weight";
                String node = "/encoder/layer." + l + "/" + e.getKey().replace('.', '/') + "/MatMul";
                String onnxName = w.onnxNames().get(hf);
                assertEquals(matMulWeightOfNode.get(node), onnxName, hf);
                assertTrue(onnxName.startsWith("onnx::MatMul_"), onnxName);
                TensorProto t = inits.get(onnxName);
                int in = e.getValue()[0], out = e.getValue()[1];
                assertEquals(List.of((long) in, (long) out), t.getDimsList(), "ONNX layout [in, out] of " + hf);
                Tensor mine = w.tensors().get(hf);
                assertArrayEquals(new int[]{out, in}, mine.shape());
                ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < in; i++) {
                    for (int o = 0; o < out; o++) {
                        float onnx = raw.getFloat((i * out + o) * 4);
                        if (onnx != mine.data[o * in + i]) {
                            fail(hf + "[" + o + "," + i + "] != ONNX[" + i + "," + o + "]");
                        }
                    }
                }
            }
        }
        assertEquals(List.of((long) H, (long) FFN),
                inits.get(w.onnxNames().get("encoder.layer.0.intermediate.dense.weight")).getDimsList());
        assertArrayEquals(new int[]{FFN, H}, w.tensors().get("encoder.layer.0.intermediate.dense.weight").shape());
    }
}
