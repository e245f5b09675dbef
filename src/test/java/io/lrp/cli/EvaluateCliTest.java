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
}
