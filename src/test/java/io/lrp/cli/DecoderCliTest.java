package io.lrp.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lrp.explain.GoldenFiles;
import io.lrp.io.SafeTensors;
import io.lrp.tensor.Tensor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * lrp explain and lrp info on the golden decoder models (gpt2_small, llama_small) through the
 * CLI entry point: the next-token JSON contract against the golden predictions, --target by
 * token text and id, --generate (steps, their contexts, conservation per step) in JSON, text
 * and HTML, and malformed checkpoints ending with one error line and exit code 2.
 */
class DecoderCliTest {

    @TempDir Path tmp;

    static String dir(String name) { return GoldenFiles.path("families/" + name).toString(); }

    /** The golden lines of a family, in file order. */
    static List<JsonNode> golden(String name) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                DecoderCliTest.class.getResourceAsStream("/golden/families/" + name + "_explanations.jsonl"), StandardCharsets.UTF_8))) {
            for (String l; (l = r.readLine()) != null; ) if (!l.isBlank()) out.add(GoldenFiles.JSON.readTree(l));
        }
        return out;
    }

    static JsonNode goldenLine(String name, String method) throws IOException {
        for (JsonNode g : golden(name)) if (g.get("method").asText().equals(method)) return g;
        throw new AssertionError("no golden " + method + " line for " + name);
    }

    static List<JsonNode> jsonLines(String out) throws IOException {
        List<JsonNode> l = new ArrayList<>();
        for (String line : out.split("\n")) if (!line.isBlank()) l.add(GoldenFiles.JSON.readTree(line));
        return l;
    }

    static void assertConserved(JsonNode e, String where) {
        JsonNode c = e.get("conservation");
        double logit = c.get("logit").asDouble();
        assertEquals(logit, c.get("sum").asDouble() + c.get("bias").asDouble(), 1e-5 * Math.abs(logit), where + ": sum R + bias = logit");
    }

    /** The id of a vocabulary entry, read from the model's tokenizer.json. */
    static int vocabId(String name, String entry) throws IOException {
        JsonNode vocab = GoldenFiles.JSON.readTree(Path.of(dir(name), "tokenizer.json").toFile()).get("model").get("vocab");
        assertTrue(vocab.has(entry), entry);
        return vocab.get(entry).asInt();
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2_small", "llama_small"})
    void nextTokenJsonFollowsTheContractAndTheGoldenPrediction(String name) throws IOException {
        JsonNode g = goldenLine(name, "lrp-ah-ln");
        String text = g.get("text").asText();
        CliRunner.Result r = CliRunner.run("explain", "--model", dir(name), "--method", "lrp-ah-ln,gi", "--format", "json", text);
        assertEquals(0, r.code(), r.err());
        List<JsonNode> lines = jsonLines(r.out());
        assertEquals(2, lines.size(), r.out());
        for (JsonNode o : lines) {
            assertEquals(text, o.get("text").asText());
            assertEquals(name, o.get("model").asText());
            assertTrue(o.get("logits").isNull(), "no full-vocabulary logits");
            assertEquals(g.get("target").asInt(), o.get("target").asInt(), "the predicted next token");
            assertEquals(g.get("label").asText(), o.get("label").asText(), "label: the predicted token's text");
            assertArrayEquals(GoldenFiles.ints(g.get("ids")), GoldenFiles.ints(o.get("ids")));
            JsonNode top = o.get("top");
            assertEquals(5, top.size());
            for (int i = 0; i < 5; i++) {
                assertEquals(g.get("top").get(i).get(0).asInt(), top.get(i).get(0).asInt(), "top " + i + " id");
                assertEquals(g.get("top").get(i).get(1).asText(), top.get(i).get(1).asText(), "top " + i + " token");
                assertEquals(g.get("top").get(i).get(2).asDouble(), top.get(i).get(2).asDouble(), 1e-4, "top " + i + " logit");
            }
            assertEquals(top.get(0).get(2).asDouble(), o.get("conservation").get("logit").asDouble(), 1e-6,
                    "the explained logit is the highest");
            assertEquals(name.startsWith("gpt2") ? "gpt2" : "llama", o.get("provenance").get("model").get("family").asText());
        }
        assertEquals("lrp-ah-ln", lines.get(0).get("method").asText());
        assertConserved(lines.get(0), name);
        assertEquals(g.get("conservation").get("logit").asDouble(), lines.get(0).get("conservation").get("logit").asDouble(), 1e-4);
        assertEquals("gi", lines.get(1).get("method").asText());
        assertTrue(lines.get(1).get("conservation").get("bias").isNull());
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2_small", "llama_small"})
    void targetByTokenTextAndByIdExplainTheSameToken(String name) throws IOException {
        int paris = vocabId(name, name.startsWith("gpt2") ? "ĠParis" : "▁Paris");
        String text = "The capital of France is";
        CliRunner.Result byText = CliRunner.run("explain", "--model", dir(name), "--format", "json", "--target", " Paris", text);
        CliRunner.Result byId = CliRunner.run("explain", "--model", dir(name), "--format", "json", "--target", String.valueOf(paris), text);
        CliRunner.Result predicted = CliRunner.run("explain", "--model", dir(name), "--format", "json", text);
        assertEquals(0, byText.code(), byText.err());
        assertEquals(0, byId.code(), byId.err());
        JsonNode a = jsonLines(byText.out()).get(0), b = jsonLines(byId.out()).get(0), p = jsonLines(predicted.out()).get(0);
        assertEquals(paris, a.get("target").asInt());
        assertEquals(" Paris", a.get("label").asText());
        assertEquals(a.get("relevance"), b.get("relevance"));
        assertNotEquals(paris, p.get("target").asInt(), "the tiny random model does not predict Paris");
        assertTrue(a.get("conservation").get("logit").asDouble() < p.get("conservation").get("logit").asDouble(),
                "the explained logit is Paris's, below the predicted token's");
        assertConserved(a, name + " --target");
        // the top tokens are the model's, whatever the target
        assertEquals(p.get("top"), a.get("top"));
    }

    @Test
    void aTargetOfSeveralTokensOrOutsideTheVocabularyIsOneError() {
        CliRunner.Result r = CliRunner.run("explain", "--model", dir("gpt2_small"), "--target", " Parisian boulevards", "Hello");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("lrp: error: target ' Parisian boulevards' is ") && r.err().contains("not one"), r.err());
        assertEquals(1, r.err().strip().lines().filter(l -> l.startsWith("lrp:")).count(), r.err());
        CliRunner.Result id = CliRunner.run("explain", "--model", dir("gpt2_small"), "--target", "50257", "Hello");
        assertEquals(2, id.code());
        assertTrue(id.err().contains("lrp: error: target 50257 outside the vocabulary of 50257"), id.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2_small", "llama_small"})
    void generateExplainsEveryStepOverEverythingBeforeIt(String name) throws IOException {
        JsonNode g = goldenLine(name, "lrp-ah-ln");
        String text = g.get("text").asText();
        int[] promptIds = GoldenFiles.ints(g.get("ids"));
        CliRunner.Result r = CliRunner.run("explain", "--model", dir(name), "--method", "lrp-ah-ln,occlusion", "--format", "json",
                "--generate", "3", text);
        assertEquals(0, r.code(), r.err());
        List<JsonNode> steps = jsonLines(r.out());
        assertEquals(3, steps.size(), "one line per step (no end-of-sequence token within 3 steps here)");
        List<Integer> context = new ArrayList<>();
        for (int id : promptIds) context.add(id);
        for (int k = 0; k < steps.size(); k++) {
            JsonNode s = steps.get(k);
            assertEquals(k, s.get("step").asInt());
            assertEquals(3, s.get("steps").asInt());
            assertEquals(text, s.get("prompt").asText());
            assertArrayEquals(promptIds, GoldenFiles.ints(s.get("prompt_ids")));
            assertFalse(s.get("eos").asBoolean());
            if (k == 0) assertEquals(g.get("target").asInt(), s.get("token").asInt(), "first step: the reference's next token");
            JsonNode e = s.get("explanations");
            assertEquals(2, e.size());
            for (JsonNode x : e) {
                assertArrayEquals(context.stream().mapToInt(Integer::intValue).toArray(), GoldenFiles.ints(x.get("ids")),
                        "step " + k + " explains over the prompt and the tokens generated before it");
                assertEquals(s.get("token").asInt(), x.get("target").asInt());
                assertEquals(s.get("token").asInt(), x.get("top").get(0).get(0).asInt(), "greedy: the step's token is the argmax");
                assertEquals(s.get("piece").asText(), x.get("label").asText());
                assertEquals(context.size(), x.get("relevance").size());
            }
            assertConserved(e.get(0), name + " step " + k);
            assertEquals("occlusion", e.get(1).get("method").asText());
            context.add(s.get("token").asInt());
        }
    }

    @Test
    void generateStopsAtTheEndOfSequenceToken() throws IOException {
        // ids ending where the tiny GPT-2 predicts <|endoftext|> would be luck; instead a stop token that is its first choice
        JsonNode g = goldenLine("gpt2_small", "lrp-ah-ln");
        int next = g.get("target").asInt();
        Path copy = copy("gpt2_small", "eos", c -> c.put("eos_token_id", next));
        CliRunner.Result r = CliRunner.run("explain", "--model", copy.toString(), "--format", "json", "--generate", "5",
                g.get("text").asText());
        assertEquals(0, r.code(), r.err());
        List<JsonNode> steps = jsonLines(r.out());
        assertEquals(1, steps.size(), "the first token is the end-of-sequence token: one step");
        assertTrue(steps.get(0).get("eos").asBoolean());
        assertEquals(next, steps.get(0).get("token").asInt());
    }

    @Test
    void idsAndFileLinesGiveTheSameExplanationsAsTexts() throws IOException {
        JsonNode g = goldenLine("llama_small", "lrp-ah-ln");
        String text = g.get("text").asText();
        StringBuilder ids = new StringBuilder();
        for (JsonNode id : g.get("ids")) ids.append(ids.length() > 0 ? "," : "").append(id.asInt());
        CliRunner.Result byIds = CliRunner.run("explain", "--model", dir("llama_small"), "--format", "json", "--ids", ids.toString());
        assertEquals(0, byIds.code(), byIds.err());
        JsonNode a = jsonLines(byIds.out()).get(0);
        assertEquals(g.get("target").asInt(), a.get("target").asInt());
        assertArrayEquals(GoldenFiles.doubles(g.get("relevance")), GoldenFiles.doubles(a.get("relevance")),
                Math.max(1e-4, 1e-4 * GoldenFiles.maxAbs(GoldenFiles.doubles(g.get("relevance")))));
        Path f = tmp.resolve("prompts.txt");
        Files.writeString(f, text + "\n\n" + text + "\n", StandardCharsets.UTF_8);
        CliRunner.Result byFile = CliRunner.run("explain", "--model", dir("llama_small"), "--format", "json", "--file", f.toString());
        assertEquals(0, byFile.code(), byFile.err());
        List<JsonNode> lines = jsonLines(byFile.out());
        assertEquals(2, lines.size());
        for (JsonNode l : lines) assertEquals(a.get("relevance"), l.get("relevance"));
        assertTrue(byFile.err().contains(f + ":2: empty line; line skipped"), byFile.err());
    }

    @Test
    void textViewShowsThePredictionAndEachStepsHeatMap() throws IOException {
        JsonNode g = goldenLine("llama_small", "lrp-ah-ln");
        CliRunner.Result one = CliRunner.run("explain", "--model", dir("llama_small"), g.get("text").asText());
        assertEquals(0, one.code(), one.err());
        assertTrue(one.out().contains("next token: \"" + g.get("label").asText() + "\" (id " + g.get("target").asInt()), one.out());
        assertTrue(one.out().contains("lrp-ah-ln  (explaining"), one.out());
        assertTrue(one.out().contains("<s>[") && one.out().contains("(conserved)"), one.out());

        CliRunner.Result gen = CliRunner.run("explain", "--model", dir("llama_small"), "--generate", "3", g.get("text").asText());
        assertEquals(0, gen.code(), gen.err());
        for (int k = 1; k <= 3; k++) assertTrue(gen.out().contains("step " + k + " of 3: "), gen.out());
        assertEquals(3, gen.out().split("\\(conserved\\)", -1).length - 1, "one conserved lrp-ah-ln heat map per step");
        assertTrue(gen.out().contains(" ‖ "), "generated context tokens are set off from the prompt");
    }

    @Test
    void htmlLetsTheReaderPickAGeneratedToken() throws IOException {
        JsonNode g = goldenLine("gpt2_small", "lrp-ah-ln");
        int promptLength = g.get("ids").size();
        Path html = tmp.resolve("gen.html");
        CliRunner.Result r = CliRunner.run("explain", "--model", dir("gpt2_small"), "--method", "lrp-ah-ln,gi", "--format", "html",
                "--generate", "3", "--out", html.toString(), g.get("text").asText());
        assertEquals(0, r.code(), r.err());
        String page = Files.readString(html, StandardCharsets.UTF_8);
        assertFalse(page.contains("http://") || page.contains("https://") || page.contains(" src="), "self-contained");
        Document d = Jsoup.parse(page);
        assertEquals(3, d.select("button.pick").size());
        assertEquals(3, d.select("section.step").size());
        assertEquals(1, d.select("script").size());
        for (int k = 0; k < 3; k++) {
            Element step = d.selectFirst("section.step[data-step=" + k + "]");
            assertEquals(2, step.select("div.method").size());
            Element heat = step.selectFirst("div.method[data-method=lrp-ah-ln] div.heat");
            assertEquals(promptLength + k, heat.select("span.t").size(), "step " + k + ": one span per context token");
            assertEquals(k, heat.select("span.t.gen").size(), "the tokens generated before step " + k);
            double sum = 0;
            for (Element s : heat.select("span.t")) sum += Double.parseDouble(s.attr("data-r"));
            String cons = step.selectFirst("div.method[data-method=lrp-ah-ln] p.cons").text();
            assertTrue(cons.endsWith("(conserved)"), cons);
            assertTrue(cons.startsWith("sum R + bias = "), cons);
            assertEquals(Double.parseDouble(cons.substring("sum R + bias = ".length()).split(" ")[0]), sum, 1e-5 * Math.abs(sum));
            String token = d.selectFirst("button.pick[data-step=" + k + "]").text();
            assertTrue(step.selectFirst("h3").text().contains(token.strip()), step.selectFirst("h3").text());
        }

        CliRunner.Result one = CliRunner.run("explain", "--model", dir("gpt2_small"), "--format", "html", g.get("text").asText());
        assertEquals(0, one.code(), one.err());
        Document p = Jsoup.parse(one.out());
        assertTrue(p.selectFirst("p.prediction").text().contains(g.get("label").asText()), p.selectFirst("p.prediction").text());
        assertEquals(promptLength, p.select("div.heat span.t").size());
        assertEquals(5, p.select("table.top tr").size() - 1);
    }

    @Test
    void infoDescribesADecoder() {
        CliRunner.Result r = CliRunner.run("info", "--model", dir("llama_small"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("family:       llama (decoder language model)"), r.out());
        assertTrue(r.out().contains("2 layers, hidden 48, 4 heads / 2 key-value heads of 12, MLP 128"), r.out());
        assertTrue(r.out().contains("BOS <s> (1), EOS </s> (2)"), r.out());
        assertTrue(r.out().contains("weight dtype: F32 in the file"), r.out());
        assertTrue(r.out().contains("products:     F32 sgemm"), r.out());
        assertFalse(r.out().contains("▁the"), "the vocabulary is not printed as labels");
        CliRunner.Result g = CliRunner.run("info", "--model", dir("gpt2_small"));
        assertEquals(0, g.code(), g.err());
        assertTrue(g.out().contains("family:       gpt2 (decoder language model)") && g.out().contains("BPE (byte-level), 50257 tokens"), g.out());
    }

    @Test
    void infoNamesHalfPrecisionWeights() throws IOException {
        // the llama weights stored as F16 (rounded: only the dtype report is checked here)
        Path half = copy("llama_small", "f16", null);
        Map<String, Tensor> all = new TreeMap<>(SafeTensors.open(Path.of(dir("llama_small"), "model.safetensors")).getAll());
        Files.delete(half.resolve("model.safetensors"));
        writeF16(half.resolve("model.safetensors"), all);
        CliRunner.Result r = CliRunner.run("info", "--model", half.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("weight dtype: F16 in the file, widened to F32 when loaded"), r.out());
    }

    @Test
    void infoNamesTheBf16Kernel() throws Exception {
        Path bf = copy("llama_small", "bf16", null);
        Files.delete(bf.resolve("model.safetensors"));
        io.lrp.models.llama.LlamaBf16Test.writeBf16(bf.resolve("model.safetensors"),
                SafeTensors.open(Path.of(dir("llama_small"), "model.safetensors")).getAll());
        CliRunner.Result r = CliRunner.run("info", "--model", bf.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("weight dtype: BF16 in the file; matrices BF16 in memory, 2 bytes a weight"), r.out());
        assertTrue(r.out().contains("products:     BF16 weights, widened a slice at a time to F32 in the java kernel ("), r.out());
    }

    // ---------------------------------------------------------------- malformed checkpoints

    private Path copy(String from, String name, Consumer<ObjectNode> edit) throws IOException {
        Path d = Files.createDirectories(tmp.resolve(name));
        try (var files = Files.list(Path.of(dir(from)))) {
            for (Path f : (Iterable<Path>) files::iterator) Files.copy(f, d.resolve(f.getFileName()));
        }
        if (edit != null) {
            ObjectNode c = (ObjectNode) GoldenFiles.JSON.readTree(d.resolve("config.json").toFile());
            edit.accept(c);
            Files.writeString(d.resolve("config.json"), c.toPrettyString());
        }
        return d;
    }

    /** Exit code 2 and exactly one line, the error, on standard error; nothing on standard output. */
    private static String oneError(CliRunner.Result r) {
        assertEquals(2, r.code(), r.out() + r.err());
        List<String> lines = r.err().strip().lines().toList();
        assertEquals(1, lines.size(), r.err());
        assertTrue(lines.get(0).startsWith("lrp: error: "), r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
        assertEquals("", r.out());
        return lines.get(0);
    }

    private static CliRunner.Result explain(Path model) { return CliRunner.run("explain", "--model", model.toString(), "Hello"); }

    @Test
    void aMissingShardIsNamed() throws IOException {
        Path d = copy("llama_small", "sharded", null);
        Map<String, Tensor> all = SafeTensors.open(d.resolve("model.safetensors")).getAll();
        Map<String, Tensor> a = new TreeMap<>(), b = new TreeMap<>();
        ObjectNode index = GoldenFiles.JSON.createObjectNode();
        ObjectNode map = index.putObject("weight_map");
        for (var e : all.entrySet()) {
            boolean first = e.getKey().contains("embed") || e.getKey().contains("layers.0.");
            (first ? a : b).put(e.getKey(), e.getValue());
            map.put(e.getKey(), first ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
        }
        Files.delete(d.resolve("model.safetensors"));
        SafeTensors.write(d.resolve("model-00001-of-00002.safetensors"), a, Map.of());
        SafeTensors.write(d.resolve("model-00002-of-00002.safetensors"), b, Map.of());
        Files.writeString(d.resolve("model.safetensors.index.json"), index.toPrettyString());
        CliRunner.Result ok = CliRunner.run("explain", "--model", d.toString(), "--format", "json", "Hello");
        assertEquals(0, ok.code(), ok.err());   // the sharded copy works before a shard goes missing
        Files.delete(d.resolve("model-00002-of-00002.safetensors"));
        Path moved = Files.createDirectories(tmp.resolve("sharded-missing"));
        try (var files = Files.list(d)) {     // a new path: the CLI caches models by path within one JVM
            for (Path f : (Iterable<Path>) files::iterator) Files.copy(f, moved.resolve(f.getFileName()));
        }
        String e = oneError(explain(moved));
        assertTrue(e.contains("names shard model-00002-of-00002.safetensors, which is missing"), e);
        assertTrue(oneError(CliRunner.run("info", "--model", moved.toString())).contains("model-00002-of-00002.safetensors"));
    }

    @Test
    void anUnknownRopeScalingIsRefused() throws IOException {
        Path d = copy("llama_small", "rope", c -> c.putObject("rope_scaling").put("rope_type", "yarn").put("factor", 4.0));
        String e = oneError(explain(d));
        assertTrue(e.contains("rope_scaling of unknown kind 'yarn'") && e.contains("config.json"), e);
    }

    @Test
    void keyValueHeadsThatDoNotDivideTheHeadsAreRefused() throws IOException {
        Path d = copy("llama_small", "gqa", c -> c.put("num_key_value_heads", 3));
        String e = oneError(CliRunner.run("explain", "--model", d.toString(), "--generate", "2", "Hello"));
        assertTrue(e.contains("num_key_value_heads 3 does not divide num_attention_heads 4"), e);
    }

    @Test
    void aTokenizerWithoutTheConfiguredBosIsRefused() throws IOException {
        Path d = copy("llama_small", "bos", c -> c.put("bos_token_id", 40000));
        String e = oneError(explain(d));
        assertTrue(e.contains("bos_token_id 40000 is not a token of") && e.contains("tokenizer.json"), e);
        Path d2 = copy("llama_small", "bos2", null);
        Files.writeString(d2.resolve("tokenizer_config.json"), Files.readString(d2.resolve("tokenizer_config.json"))
                .replace("\"bos_token\": \"<s>\"", "\"bos_token\": \"<BOS>\""));
        String e2 = oneError(CliRunner.run("info", "--model", d2.toString()));
        assertTrue(e2.contains("names bos_token '<BOS>'"), e2);
    }

    @Test
    void anOversizedTokenizerOrConfigIsRefusedUnread() throws IOException {
        Path d = copy("gpt2_small", "huge-tokenizer", null);
        try (var f = new java.io.RandomAccessFile(d.resolve("tokenizer.json").toFile(), "rw")) { f.setLength(300L << 20); } // sparse
        String e = oneError(explain(d));
        assertTrue(e.contains("tokenizer.json: tokenizer is 314572800 bytes, more than the limit of 268435456 bytes"), e);
        Path c = copy("llama_small", "huge-config", null);
        try (var f = new java.io.RandomAccessFile(c.resolve("config.json").toFile(), "rw")) { f.setLength(1L << 30); }
        assertTrue(oneError(explain(c)).contains("config.json"));
    }

    @Test
    void decoderOnlyOptionsAreRefusedElsewhere() throws Exception {
        String e = oneError(CliRunner.run("explain", "--generate", "2", "a charming film"));
        assertTrue(e.contains("--generate needs a decoder language model") && e.contains("gpt2"), e);
        assertTrue(oneError(CliRunner.run("explain", "--model", dir("gpt2_small"), "--generate", "0", "Hello"))
                .contains("--generate must be >= 1"));
        assertTrue(oneError(CliRunner.run("explain", "--model", dir("gpt2_small"), "--long", "window", "Hello"))
                .contains("apply to encoder models"));
        assertTrue(oneError(CliRunner.run("explain", "--model", dir("gpt2_small"), "--generate", "2", "--target", "5", "Hello"))
                .contains("exclude each other"));
        Path data = Path.of(DecoderCliTest.class.getResource("/data/stsa_dev_head50.txt").toURI());
        String ev = oneError(CliRunner.run("evaluate", "--model", dir("gpt2_small"), "--data", data.toString(), "--limit", "2",
                "-o", tmp.resolve("ev").toString()));
        assertTrue(ev.contains("gpt2_small is a gpt2 decoder language model"), ev);
    }

    private static void writeF16(Path file, Map<String, Tensor> tensors) throws IOException {
        Map<String, Object> header = new java.util.LinkedHashMap<>();
        long off = 0;
        for (var e : tensors.entrySet()) {
            long n = e.getValue().data.length * 2L;
            header.put(e.getKey(), Map.of("dtype", "F16", "shape", e.getValue().shape(), "data_offsets", new long[] {off, off + n}));
            off += n;
        }
        byte[] h = GoldenFiles.JSON.writeValueAsBytes(header);
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(8 + h.length + (int) off).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        buf.putLong(h.length).put(h);
        for (Tensor t : tensors.values()) for (float x : t.data) buf.putShort(toF16(x));
        Files.write(file, buf.array());
    }

    /** binary16 bits of a float, the mantissa truncated, values below the normal range as zero (enough for a dtype check). */
    private static short toF16(float x) {
        int b = Float.floatToRawIntBits(x), sign = (b >>> 16) & 0x8000, exp = ((b >>> 23) & 0xff) - 127 + 15;
        if (exp <= 0) return (short) sign;
        if (exp >= 31) return (short) (sign | 0x7bff);
        return (short) (sign | (exp << 10) | ((b & 0x7fffff) >>> 13));
    }
}
