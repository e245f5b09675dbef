package io.lrp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrp.explain.GoldenFiles;
import io.lrp.explain.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** evaluate without --methods runs the paper's 7 methods; its help counts all of them and states their cost. */
class EvaluateDefaultsTest {

    @Test
    void defaultIsThePapersMethods(@TempDir Path dir) throws Exception {
        Path data = Files.write(dir.resolve("d.txt"), List.of("1 a wonderful film", "0 a terrible bore"));
        CliRunner.Result r = CliRunner.run("evaluate", "--model", GoldenFiles.path("hf_bert_small").toString(),
                "--data", data.toString(), "--out", dir.resolve("out").toString(), "--no-plots");
        assertEquals(0, r.code(), r.err());
        List<String> keys = new ArrayList<>();
        new ObjectMapper().readTree(dir.resolve("out/summary.json").toFile()).fieldNames().forEachRemaining(keys::add);
        assertEquals(java.util.Set.of("random", "a-last", "rollout", "gae", "gi", "lrp-ah", "lrp-ah-ln"), new java.util.HashSet<>(keys));
    }

    @Test
    void helpCountsEveryMethodAndStatesItsCost() {
        CliRunner.Result r = CliRunner.run("evaluate", "--help");
        assertEquals(0, r.code());
        String h = r.out();
        String flat = h.replaceAll("\\s+", " ");
        assertTrue(flat.contains("or all (the " + Method.values().length + " below, each with its cost)"), h);
        for (Method m : Method.values()) {
            assertTrue(flat.contains(" " + m.id() + " " + io.lrp.explain.Methods.cost(m) + " " + m.description()), m.id() + " costed: " + h);
        }
        assertTrue(h.replaceAll("\\s+", " ").contains("Default: the paper's 7"), h);
    }
}
