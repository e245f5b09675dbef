package io.lrp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lrp evaluate} on the small Hugging Face BERT classifier of the golden files. */
class EvaluateCliTest {
    static String model;

    @BeforeAll
    static void setUp() throws Exception {
        model = Paths.get(EvaluateCliTest.class.getResource("/golden/hf_bert_small").toURI()).toString();
    }

    static Path stsa(Path dir, String content) throws Exception {
        Path f = dir.resolve("data.txt");
        Files.writeString(f, content);
        return f;
    }

    @Test
    void evaluatesAndResumes(@TempDir Path tmp) throws Exception {
        Path data = stsa(tmp, "1 a charming and funny film .\n0 dull , flat and far too long .\n1 never boring .\n0 a waste of time .\n1 fine .\n");
        Path out = tmp.resolve("out");
        CliRunner.Result r = CliRunner.run("evaluate", "--model", model, "--data", data.toString(), "--methods", "lrp-ah-ln,gi,random",
                "--limit", "4", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("| method | AUAC | AUAC 95% CI | AUPC | AU-MSE | n |"), r.out());
        assertEquals(5 + 3 + 5, r.out().lines().count(), r.out()); // the table, a blank line, a note, a blank line, the table of 3 pairs
        assertTrue(r.out().contains("| lrp-ah-ln |") && r.out().contains("| 4 |"), r.out());
        assertTrue(r.err().contains("evaluate ["), "progress bar: " + r.err());
        JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertEquals(4, s.get("gi").get("n").asInt());
        for (String f : new String[] {"samples.jsonl", "summary.md", "summary.csv", "curves.png", "curves.svg", "conservation.png", "conservation.svg"}) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        assertEquals(12, Files.readAllLines(out.resolve("samples.jsonl")).size());
        String summary = Files.readString(out.resolve("summary.json"));

        // the same command again: nothing to compute, the same summary
        CliRunner.Result again = CliRunner.run("evaluate", "--model", model, "--data", data.toString(), "--methods", "lrp-ah-ln,gi,random",
                "--limit", "4", "--out", out.toString());
        assertEquals(0, again.code(), again.err());
        assertTrue(again.err().contains("resumed: 12"), again.err());
        assertEquals(summary, Files.readString(out.resolve("summary.json")));
        assertEquals(r.out(), again.out());

        // a different --limit is a different run
        CliRunner.Result other = CliRunner.run("evaluate", "--model", model, "--data", data.toString(), "--methods", "gi",
                "--limit", "5", "--out", out.toString());
        assertEquals(2, other.code(), other.err());
        assertTrue(other.err().contains("other settings"), other.err());
    }

    @Test
    void badInputExitsWithTwo(@TempDir Path tmp) throws Exception {
        Path data = stsa(tmp, "1 good .\n0 bad .\n");
        String out = tmp.resolve("o").toString();
        String[][] cases = {
            {"--data", tmp.resolve("missing.txt").toString(), "--out", out},
            {"--data", data.toString(), "--methods", "nonsense", "--out", out},
            {"--data", data.toString(), "--limit", "0", "--out", out},
            {"--data", data.toString(), "--shuffle", "--out", out},
            {"--data", data.toString(), "--format", "xml", "--out", out},
            {"--data", data.toString(), "--format", "glue", "--out", out},
            {"--data", stsa(tmp, "7 a label out of range .\n").toString(), "--methods", "gi", "--out", out},
        };
        for (String[] c : cases) {
            String[] args = new String[c.length + 3];
            args[0] = "evaluate";
            args[1] = "--model";
            args[2] = model;
            System.arraycopy(c, 0, args, 3, c.length);
            CliRunner.Result r = CliRunner.run(args);
            assertEquals(2, r.code(), String.join(" ", c) + ": " + r.err());
            assertTrue(r.err().startsWith("lrp: error: "), r.err());
            assertTrue(r.err().lines().count() <= 2, "no stack trace: " + r.err());
        }
        CliRunner.Result label = CliRunner.run("evaluate", "--model", model, "--data", tmp.resolve("data.txt").toString(), "--methods", "gi", "--out", out);
        assertTrue(label.err().contains("data.txt:1") && label.err().contains("out of range"), label.err());
    }

    @Test
    void listedInHelp() {
        CliRunner.Result r = CliRunner.run("--help");
        assertTrue(r.out().contains("evaluate"), r.out());
    }

    /** A Hugging Face style JSON Lines file: named fields, labels written as the model's label names. */
    @Test
    void jsonLinesWithNamedFieldsAndStringLabels(@TempDir Path tmp) throws Exception {
        Path jsonl = tmp.resolve("reviews.jsonl");
        Files.writeString(jsonl, "{\"idx\": 0, \"review\": \"a charming and funny film .\", \"sentiment\": \"positive\"}\n"
                + "{\"idx\": 1, \"review\": \"dull , flat and far too long .\", \"sentiment\": \"NEGATIVE\"}\n");
        Path stsa = stsa(tmp, "1 a charming and funny film .\n0 dull , flat and far too long .\n");
        CliRunner.Result a = CliRunner.run("evaluate", "--model", model, "--data", jsonl.toString(), "--text-field", "review",
                "--label-field", "sentiment", "--methods", "gi", "--no-plots", "--out", tmp.resolve("a").toString());
        assertEquals(0, a.code(), a.err());
        CliRunner.Result b = CliRunner.run("evaluate", "--model", model, "--data", stsa.toString(), "--methods", "gi", "--no-plots",
                "--out", tmp.resolve("b").toString());
        assertEquals(0, b.code(), b.err());
        // the same examples with the same labels: the same samples, so the same table
        assertEquals(b.out(), a.out());
        JsonNode s = new ObjectMapper().readTree(tmp.resolve("a/summary.json").toFile());
        assertEquals(2, s.get("gi").get("n").asInt());

        // a label the model does not have: FILE:LINE, the label and the model's labels; exit 2
        Files.writeString(jsonl, "{\"review\": \"fine\", \"sentiment\": \"positive\"}\n{\"review\": \"meh\", \"sentiment\": \"neutral\"}\n");
        CliRunner.Result bad = CliRunner.run("evaluate", "--model", model, "--data", jsonl.toString(), "--text-field", "review",
                "--label-field", "sentiment", "--methods", "gi", "--out", tmp.resolve("c").toString());
        assertEquals(2, bad.code(), bad.err());
        assertEquals("lrp: error: " + jsonl + ":2: unknown label 'neutral': model hf_bert_small has the labels negative, positive"
                + " (or give their indices 0..1)", bad.err().strip());
        // without --text-field the review is not found, and the message says how to name it
        CliRunner.Result unnamed = CliRunner.run("evaluate", "--model", model, "--data", jsonl.toString(), "--methods", "gi",
                "--out", tmp.resolve("d").toString());
        assertEquals(2, unnamed.code(), unnamed.err());
        assertTrue(unnamed.err().startsWith("lrp: error: " + jsonl + ":1: no 'text' or 'sentence' field (name the text's field with --text-field)"),
                unnamed.err());
    }
}
