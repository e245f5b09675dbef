package io.lrp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --long on the command line, with the 128-token hf_bert_small. */
class LongCliTest {
    static final ObjectMapper JSON = new ObjectMapper();
    // 200 words of one token each: 202 tokens, 200 content tokens, windows of 126 every 63: [0,126), [63,189), [126,200)
    static final String TEXT = String.join(" ", Collections.nCopies(100, "good film"));

    @Test
    void windowExplainsTheWholeDocumentAndConserves() throws Exception {
        String model = BadInputCliTest.golden().toString();
        CliRunner.Result r = CliRunner.run("explain", "--model", model, "--long", "window", "--format", "json", TEXT);
        assertEquals(0, r.code(), r.err());
        JsonNode line = JSON.readTree(r.out().strip());
        assertEquals(202, line.get("relevance").size());
        assertEquals("[SEP]", line.get("tokens").get(201).asText());
        JsonNode c = line.get("conservation");
        double logit = c.get("logit").asDouble();
        assertEquals(logit, c.get("sum").asDouble() + c.get("bias").asDouble(), 1e-5 * Math.max(1, Math.abs(logit)));
        assertEquals(line.get("logits").get(line.get("target").asInt()).asDouble(), logit, 0);
    }

    @Test
    void truncateNoticesAndEvaluateRefusesWindows(@TempDir Path tmp) throws Exception {
        String model = BadInputCliTest.golden().toString();
        CliRunner.Result r = CliRunner.run("explain", "--model", model, "--long", "truncate", "--format", "json", TEXT);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("input of 202 tokens cut to the model's 128: 74 tokens (37%) dropped"), r.err());
        assertEquals(128, JSON.readTree(r.out().strip()).get("relevance").size());

        Path data = Files.writeString(tmp.resolve("d.txt"), "1 " + TEXT + "\n0 a dull film .\n");
        BadInputCliTest.assertBadInput(CliRunner.run("evaluate", "--model", model, "--data", data.toString(), "--long", "window",
                "--out", tmp.resolve("o").toString()), "evaluate supports --long truncate only");
        BadInputCliTest.assertBadInput(CliRunner.run("explain", "--model", model, "--long", "sideways", TEXT), "unknown --long 'sideways'");
        BadInputCliTest.assertBadInput(CliRunner.run("explain", "--model", model, "--stride", "10", TEXT), "--stride needs --long window");
        CliRunner.Result ev = CliRunner.run("evaluate", "--model", model, "--data", data.toString(), "--long", "truncate",
                "--methods", "lrp-ah-ln", "--no-plots", "--out", tmp.resolve("e").toString());
        assertEquals(0, ev.code(), ev.err());
        assertTrue(ev.err().contains("1 of 2 examples exceed the model's 128 tokens and are cut: 74 of"), ev.err());
    }

    /** Without --long, evaluate refuses an over-long example before it computes anything, naming its line. */
    @Test
    void evaluateRefusesOverLongExamplesUpFront(@TempDir Path tmp) throws Exception {
        String model = BadInputCliTest.golden().toString();
        Path data = Files.writeString(tmp.resolve("d.txt"), "0 a dull film .\n0 flat .\n1 " + TEXT + "\n1 " + TEXT + "\n");
        Path out = tmp.resolve("o");
        CliRunner.Result r = CliRunner.run("evaluate", "--model", model, "--data", data.toString(),
                "--methods", "gi", "--no-plots", "--out", out.toString());
        assertEquals(2, r.code(), r.err());
        String last = r.err().strip().lines().reduce((a, b) -> b).orElse("");
        assertEquals("lrp: error: " + data + ":3: input of 202 tokens exceeds the limit of model hf_bert_small (128 tokens), and so do 1 more"
                + " of the 4 examples; pass --long truncate (cut them, as the paper does on IMDB)", last);
        assertTrue(!Files.exists(out.resolve("samples.jsonl")) || Files.size(out.resolve("samples.jsonl")) == 0, "nothing computed");
    }
}
