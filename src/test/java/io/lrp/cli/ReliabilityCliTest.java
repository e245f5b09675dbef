package io.lrp.cli;

import static io.lrp.cli.BadInputCliTest.assertBadInput;
import static io.lrp.cli.BadInputCliTest.editHeader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, items 1, 3, 4 and 5 through the CLI entry point: checked writes and atomic --out,
 * refusal of models that would load but explain wrongly, sizes validated before allocation,
 * non-regular files refused, and every user error as "lrp: error: ..." with exit code 2.
 */
class ReliabilityCliTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path tmp;

    private Path copyModel(String name) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        for (String f : BadInputCliTest.MODEL_FILES) Files.copy(BadInputCliTest.golden().resolve(f), dir.resolve(f));
        return dir;
    }

    private static CliRunner.Result explain(Path model, String... more) {
        return CliRunner.run(Stream.concat(Stream.of("explain", "--model", model.toString()), Stream.of(more)).toArray(String[]::new));
    }

    private static void editJson(Path f, Consumer<ObjectNode> edit) throws Exception {
        ObjectNode c = (ObjectNode) JSON.readTree(f.toFile());
        edit.accept(c);
        JSON.writeValue(f.toFile(), c);
    }

    /** Overwrites element 0 of a float32 tensor of a safetensors file. */
    static void poke(Path file, String tensor, float value) throws Exception {
        byte[] b = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonNode header = JSON.readTree(new String(b, 8, (int) n, StandardCharsets.UTF_8));
        long begin = header.get(tensor).get("data_offsets").get(0).asLong();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putFloat((int) (8 + n + begin), value);
        Files.write(file, b);
    }

    static void mkfifo(Path p) throws Exception {
        assertEquals(0, new ProcessBuilder("mkfifo", p.toString()).inheritIO().start().waitFor());
    }

    // ---- item 1: no lost output -----------------------------------------------------------

    @Test
    void outOnAFullDeviceIsAnErrorNotWrote() throws Exception {
        CliRunner.Result r = explain(BadInputCliTest.golden(), "--out", "/dev/full", "a fine film");
        assertBadInput(r, "cannot write /dev/full", "No space left on device");
        assertFalse(r.err().contains("wrote"), r.err());
    }

    @Test
    void stdoutOnAFullDeviceIsAnError() throws Exception {
        // a plain PrintWriter (what Main used) swallows the error; the exit code must not be 0
        StringWriter err = new StringWriter();
        int code;
        try (FileOutputStream full = new FileOutputStream("/dev/full")) {
            code = Main.run(new String[] {"explain", "--model", BadInputCliTest.golden().toString(), "a fine film"},
                    new PrintWriter(full, true), new PrintWriter(err, true));
        }
        assertEquals(2, code, err.toString());
        assertTrue(err.toString().contains("lrp: error: cannot write standard output"), err.toString());

        // the writer Main.main uses: the failure names the device error
        StringWriter err2 = new StringWriter();
        try (FileOutputStream full = new FileOutputStream("/dev/full")) {
            PrintWriter out = new PrintWriter(new OutputStreamWriter(
                    new io.lrp.io.CheckedOutputStream(full, "standard output"), StandardCharsets.UTF_8), true);
            code = Main.run(new String[] {"info", "--model", BadInputCliTest.golden().toString()}, out, new PrintWriter(err2, true));
        }
        assertEquals(2, code, err2.toString());
        assertTrue(err2.toString().startsWith("lrp: error: cannot write standard output: No space left on device"), err2.toString());
    }

    @Test
    void evaluateSummaryOnAFullStdoutIsAnError() throws Exception {
        Path data = Files.writeString(tmp.resolve("d.tsv"), "sentence\tlabel\na charming film\t1\na dull film\t0\n");
        StringWriter err = new StringWriter();
        int code;
        try (FileOutputStream full = new FileOutputStream("/dev/full")) {
            code = Main.run(new String[] {"evaluate", "--model", BadInputCliTest.golden().toString(), "--data", data.toString(),
                    "--methods", "gi", "--no-plots", "--out", tmp.resolve("ev").toString()}, new PrintWriter(full, true), new PrintWriter(err, true));
        }
        assertNotEquals(0, code, err.toString());
        assertTrue(err.toString().contains("cannot write standard output"), err.toString());
    }

    @Test
    void aFailedRunLeavesTheOldFileAndNoTemporaryFile() throws Exception {
        Path out = Files.writeString(tmp.resolve("report.json"), "old content\n");
        CliRunner.Result r = explain(BadInputCliTest.golden(), "--out", out.toString(), "--format", "json", "--ids", "101,999999,102");
        assertBadInput(r, "999999");
        assertEquals("old content\n", Files.readString(out));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(out), s.toList(), "a temporary file was left behind");
        }
        CliRunner.Result ok = explain(BadInputCliTest.golden(), "--out", out.toString(), "--format", "json", "a fine film");
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.err().contains("wrote " + out), ok.err());
        assertEquals(1, Files.readString(out).lines().count());
        assertTrue(Files.readString(out).contains("\"relevance\""));
    }

    // ---- item 5: every user error is "lrp: error: ..." with exit 2 ------------------------

    @Test
    void outIntoAMissingDirectoryOrOntoADirectory() throws Exception {
        Path missing = tmp.resolve("no/such/dir/out.json");
        assertBadInput(explain(BadInputCliTest.golden(), "--out", missing.toString(), "a film"), "cannot write", "does not exist");
        assertBadInput(explain(BadInputCliTest.golden(), "--out", tmp.toString(), "a film"), "cannot write", "is a directory");
        assertBadInput(CliRunner.run("similar", "--model", "minilm", "--out", missing.toString(), "a", "b"), "does not exist");
    }

    @Test
    void trainOutOntoAFileAndBadLimits() throws Exception {
        Path data = Files.writeString(tmp.resolve("d.tsv"), "sentence\tlabel\na charming film\t1\na dull film\t0\n");
        Path file = Files.writeString(tmp.resolve("file"), "x");
        String[] base = {"train", "--arch", "paper", "--data", data.toString(), "--dev", data.toString(), "--epochs", "1"};
        assertBadInput(CliRunner.run(concat(base, "--out", file.toString())), file.toString(), "not a directory");
        assertBadInput(CliRunner.run(concat(base, "--out", tmp.resolve("m").toString(), "--limit", "-1")), "--limit must be >= 1");
        assertBadInput(CliRunner.run(concat(base, "--out", tmp.resolve("m").toString(), "--limit", "0")), "--limit must be >= 1");
        assertFalse(Files.exists(tmp.resolve("m/model.safetensors")), "an untrained model was written");
        assertBadInput(CliRunner.run("evaluate", "--data", data.toString(), "--out", file.toString()), file.toString(), "not a directory");
    }

    private static String[] concat(String[] a, String... b) {
        return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
    }

    /** A copy of the golden paper model with its config metadata edited. */
    private Path paperWith(String name, Consumer<ObjectNode> edit) throws Exception {
        Path f = tmp.resolve(name + ".safetensors");
        Files.copy(BadInputCliTest.golden().resolve("../paper_small.safetensors").normalize(), f);
        editHeader(f, h -> {
            ObjectNode meta = (ObjectNode) h.get("__metadata__");
            try {
                ObjectNode c = (ObjectNode) JSON.readTree(meta.get("config").asText());
                edit.accept(c);
                meta.put("config", JSON.writeValueAsString(c));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        return f;
    }

    @Test
    void paperMetadataWithBadSizes() throws Exception {
        assertBadInput(explain(paperWith("heads0", c -> c.put("heads", 0)), "--ids", "1,5,2"), "'heads' must be >= 1");
        assertBadInput(explain(paperWith("heads5", c -> c.put("heads", 5)), "--ids", "1,5,2"), "hidden 32 is not divisible by heads 5");
        assertBadInput(explain(paperWith("blocksNeg", c -> c.put("blocks", -3)), "--ids", "1,5,2"), "'blocks' must be >= 1");
        long t0 = System.nanoTime();
        assertBadInput(explain(paperWith("blocksHuge", c -> c.put("blocks", Integer.MAX_VALUE)), "--ids", "1,5,2"),
                "'blocks' is 2147483647", "holds 3 encoder layers");
        assertBadInput(explain(paperWith("eps", c -> c.put("norm_eps", 0.0)), "--ids", "1,5,2"), "norm_eps", "small positive");
        assertTrue(System.nanoTime() - t0 < 60e9, "not refused before allocating");
    }

    @Test
    void tokenizerWithoutUnknownTokenGivenUnknownText() throws Exception {
        Path dir = copyModel("no_unk");
        editJson(dir.resolve("tokenizer.json"), t -> ((ObjectNode) t.get("model")).put("unk_token", "[NO-SUCH-TOKEN]"));
        assertBadInput(explain(dir, "\u2603\u2603 qqzxqv \uD83E\uDD9C"), "cannot tokenize", "no unknown token");
    }

    // ---- item 3: models that would load and explain wrongly --------------------------------

    @Test
    void configWithFewerLayersThanTheCheckpointIsRefusedUnlessAllowed() throws Exception {
        Path dir = copyModel("fewer_layers");
        editJson(dir.resolve("config.json"), c -> c.put("num_hidden_layers", 1));
        assertBadInput(explain(dir, "a fine film"), "encoder weights unused", "uses 1 of the 2 encoder layers",
                "encoder.layer.1.", "--allow-unused-weights");
        CliRunner.Result ok = explain(dir, "--allow-unused-weights", "--format", "json", "a fine film");
        assertEquals(0, ok.code(), ok.err());
        CliRunner.Result full = explain(BadInputCliTest.golden(), "--format", "json", "a fine film");
        assertNotEquals(JSON.readTree(full.out()).get("logits"), JSON.readTree(ok.out()).get("logits"), "the option must load the smaller model");
    }

    @Test
    void nanAndInfiniteWeightsAreRefusedNamingTheTensor() throws Exception {
        Path dir = copyModel("nan");
        poke(dir.resolve("model.safetensors"), "bert.encoder.layer.1.output.dense.weight", Float.NaN);
        assertBadInput(explain(dir, "a fine film"), "bert.encoder.layer.1.output.dense.weight", "NaN", "model.safetensors");
        Path dir2 = copyModel("inf");
        poke(dir2.resolve("model.safetensors"), "bert.embeddings.LayerNorm.bias", Float.NEGATIVE_INFINITY);
        assertBadInput(explain(dir2, "a fine film"), "bert.embeddings.LayerNorm.bias", "-Infinity");
    }

    @Test
    void layerNormEpsMustBeASmallPositiveFloat32() throws Exception {
        for (double eps : new double[] {1e-50, 5.0, -1e-5, 0.0}) {
            Path dir = copyModel("eps" + eps);
            editJson(dir.resolve("config.json"), c -> c.put("layer_norm_eps", eps));
            assertBadInput(explain(dir, "a fine film"), "layer_norm_eps", "small positive");
        }
    }

    @Test
    void gammaMustBeFinite() throws Exception {
        assertBadInput(explain(BadInputCliTest.golden(), "--gamma", "Infinity", "a fine film"), "--gamma", "Infinity");
        assertBadInput(explain(BadInputCliTest.golden(), "--gamma", "NaN", "a fine film"), "--gamma", "NaN");
        Path data = Files.writeString(tmp.resolve("d.tsv"), "sentence\tlabel\na charming film\t1\n");
        assertBadInput(CliRunner.run("evaluate", "--data", data.toString(), "--gamma", "Infinity", "--out", tmp.resolve("e").toString()),
                "--gamma", "Infinity");
    }

    @Test
    void tokenizerWithoutSpecialTokensWarnsForAPoolerModel() throws Exception {
        Path dir = copyModel("no_post_processor");
        editJson(dir.resolve("tokenizer.json"), t -> t.putNull("post_processor"));
        PrintStream saved = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        CliRunner.Result r;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            r = explain(dir, "--format", "json", "a fine film");
        } finally {
            System.setErr(saved);
        }
        assertEquals(0, r.code(), r.err());
        String warning = captured.toString(StandardCharsets.UTF_8);
        assertTrue(warning.startsWith("lrp: warning: ") && warning.contains("[CLS] and [SEP]")
                && warning.contains("reads the first token"), warning);
    }

    // ---- item 4: sizes before allocation, bounded reads, regular files only ------------------

    @Test
    void hugeLayerCountIsRefusedBeforeAllocating() throws Exception {
        Path dir = copyModel("huge_layers");
        editJson(dir.resolve("config.json"), c -> c.put("num_hidden_layers", 1_000_000_000));
        long t0 = System.nanoTime();
        assertBadInput(explain(dir, "a fine film"), "num_hidden_layers is 1000000000", "holds 2 encoder layers");
        editJson(dir.resolve("config.json"), c -> c.put("num_hidden_layers", Integer.MAX_VALUE));
        assertBadInput(explain(dir, "a fine film"), "num_hidden_layers is 2147483647");
        assertTrue(System.nanoTime() - t0 < 60e9);
    }

    @Test
    void namedPipesAreRefusedNotWaitedOn() throws Exception {
        Path dir = copyModel("pipe_tokenizer");
        Files.delete(dir.resolve("tokenizer.json"));
        mkfifo(dir.resolve("tokenizer.json"));
        assertBadInput(explain(dir, "a fine film"), "tokenizer.json", "not a regular file");

        Path dir2 = copyModel("pipe_config");
        Files.delete(dir2.resolve("config.json"));
        mkfifo(dir2.resolve("config.json"));
        assertBadInput(explain(dir2, "a fine film"), "config.json", "not a regular file");

        Path dir3 = copyModel("pipe_onnx");
        mkfifo(dir3.resolve("model.onnx"));
        assertBadInput(explain(dir3.resolve("model.onnx"), "a fine film"), "model.onnx", "not a regular file");

        Path dir4 = copyModel("pipe_weights");
        Files.delete(dir4.resolve("model.safetensors"));
        mkfifo(dir4.resolve("model.safetensors"));
        assertBadInput(explain(dir4, "a fine film"), "model.safetensors", "not a regular file");
    }

    @Test
    void devZeroAndSparseHugeTokenizerAreRefused() throws Exception {
        Path dir = copyModel("zero_tokenizer");
        Files.delete(dir.resolve("tokenizer.json"));
        Files.createSymbolicLink(dir.resolve("tokenizer.json"), Paths.get("/dev/zero"));
        assertBadInput(explain(dir, "a fine film"), "tokenizer.json", "not a regular file");

        Path dir2 = copyModel("sparse_tokenizer");
        try (RandomAccessFile f = new RandomAccessFile(dir2.resolve("tokenizer.json").toFile(), "rw")) {
            f.setLength(3L << 30);   // sparse: no disk used
        }
        assertBadInput(explain(dir2, "a fine film"), "tokenizer.json", "3221225472 bytes", "limit");

        Path dir3 = copyModel("sparse_config");
        try (RandomAccessFile f = new RandomAccessFile(dir3.resolve("config.json").toFile(), "rw")) {
            f.setLength(1L << 30);
        }
        assertBadInput(explain(dir3, "a fine film"), "config.json", "limit");
    }
}
