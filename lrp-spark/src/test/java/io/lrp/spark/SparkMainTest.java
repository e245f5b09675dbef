package io.lrp.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input: one line "lrp: error: ...", exit code 2, nothing half-written. */
class SparkMainTest {
    @TempDir Path tmp;

    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        TestSpark.session();
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = SparkMain.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    static void assertBadInput(Result r, String message) {
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("lrp: error: ") && r.err().contains(message), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test void badInputIsOneLineAndExitCode2() throws Exception {
        Path csv = tmp.resolve("in.csv");
        Files.writeString(csv, "id,body\n1,a fine film\n");
        String out = tmp.resolve("out").toString();
        assertBadInput(run("explain", "--input", csv.toString(), "--methods", "lrp-ah-ln,nope", "--out", out), "unknown method");
        assertBadInput(run("explain", "--input", tmp.resolve("missing.txt").toString(), "--out", out), "input not found");
        assertBadInput(run("explain", "--input", csv.toString(), "--out", out, "--input-format", "xml"), "unknown input format");
        assertBadInput(run("explain", "--input", csv.toString(), "--model", tmp.resolve("no-model").toString(), "--out", out),
                "model not found");
        assertBadInput(run("explain", "--input", csv.toString(), "--out", out), "no text column 'text' in the input (columns: id, body)");
        Files.createDirectories(tmp.resolve("full"));
        Files.writeString(tmp.resolve("full/x"), "x");
        assertBadInput(run("explain", "--input", csv.toString(), "--text-column", "body", "--out", tmp.resolve("full").toString()),
                "is not empty");
        assertBadInput(run("evaluate", "--data", tmp.resolve("none.tsv").toString(), "--out", out), "data file not found");
        assertBadInput(run("evaluate", "--data", csv.toString(), "--out", out, "--limit", "0"), "--limit must be >= 1");
    }

    /** evaluate reads JSON Lines by named fields, labels as the model's names, as lrp evaluate does. */
    @Test void evaluateReadsNamedFields() throws Exception {
        Path jl = tmp.resolve("d.jsonl");
        Files.writeString(jl, "{\"review\":\"a fine film\",\"y\":\"positive\"}\n{\"review\":\"a dull film\",\"y\":\"negative\"}\n");
        assertBadInput(run("evaluate", "--data", jl.toString(), "--methods", "random", "--out", tmp.resolve("a").toString()),
                "d.jsonl:1: no 'text' or 'sentence' field (name the text's field with --text-field)");
        Result r = run("evaluate", "--data", jl.toString(), "--text-field", "review", "--label-field", "y", "--methods", "random",
                "--no-plots", "--out", tmp.resolve("b").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("| random |") && l.endsWith("| 2 |")), r.out());
        String samples = String.join("", Files.readAllLines(tmp.resolve("b/summary.json")));
        assertTrue(samples.contains("\"random\""), samples);
    }

    @Test void helpListsTheCommands() {
        Result r = run("--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("explain") && r.out().contains("evaluate") && r.out().contains("summary"), r.out());
    }
}
