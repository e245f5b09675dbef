package io.lrp.cli;

import static io.lrp.cli.BadInputCliTest.assertBadInput;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12, item 7: runs identified by content, not by file names or by run.json alone. */
class RunIdentityTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path tmp;

    @Test
    void trainingDoesNotResumeOnAnotherFileUnderTheSameName() throws Exception {
        Path data = TrainCliTest.tinySet(tmp, "train.txt");
        String[] args = {"train", "--arch", "paper", "--data", data.toString(), "--dev", data.toString(),
                "--out", tmp.resolve("out").toString(), "--epochs", "1", "--lr", "1e-3", "--batch", "4"};
        CliRunner.Result first = CliRunner.run(args);
        assertEquals(0, first.code(), first.err());
        // the same name, the same number of lines, other texts and labels
        List<String> other = new ArrayList<>();
        for (String l : Files.readAllLines(data)) other.add((l.startsWith("1") ? "0" : "1") + l.substring(1) + " indeed");
        Files.write(data, other);
        assertBadInput(CliRunner.run(args), "training state of a different run");
    }

    private CliRunner.Result evaluate(Path data, String methods, long seed) throws Exception {
        return CliRunner.run("evaluate", "--model", BadInputCliTest.golden().toString(), "--data", data.toString(),
                "--methods", methods, "--seed", Long.toString(seed), "--no-plots", "--out", tmp.resolve("ev").toString());
    }

    @Test
    void recordsOfAnotherSeedAreRefusedAfterRunJsonIsDeleted() throws Exception {
        Path data = Files.writeString(tmp.resolve("d.tsv"), "sentence\tlabel\na charming film\t1\na dull film\t0\n");
        CliRunner.Result first = evaluate(data, "random", 0);
        assertEquals(0, first.code(), first.err());
        for (String l : Files.readAllLines(tmp.resolve("ev/samples.jsonl"))) {
            assertEquals(16, JSON.readTree(l).get("run").asText().length(), "every record names its run: " + l);
        }
        Files.delete(tmp.resolve("ev/run.json"));
        CliRunner.Result other = evaluate(data, "random", 1);
        assertEquals(2, other.code(), other.err());
        String last = other.err().strip().substring(other.err().strip().lastIndexOf('\n') + 1);
        assertTrue(last.startsWith("lrp: error: ") && last.contains("samples.jsonl:1: a record of another run")
                && last.contains("use another --out"), other.err());
        // the same run again after the deletion: resumed, nothing recomputed
        CliRunner.Result same = evaluate(data, "random", 0);
        assertEquals(0, same.code(), same.err());
        assertTrue(same.err().contains("resumed: 2 results"), same.err());
    }

    @Test
    void aRerunWithFewerMethodsKeepsEveryMethodInTheSummary() throws Exception {
        Path data = Files.writeString(tmp.resolve("d.tsv"), "sentence\tlabel\na charming film\t1\na dull film\t0\n");
        CliRunner.Result both = evaluate(data, "gi,random", 0);
        assertEquals(0, both.code(), both.err());
        JsonNode before = JSON.readTree(tmp.resolve("ev/summary.json").toFile());
        CliRunner.Result one = evaluate(data, "gi", 0);
        assertEquals(0, one.code(), one.err());
        JsonNode after = JSON.readTree(tmp.resolve("ev/summary.json").toFile());
        assertEquals(before, after, "the summary of gi and random is kept");
        assertTrue(one.out().contains("random") && one.out().contains("gi"), one.out());
    }
}
