package io.lrp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.lrp.io.onnx.proto.OnnxMin.GraphProto;
import io.lrp.io.onnx.proto.OnnxMin.ModelProto;
import io.lrp.io.onnx.proto.OnnxMin.TensorProto;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Collections;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input through the CLI entry point: exit code 2, nothing on stdout, and exactly one line on
 * stderr, "lrp: error: ...", naming the problem and the file or directory (no stack trace unless
 * --verbose). Each broken model is a modified copy of golden/hf_bert_small in a temporary directory.
 */
class BadInputCliTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String[] MODEL_FILES = {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "vocab.txt"};

    @TempDir Path tmp;

    static Path golden() throws Exception {
        return Paths.get(BadInputCliTest.class.getResource("/golden/hf_bert_small").toURI());
    }

    /** A copy of hf_bert_small in tmp/name. */
    private Path copyModel(String name) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        for (String f : MODEL_FILES) Files.copy(golden().resolve(f), dir.resolve(f));
        return dir;
    }

    /** Asserts the bad-input contract and that the one stderr line contains every phrase. */
    static void assertBadInput(CliRunner.Result r, String... phrases) {
        assertEquals(2, r.code(), "exit code; stderr: " + r.err());
        assertEquals("", r.out(), "stdout must be empty");
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), "stderr must be one line: " + r.err());
        assertTrue(err.startsWith("lrp: error: "), err);
        assertFalse(err.contains("at io.lrp") || err.contains("Exception"), "stack trace or exception name: " + err);
        for (String p : phrases) assertTrue(err.contains(p), "expected '" + p + "' in: " + err);
    }

    private static CliRunner.Result explain(Path model, String... more) {
        String[] args = new String[3 + more.length];
        args[0] = "explain";
        args[1] = "--model";
        args[2] = model.toString();
        System.arraycopy(more, 0, args, 3, more.length);
        return CliRunner.run(args);
    }

    /** Rewrites a safetensors file's JSON header in place (the data section is kept byte for byte). */
    static void editHeader(Path file, Consumer<ObjectNode> edit) throws Exception {
        byte[] b = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        ObjectNode header = (ObjectNode) JSON.readTree(new String(b, 8, (int) n, StandardCharsets.UTF_8));
        edit.accept(header);
        byte[] h = JSON.writeValueAsBytes(header);
        ByteBuffer out = ByteBuffer.allocate(8 + h.length + b.length - 8 - (int) n).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(h.length).put(h).put(b, 8 + (int) n, b.length - 8 - (int) n);
        Files.write(file, out.array());
    }

    static ObjectNode tensor(ObjectNode header, String name) {
        return (ObjectNode) header.get(name);
    }

    private static void editConfig(Path dir, Consumer<ObjectNode> edit) throws Exception {
        Path f = dir.resolve("config.json");
        ObjectNode c = (ObjectNode) JSON.readTree(f.toFile());
        edit.accept(c);
        JSON.writeValue(f.toFile(), c);
    }

    // (1)
    @Test
    void otherArchitecture() throws Exception {
        Path dir = copyModel("gptj_model");   // gpt2 is a family now; GPT-J is not
        editConfig(dir, c -> c.put("model_type", "gptj"));
        assertBadInput(explain(dir, "a test"), "unsupported architecture 'gptj'", dir.resolve("config.json").toString(), "bert");
        assertBadInput(explain(dir, "a test"), "supported model_type values: " + String.join(", ", io.lrp.models.Families.modelTypes()));
        assertBadInput(CliRunner.run("info", "--model", dir.toString()), "unsupported architecture 'gptj'",
                dir.resolve("config.json").toString());
    }

    // (2)
    @Test
    void truncatedSafetensors() throws Exception {
        Path dir = copyModel("truncated");
        Path st = dir.resolve("model.safetensors");
        byte[] b = Files.readAllBytes(st);
        Files.write(st, Arrays.copyOf(b, b.length / 2));
        assertBadInput(explain(dir, "a test"), st.toString(), "beyond the end of the data section", "truncated");
    }

    // (3)
    @Test
    void dataOffsetsOutsideTheFile() throws Exception {
        Path dir = copyModel("offsets");
        Path st = dir.resolve("model.safetensors");
        editHeader(st, h -> {
            ArrayNode off = (ArrayNode) tensor(h, "classifier.bias").get("data_offsets");
            off.removeAll();
            off.add(9_000_000_000L).add(9_000_000_008L);
        });
        assertBadInput(CliRunner.run("info", "--model", dir.toString()), st.toString(), "tensor 'classifier.bias'",
                "beyond the end of the data section");
    }

    // (4)
    @Test
    void overlappingTensors() throws Exception {
        Path dir = copyModel("overlap");
        Path st = dir.resolve("model.safetensors");
        editHeader(st, h -> tensor(h, "bert.encoder.layer.0.attention.self.key.bias")
                .set("data_offsets", tensor(h, "bert.encoder.layer.0.attention.self.query.bias").get("data_offsets").deepCopy()));
        assertBadInput(explain(dir, "a test"), st.toString(), "overlap",
                "bert.encoder.layer.0.attention.self.key.bias", "bert.encoder.layer.0.attention.self.query.bias");
    }

    // (5)
    @Test
    void unreadableDtype() throws Exception {
        Path dir = copyModel("int64");
        Path st = dir.resolve("model.safetensors");
        // F32 [64] -> I64 [32]: the same 256 bytes, a valid file whose weight cannot become float32
        editHeader(st, h -> {
            ObjectNode t = tensor(h, "bert.embeddings.LayerNorm.weight");
            t.put("dtype", "I64");
            t.putArray("shape").add(32);
        });
        assertBadInput(explain(dir, "a test"), st.toString(), "tensor 'bert.embeddings.LayerNorm.weight' has unsupported dtype I64");

        Path dir2 = copyModel("unknown_dtype");
        Path st2 = dir2.resolve("model.safetensors");
        editHeader(st2, h -> tensor(h, "classifier.weight").put("dtype", "F12"));
        assertBadInput(explain(dir2, "a test"), st2.toString(), "unknown dtype 'F12'", "classifier.weight");
    }

    /** Integer buffers such as position_ids, saved by older transformers versions, are not weights: skipped. */
    @Test
    void integerPositionIdsBufferIsIgnored() throws Exception {
        Path dir = copyModel("position_ids");
        Path st = dir.resolve("model.safetensors");
        byte[] b = Files.readAllBytes(st);
        long n = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        long dataSize = b.length - 8 - n;
        // append an I64 [1, 128] tensor at the end of the data section
        editHeader(st, h -> {
            ObjectNode t = h.putObject("bert.embeddings.position_ids");
            t.put("dtype", "I64");
            t.putArray("shape").add(1).add(128);
            t.putArray("data_offsets").add(dataSize).add(dataSize + 128 * 8);
        });
        Files.write(st, new byte[128 * 8], java.nio.file.StandardOpenOption.APPEND);
        CliRunner.Result r = CliRunner.run("info", "--model", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("negative, positive"), r.out());
    }

    // (6)
    @Test
    void shapeDisagreesWithConfig() throws Exception {
        Path dir = copyModel("hidden32");
        editConfig(dir, c -> c.put("hidden_size", 32));
        assertBadInput(explain(dir, "a test"), dir.resolve("model.safetensors").toString(),
                "has shape [30522, 64]", dir.resolve("config.json").toString(), "implies [30522, 32]");

        Path dir2 = copyModel("edited_shape");
        Path st2 = dir2.resolve("model.safetensors");
        editHeader(st2, h -> tensor(h, "bert.encoder.layer.1.intermediate.dense.weight").putArray("shape").add(64).add(256));
        assertBadInput(CliRunner.run("info", "--model", dir2.toString()), st2.toString(),
                "tensor 'encoder.layer.1.intermediate.dense.weight' has shape [64, 256]", "implies [256, 64]");
    }

    // (7)
    @Test
    void corruptedOnnxFile() throws Exception {
        Path dir = copyModel("onnx_random");
        Path onnx = dir.resolve("model.onnx");
        byte[] junk = new byte[4096];
        new Random(7).nextBytes(junk);
        Files.write(onnx, junk);
        assertBadInput(explain(onnx, "a test"), onnx.toString(), "not a valid ONNX model");
    }

    @Test
    void truncatedMiniLmOnnx() throws Exception {
        Path dir = copyModel("onnx_truncated");
        byte[] all;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("all-minilm-l6-v2.onnx")) {
            all = in.readAllBytes();
        }
        Path onnx = Files.write(dir.resolve("model.onnx"), Arrays.copyOf(all, all.length / 2));
        assertBadInput(CliRunner.run("info", "--model", onnx.toString()), onnx.toString(),
                "not a valid ONNX model (truncated or corrupted");
    }

    /** An initializer claiming about 2^31 float32 elements with two values: refused before any allocation. */
    @Test
    void onnxTensorWithHugeDims() throws Exception {
        Path dir = copyModel("onnx_huge");
        long huge = Integer.MAX_VALUE - 8;
        TensorProto raw = TensorProto.newBuilder().setName("embeddings.word_embeddings.weight").setDataType(1)
                .addDims(huge).setRawData(ByteString.copyFrom(new byte[8])).build();
        TensorProto typed = TensorProto.newBuilder().setName("embeddings.LayerNorm.weight").setDataType(1)
                .addDims(huge).addFloatData(1).addFloatData(2).build();
        for (TensorProto t : new TensorProto[] {raw, typed}) {
            ModelProto m = ModelProto.newBuilder().setIrVersion(8)
                    .setGraph(GraphProto.newBuilder().setName("g").addInitializer(t)).build();
            Path onnx = Files.write(dir.resolve("model.onnx"), m.toByteArray());
            assertBadInput(explain(onnx, "a test"), onnx.toString(), "'" + t.getName() + "'", "need");
            Files.delete(onnx);
        }
    }

    /** A header claiming a huge shape and offsets: refused from the header, nothing allocated. */
    @Test
    void safetensorsHeaderWithHugeShapeAndOffsets() throws Exception {
        Path dir = copyModel("st_huge");
        Path st = dir.resolve("model.safetensors");
        editHeader(st, h -> {
            ObjectNode t = tensor(h, "bert.embeddings.word_embeddings.weight");
            t.putArray("shape").add(2_000_000_000).add(2_000_000_000);
            t.putArray("data_offsets").add(0).add(Long.MAX_VALUE);
        });
        assertBadInput(explain(dir, "a test"), st.toString(), "bert.embeddings.word_embeddings.weight", "beyond the end of the data section");
    }

    // (8)
    @Test
    void missingTokenizer() throws Exception {
        Path dir = copyModel("no_tokenizer");
        Files.delete(dir.resolve("tokenizer.json"));
        Files.delete(dir.resolve("vocab.txt")); // (with vocab.txt, a WordPiece tokenizer is built from it: VocabTxtTokenizerTest)
        assertBadInput(explain(dir, "a test"), "tokenizer", dir.resolve("tokenizer.json").toString(), "not found");
    }

    // (9)
    @Test
    void emptyAndBlankText() throws Exception {
        Path dir = golden();
        assertBadInput(explain(dir, ""), "empty text", "TEXT 1");
        assertBadInput(explain(dir, "fine", " \t "), "empty text", "TEXT 2");
    }

    // (10)
    @Test
    void unknownMethodListsTheValidOnes() throws Exception {
        assertBadInput(explain(golden(), "--method", "foo", "a test"), "unknown method 'foo'",
                "gi, lrp-ah, lrp-ah-ln, lrp-ah-ln-cp, attnlrp, saliency, a-last, rollout, gae, ig, occlusion, random", "all");
    }

    // (11)
    @Test
    void targetOutOfRangeAndUnknownLabel() throws Exception {
        assertBadInput(explain(golden(), "--target", "5", "a test"), "target 5 out of range", "hf_bert_small",
                "2 classes", "negative, positive");
        assertBadInput(explain(golden(), "--target", "neutral", "a test"), "unknown target label 'neutral'",
                "hf_bert_small", "negative, positive");
    }

    // (12)
    @Test
    void modelPathDoesNotExist() {
        Path nowhere = tmp.resolve("no/such/model");
        assertBadInput(explain(nowhere, "a test"), "model not found", nowhere.toString());
        assertBadInput(CliRunner.run("info", "--model", nowhere.toString()), "model not found", nowhere.toString());
    }

    // (13)
    @Test
    void verbosePrintsTheStackTraceToo() throws Exception {
        Path nowhere = tmp.resolve("missing");
        for (String[] args : new String[][] {
                {"--verbose", "explain", "--model", nowhere.toString(), "a test"},
                {"explain", "--verbose", "--model", nowhere.toString(), "a test"},
                {"info", "--model", nowhere.toString(), "--verbose"}}) {
            CliRunner.Result r = CliRunner.run(args);
            assertEquals(2, r.code(), r.err());
            assertEquals("", r.out());
            String[] lines = r.err().split("\n");
            assertTrue(lines[0].startsWith("lrp: error: model not found"), r.err());
            assertTrue(lines.length > 1 && r.err().contains("at io.lrp"), "no stack trace for " + Arrays.toString(args) + ": " + r.err());
        }
    }

    // (14)
    @Test
    void overLongInputFailsUnlessTruncated() throws Exception {
        String text = String.join(" ", Collections.nCopies(200, "film"));
        assertBadInput(explain(golden(), text), "exceeds the limit", "hf_bert_small", "128", "--long window", "--long truncate");

        CliRunner.Result ok = explain(golden(), "--truncate", "--format", "json", text);
        assertEquals(0, ok.code(), ok.err());
        JsonNode line = JSON.readTree(ok.out().strip());
        assertEquals(128, line.get("relevance").size());
        assertEquals(128, line.get("tokens").size());
        assertEquals("[CLS]", line.get("tokens").get(0).asText());
        assertEquals("[SEP]", line.get("tokens").get(127).asText());
    }
}
