package io.lrp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** lrp similar: exactly two texts or --pairs; the cosine shown as the similarity in every view. */
class SimilarCliTest {
    static final String A = "a cat sits on the mat", B = "a kitten rests on a rug";

    private static double textSimilarity() {
        CliRunner.Result r = CliRunner.run("similar", A, B);
        assertEquals(0, r.code(), r.err());
        Matcher m = Pattern.compile("cosine similarity ([0-9.]+)").matcher(r.out());
        assertTrue(m.find(), r.out());
        return Double.parseDouble(m.group(1));
    }

    @Test
    void everyViewShowsTheCosine() throws Exception {
        double s = textSimilarity();
        assertTrue(s > 0.3 && s < 0.95, "related sentences: " + s);
        CliRunner.Result json = CliRunner.run("similar", "--format", "json", A, B);
        assertEquals(0, json.code(), json.err());
        List<String> lines = json.out().lines().toList();
        assertEquals(2, lines.size());
        for (String l : lines) {
            JsonNode n = new ObjectMapper().readTree(l);
            assertEquals(s, n.get("similarity").asDouble(), 5e-5, l);
            assertEquals(n.get("logits").get(0).asDouble(), n.get("similarity").asDouble(), 0);
        }
        CliRunner.Result html = CliRunner.run("similar", "--format", "html", A, B);
        assertEquals(0, html.code(), html.err());
        String v = String.format(java.util.Locale.ROOT, "%.4f", s);
        assertTrue(html.out().contains("similarity: <b>" + v + "</b>"), "the page shows " + v);
        assertFalse(html.out().contains("1.0000"), "no softmax of a single score");
    }

    @Test
    void exactlyTwoTexts() {
        for (List<String> args : List.of(List.of("a"), List.of("a", "b", "c"), List.of("a", "b", "c", "d"))) {
            String[] a = new String[args.size() + 1];
            a[0] = "similar";
            for (int i = 0; i < args.size(); i++) a[i + 1] = args.get(i);
            CliRunner.Result r = CliRunner.run(a);
            assertEquals(2, r.code(), args + ": " + r.out());
            assertTrue(r.err().startsWith("lrp: error: similar compares exactly two texts, got " + args.size()), r.err());
        }
    }

    @Test
    void pairsFile(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("pairs.tsv"), A + "\t" + B + "\nthe same\tthe same\n");
        CliRunner.Result r = CliRunner.run("similar", "--pairs", f.toString(), "--format", "json");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(4, lines.size());
        assertEquals(1.0, new ObjectMapper().readTree(lines.get(3)).get("similarity").asDouble(), 1e-5);
        Path bad = Files.writeString(dir.resolve("bad.tsv"), "only one text\n");
        CliRunner.Result e = CliRunner.run("similar", "--pairs", bad.toString());
        assertEquals(2, e.code());
        assertTrue(e.err().contains("bad.tsv:1: expected two non-empty texts"), e.err());
    }
}
