package io.lrp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** explain through the CLI entry point: file mode, HTML and text outputs. */
class ExplainCliTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static String model() throws Exception { return HfBertCliParityTest.modelDir().toString(); }

    @Test
    void fileModeStreamsInInputOrderAndSkipsBadLines(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("texts.txt");
        String longLine = "word ".repeat(200);
        Files.writeString(f, "the first text\n\nthe third text is longer than the first\n" + longLine + "\nlast one\n", StandardCharsets.UTF_8);
        CliRunner.Result r = CliRunner.run("explain", "--model", model(), "--method", "gi,lrp-ah-ln", "--format", "jsonl",
                "--batch", "2", "--file", f.toString());
        assertEquals(0, r.code(), r.err());
        List<JsonNode> lines = new ArrayList<>();
        for (String l : r.out().split("\n")) if (!l.isBlank()) lines.add(JSON.readTree(l));
        List<String> expected = List.of("the first text", "the first text", "the third text is longer than the first",
                "the third text is longer than the first", "last one", "last one");
        assertEquals(expected.size(), lines.size(), r.out());
        for (int i = 0; i < lines.size(); i++) {
            assertEquals(expected.get(i), lines.get(i).get("text").asText());
            assertEquals(i % 2 == 0 ? "gi" : "lrp-ah-ln", lines.get(i).get("method").asText());
        }
        assertTrue(r.err().contains(f + ":2: empty line; line skipped"), r.err());
        assertTrue(r.err().contains(f + ":4: ") && r.err().contains("limit of 128"), r.err());
        assertTrue(r.err().contains("2 of 5 lines skipped"), r.err());
    }

    @Test
    void jsonLinesAreExplainedByTheirTextField(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("reviews.jsonl");
        Files.writeString(f, "{\"label\": 1, \"text\": \"a warm film\"}\n{\"label\": 0}\nnot json\n"
                + "{\"text\": \"a dull film\", \"body\": \"other\"}\n", StandardCharsets.UTF_8);
        CliRunner.Result r = CliRunner.run("explain", "--model", model(), "--method", "lrp-ah-ln", "--format", "jsonl", "--file", f.toString());
        assertEquals(0, r.code(), r.err());
        List<String> texts = new ArrayList<>();
        for (String l : r.out().split("\n")) if (!l.isBlank()) texts.add(JSON.readTree(l).get("text").asText());
        assertEquals(List.of("a warm film", "a dull film"), texts);
        assertTrue(r.err().contains(f + ":2: no text field 'text' (--text-field); line skipped"), r.err());
        assertTrue(r.err().contains(f + ":3: not a JSON object (--text-field text); line skipped"), r.err());
        // the field given by name; the same explanation as the text given directly
        CliRunner.Result body = CliRunner.run("explain", "--model", model(), "--method", "lrp-ah-ln", "--format", "jsonl",
                "--file", f.toString(), "--text-field", "body");
        CliRunner.Result direct = CliRunner.run("explain", "--model", model(), "--method", "lrp-ah-ln", "--format", "jsonl", "other");
        assertEquals(0, body.code(), body.err());
        JsonNode a = JSON.readTree(body.out().strip()), b = JSON.readTree(direct.out().strip());
        assertEquals(b.get("relevance"), a.get("relevance"));
        assertEquals("other", a.get("text").asText());
        CliRunner.Result noFile = CliRunner.run("explain", "--model", model(), "--text-field", "text", "hello");
        assertEquals(2, noFile.code());
        assertEquals("lrp: error: --text-field reads --file: give --file FILE.jsonl", noFile.err().strip());
    }

    @Test
    void fileModeMissingFileIsAnError(@TempDir Path dir) throws Exception {
        CliRunner.Result r = CliRunner.run("explain", "--model", model(), "--file", dir.resolve("nope.txt").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("lrp: error: text file not found"), r.err());
    }

    @Test
    void htmlOutputIsSelfContainedAndCarriesTheNumbers(@TempDir Path dir) throws Exception {
        Path html = dir.resolve("r.html");
        String text = "A <b>bold</b> & \"quoted\" claim, never again.";
        CliRunner.Result r = CliRunner.run("explain", "--model", model(), "--method", "lrp-ah-ln,gi,rollout", "--format", "html",
                "--out", html.toString(), text);
        assertEquals(0, r.code(), r.err());
        CliRunner.Result json = CliRunner.run("explain", "--model", model(), "--method", "lrp-ah-ln,gi,rollout", "--format", "json", text);
        List<JsonNode> expected = new ArrayList<>();
        for (String l : json.out().split("\n")) if (!l.isBlank()) expected.add(JSON.readTree(l));

        Document doc = Jsoup.parse(html.toFile(), "UTF-8");
        assertTrue(doc.select("script[src], link[href], img[src], iframe").isEmpty(), "no external resources");
        assertFalse(doc.html().contains("http://") || doc.html().contains("https://"), "no network addresses");
        assertTrue(doc.text().contains(text), "input text shown as text, escaped");
        assertTrue(doc.select("b").stream().noneMatch(b -> b.text().equals("bold")), "input markup not interpreted");
        var methods = doc.select("div.method");
        assertEquals(3, methods.size());
        for (int m = 0; m < 3; m++) {
            Element div = methods.get(m);
            JsonNode e = expected.get(m);
            assertEquals(e.get("method").asText(), div.attr("data-method"));
            var spans = div.select("span.t");
            assertEquals(e.get("relevance").size(), spans.size(), "one span per token");
            for (int i = 0; i < spans.size(); i++) {
                assertEquals(e.get("relevance").get(i).asDouble(), Double.parseDouble(spans.get(i).attr("data-r")),
                        1e-12 * Math.max(1, Math.abs(e.get("relevance").get(i).asDouble())));
            }
            double wordSum = 0;
            for (Element w : div.select("span.w")) wordSum += Double.parseDouble(w.attr("data-r"));
            double tokenSum = 0;
            for (int i = 1; i < spans.size() - 1; i++) tokenSum += e.get("relevance").get(i).asDouble();
            assertEquals(tokenSum, wordSum, 1e-9 * Math.max(1, Math.abs(tokenSum)), "words sum their sub-tokens, specials hidden");
        }
    }

    @Test
    void textOutputToFileHasNoEscapesAndShowsValues(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("r.txt");
        CliRunner.Result r = CliRunner.run("explain", "--model", model(), "--out", out.toString(), "Never again, thanks.");
        assertEquals(0, r.code(), r.err());
        String s = Files.readString(out);
        assertFalse(s.contains("\u001b["), "no colour escapes in a file");
        assertTrue(s.contains("positive"), s);
        assertTrue(s.matches("(?s).*Never\\[[+-]\\d.*"), s);
        assertTrue(s.contains("sum R + bias = ") && s.contains("(conserved)"), s);
    }

    /** --ids explains a given id sequence: the golden gi line of the first text, reproduced from its ids. */
    @Test
    void idsReproduceTheGoldenRelevance() throws Exception {
        JsonNode g = HfBertCliParityTest.golden().get(0);
        StringBuilder ids = new StringBuilder();
        for (JsonNode id : g.get("ids")) ids.append(ids.length() == 0 ? "" : ",").append(id.asInt());
        CliRunner.Result r = CliRunner.run("explain", "--model", model(), "--method", g.get("method").asText(),
                "--format", "json", "--ids", ids.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode o = JSON.readTree(r.out().trim());
        assertEquals(g.get("tokens"), o.get("tokens"));
        assertEquals("never again , thanks .", o.get("text").asText(), "the tokens without [CLS]/[SEP], as a text");
        HfBertCliParityTest.compare(g.get("method").asText(), withText(g, o.get("text").asText()), o);
    }

    private static JsonNode withText(JsonNode g, String text) {
        var copy = (com.fasterxml.jackson.databind.node.ObjectNode) g.deepCopy();
        copy.put("text", text);
        return copy;
    }

    /**
     * --ids shows what explaining the text shows: the word view hides [CLS] and [SEP] (no literal
     * "[CLS]" in front, nothing dropped), "##" pieces are merged into their word, and the token
     * view shows both special tokens.
     */
    @Test
    void idsViewsTreatSpecialTokensAsTheTextViewsDo(@TempDir Path dir) throws Exception {
        String text = "the waiter seemed rather grumpy";
        // the ids of [CLS] the waiter seemed rather gr ##ump ##y [SEP] in the test model's vocabulary
        CliRunner.Result enc = CliRunner.run("explain", "--model", model(), "--format", "json", text);
        assertEquals(0, enc.code(), enc.err());
        JsonNode fromText = JSON.readTree(enc.out().trim());
        assertEquals(List.of("[CLS]", "the", "waiter", "seemed", "rather", "gr", "##ump", "##y", "[SEP]"),
                JSON.convertValue(fromText.get("tokens"), List.class));
        StringBuilder ids = new StringBuilder();
        for (JsonNode id : fromText.get("ids")) ids.append(ids.length() == 0 ? "" : ",").append(id.asInt());
        for (boolean tokenView : new boolean[] {false, true}) {
            Path a = dir.resolve("text" + tokenView + ".txt"), b = dir.resolve("ids" + tokenView + ".txt");
            List<String> common = tokenView ? List.of("--tokens") : List.of();
            List<String> argsA = new ArrayList<>(List.of("explain", "--model", model(), "--out", a.toString()));
            argsA.addAll(common);
            argsA.add(text);
            List<String> argsB = new ArrayList<>(List.of("explain", "--model", model(), "--out", b.toString(), "--ids", ids.toString()));
            argsB.addAll(common);
            assertEquals(0, CliRunner.run(argsA.toArray(String[]::new)).code());
            CliRunner.Result r = CliRunner.run(argsB.toArray(String[]::new));
            assertEquals(0, r.code(), r.err());
            String viaText = Files.readString(a), viaIds = Files.readString(b);
            assertEquals(viaText, viaIds, tokenView ? "token view" : "word view");
            if (tokenView) {
                assertTrue(viaIds.matches("(?s).*\n\\[CLS\\]\\[[+-][0-9.]+\\] the\\[.*\\[SEP\\]\\[[+-][0-9.]+\\]\n.*"), viaIds);
            } else {
                assertFalse(viaIds.contains("[CLS]") || viaIds.contains("[SEP]") || viaIds.contains("##"), viaIds);
                assertTrue(viaIds.matches("(?s).*\nthe\\[[+-][0-9.]+\\] waiter.* grumpy\\[[+-][0-9.]+\\]\n.*"), viaIds);
            }
        }
        // the JSON of --ids: offsets into that text, [0, 0] for the special tokens, as for a text
        CliRunner.Result j = CliRunner.run("explain", "--model", model(), "--format", "json", "--ids", ids.toString());
        assertEquals(0, j.code(), j.err());
        JsonNode o = JSON.readTree(j.out().trim());
        assertEquals(text, o.get("text").asText());
        assertEquals(fromText.get("offsets"), o.get("offsets"));
        assertEquals(fromText.get("relevance"), o.get("relevance"));
    }
}
