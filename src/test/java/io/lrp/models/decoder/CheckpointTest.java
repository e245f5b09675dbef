package io.lrp.models.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lrp.LrpException;
import io.lrp.explain.GoldenFiles;
import io.lrp.explain.Relevance;
import io.lrp.io.SafeTensors;
import io.lrp.models.Batch;
import io.lrp.models.llama.LlamaModel;
import io.lrp.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading decoder checkpoints: sharded and half-precision weights give the model the file
 * describes, and malformed checkpoints end with one LrpException naming the problem.
 */
class CheckpointTest {

    @TempDir Path tmp;

    private static final Path LLAMA = GoldenFiles.path("families/llama_small");
    private static final Path GPT2 = GoldenFiles.path("families/gpt2_small");

    /** A copy of a golden model directory, its config.json edited. */
    private Path copy(Path from, String name, Consumer<ObjectNode> edit) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        try (var files = Files.list(from)) {
            for (Path f : (Iterable<Path>) files::iterator) Files.copy(f, dir.resolve(f.getFileName()));
        }
        if (edit != null) {
            ObjectNode c = (ObjectNode) GoldenFiles.JSON.readTree(dir.resolve("config.json").toFile());
            edit.accept(c);
            Files.writeString(dir.resolve("config.json"), c.toPrettyString());
        }
        return dir;
    }

    private static String error(Runnable r) {
        return assertThrows(LrpException.class, r::run).getMessage();
    }

    @Test
    void keyValueHeadsMustDivideTheHeads() throws IOException {
        Path dir = copy(LLAMA, "gqa", c -> c.put("num_key_value_heads", 3));
        String m = error(() -> Decoders.load(dir));
        assertTrue(m.contains("num_key_value_heads 3 does not divide num_attention_heads 4") && m.contains("config.json"), m);
    }

    @Test
    void unknownRopeScalingIsRefused() throws IOException {
        Path dir = copy(LLAMA, "rope", c -> c.putObject("rope_scaling").put("rope_type", "yarn").put("factor", 4.0));
        String m = error(() -> Decoders.load(dir));
        assertTrue(m.contains("rope_scaling of unknown kind 'yarn'") && m.contains("llama3"), m);
    }

    @Test
    void aTokenizerWithoutTheConfiguredBosIsRefused() throws IOException {
        Path dir = copy(LLAMA, "bos", c -> c.put("bos_token_id", 40000));
        String m = error(() -> Decoders.load(dir));
        assertTrue(m.contains("bos_token_id 40000 is not a token of") && m.contains("tokenizer.json"), m);
        Path dir2 = copy(LLAMA, "bos2", null);
        Files.writeString(dir2.resolve("tokenizer_config.json"),
                Files.readString(dir2.resolve("tokenizer_config.json")).replace("\"bos_token\": \"<s>\"", "\"bos_token\": \"<BOS>\""));
        String m2 = error(() -> Decoders.load(dir2));
        assertTrue(m2.contains("names bos_token '<BOS>'"), m2);
    }

    @Test
    void unknownModelTypeAndUnusedWeightsAreRefused() throws IOException {
        Path dir = copy(GPT2, "type", c -> c.put("model_type", "gptj"));
        assertTrue(error(() -> Decoders.load(dir)).contains("model_type 'gptj' is not a decoder family here"));
        Path extra = copy(LLAMA, "extra", null);
        Map<String, Tensor> all = new TreeMap<>(SafeTensors.open(LLAMA.resolve("model.safetensors")).getAll());
        all.put("model.layers.0.mlp.extra.weight", new Tensor(new float[4], 4));
        Files.delete(extra.resolve("model.safetensors"));
        SafeTensors.write(extra.resolve("model.safetensors"), all, Map.of());
        String m = error(() -> Decoders.load(extra));
        assertTrue(m.contains("model.layers.0.mlp.extra.weight") && m.contains("refusing to ignore weights"), m);
    }

    @Test
    void shardedWeightsLoadAndAMissingShardIsNamed() throws IOException {
        Path dir = copy(LLAMA, "sharded", null);
        Map<String, Tensor> all = SafeTensors.open(LLAMA.resolve("model.safetensors")).getAll();
        Map<String, Tensor> a = new TreeMap<>(), b = new TreeMap<>();
        ObjectNode index = GoldenFiles.JSON.createObjectNode();
        ObjectNode map = index.putObject("weight_map");
        for (var e : all.entrySet()) {
            boolean first = e.getKey().contains("layers.0.") || e.getKey().contains("embed");
            (first ? a : b).put(e.getKey(), e.getValue());
            map.put(e.getKey(), first ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
        }
        Files.delete(dir.resolve("model.safetensors"));
        SafeTensors.write(dir.resolve("model-00001-of-00002.safetensors"), a, Map.of());
        SafeTensors.write(dir.resolve("model-00002-of-00002.safetensors"), b, Map.of());
        Files.writeString(dir.resolve("model.safetensors.index.json"), index.toPrettyString());
        DecoderModel sharded = Decoders.load(dir);
        int[] ids = sharded.decoderTokenizer().encode("Hello, World!");
        assertArrayEquals(logits(Decoders.load(LLAMA), ids), logits(sharded, ids));

        Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
        String m = error(() -> Decoders.load(dir));
        assertTrue(m.contains("names shard model-00002-of-00002.safetensors, which is missing"), m);
    }

    @Test
    void halfPrecisionWeightsAreReadExactly() throws IOException {
        // the same values stored as BF16, F16 and (rounded) F32 give the same model
        Map<String, Tensor> all = SafeTensors.open(LLAMA.resolve("model.safetensors")).getAll();
        for (String dtype : new String[] {"BF16", "F16"}) {
            Map<String, Tensor> rounded = new TreeMap<>();
            Map<String, short[]> bits = new TreeMap<>();
            for (var e : all.entrySet()) {
                float[] v = e.getValue().data;
                short[] s = new short[v.length];
                float[] r = new float[v.length];
                for (int i = 0; i < v.length; i++) {
                    // a value both formats hold exactly: BF16-rounded, no F16 subnormals
                    float x = Float.intBitsToFloat((toBf16(v[i]) & 0xffff) << 16);
                    if (Math.abs(x) < 0x1p-14f) x = 0f;
                    r[i] = x;
                    s[i] = dtype.equals("BF16") ? toBf16(x) : exactF16(x);
                }
                rounded.put(e.getKey(), new Tensor(r, e.getValue().shape()));
                bits.put(e.getKey(), s);
            }
            Path half = copy(LLAMA, dtype, null), f32 = copy(LLAMA, dtype + "-f32", null);
            Files.delete(half.resolve("model.safetensors"));
            writeHalf(half.resolve("model.safetensors"), dtype, bits, all);
            Files.delete(f32.resolve("model.safetensors"));
            SafeTensors.write(f32.resolve("model.safetensors"), rounded, Map.of());
            Checkpoint ck = Checkpoint.open(half);
            assertEquals(dtype, ck.dtypes());
            int[] ids = {1, 415, 5994, 403};
            float[] expected = logits(Decoders.load(f32), ids);
            if (dtype.equals("F16")) {
                assertArrayEquals(expected, logits(Decoders.load(half), ids), dtype);
            } else {
                // widened when loaded: the same floats; kept BF16 (the default): other blocks of the same sums
                assertArrayEquals(expected, logits(io.lrp.models.llama.LlamaModel.load(half, false), ids), dtype);
                float[] kept = logits(Decoders.load(half), ids);
                for (int i = 0; i < kept.length; i++) assertEquals(expected[i], kept[i], 1e-5 * (1 + Math.abs(expected[i])), dtype + " kept");
            }
        }
    }

    private static short toBf16(float f) {
        int b = Float.floatToRawIntBits(f);
        return (short) ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16); // round to nearest even
    }

    /** The binary16 bits of a normal value with at most 10 mantissa bits (or 0). */
    private static short exactF16(float x) {
        int b = Float.floatToRawIntBits(x);
        if ((b & 0x7fffffff) == 0) return (short) ((b >>> 16) & 0x8000);
        int exp = ((b >>> 23) & 0xff) - 127 + 15, mant = b & 0x7fffff;
        if (exp <= 0 || exp >= 31 || (mant & 0x1fff) != 0) throw new IllegalArgumentException("not exact in F16: " + x);
        return (short) (((b >>> 16) & 0x8000) | (exp << 10) | (mant >>> 13));
    }

    private static void writeHalf(Path file, String dtype, Map<String, short[]> bits, Map<String, Tensor> shapes) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        long off = 0;
        for (var e : bits.entrySet()) {
            long n = e.getValue().length * 2L;
            header.put(e.getKey(), Map.of("dtype", dtype, "shape", shapes.get(e.getKey()).shape(), "data_offsets", new long[] {off, off + n}));
            off += n;
        }
        byte[] h = GoldenFiles.JSON.writeValueAsBytes(header);
        ByteBuffer buf = ByteBuffer.allocate(8 + h.length + (int) off).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(h.length).put(h);
        for (short[] s : bits.values()) for (short x : s) buf.putShort(x);
        Files.write(file, buf.array());
        assertTrue(new String(h, StandardCharsets.UTF_8).contains(dtype));
    }

    private static float[] logits(DecoderModel m, int[] ids) {
        return Relevance.logits(m, Batch.single(ids))[0];
    }

    @Test
    void llama3RopeScalingFollowsTheReferenceFormula() throws IOException {
        // Llama-3.2's rope_scaling on a head of 64: frequencies from HF's _compute_llama3_parameters (evaluated in Python)
        Path dir = copy(LLAMA, "llama3", c -> {
            c.put("rope_theta", 500000.0);
            c.putObject("rope_scaling").put("rope_type", "llama3").put("factor", 32.0).put("low_freq_factor", 1.0)
                    .put("high_freq_factor", 4.0).put("original_max_position_embeddings", 8192);
        });
        var config = Checkpoint.open(dir).config();
        float[][] t = io.lrp.models.llama.Rope.read(config, 64).tables(1000, 1);
        double[] expectedAngles = LLAMA3_ANGLES_AT_1000;
        for (int i = 0; i < expectedAngles.length; i++) {
            assertEquals(Math.cos(expectedAngles[i]), t[0][i], 1e-6, "cos " + i);
            assertEquals(Math.sin(expectedAngles[i]), t[1][i], 1e-6, "sin " + i);
        }
        assertEquals(LlamaModel.class, Decoders.load(dir).getClass());
    }

    /**
     * 1000 * inv_freq_i, i = 0..31, for theta 5e5, d 64 and the scaling above: transformers'
     * _compute_llama3_parameters written out element by element in Python (float64).
     */
    static final double[] LLAMA3_ANGLES_AT_1000 = {1000.0, 663.6012376960884, 440.36660267178047, 292.2278225730151, 193.92274474868577, 128.68737343265053, 85.3971002857656, 56.66962144529104, 37.60603093086393, 24.955408670558693, 16.560440080994447, 10.989528534539826, 7.292664737217108, 4.8394213457198925, 3.2114459947525913, 1.290547928209264, 0.4295567965593682, 0.0970828780262767, 0.019461638184831126, 0.01291476718704739, 0.008570255489881478, 0.005687232150457046, 0.0037740542941082826, 0.0025044671007024935, 0.001661967467795309, 0.001102883668639601, 0.0007318749675440419, 0.00048567313430101074, 0.00032229329303788934, 0.00021387422816109152, 0.00014192720251899593, 9.418306725434909e-05};
}
