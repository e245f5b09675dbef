package io.lrp.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrp.cli.Main;
import io.lrp.explain.Explanation;
import io.lrp.viz.JsonLines;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jobs on local[2] against the plain CLI on the same inputs: ExplainJob over SST-2 dev (872
 * sentences) against {@code lrp explain --file}, EvaluateJob's summary.json against
 * {@code lrp evaluate}'s on the first 200 sentences.
 */
class ParityTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path tmp;

    static String[] run(boolean spark, String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = spark ? SparkMain.run(args, new PrintWriter(out), new PrintWriter(err))
                : Main.run(args, new PrintWriter(out), new PrintWriter(err));
        assertEquals(0, code, String.join(" ", args) + "\n" + err);
        return new String[] {out.toString(), err.toString()};
    }

    @Test void explainJobEqualsTheCliOnSst2Dev() throws Exception {
        List<String> sentences = new ArrayList<>();
        for (String l : Files.readAllLines(TestSpark.stsaDev())) sentences.add(l.substring(2)); // "0 " / "1 " label prefix
        assertEquals(872, sentences.size());
        Path txt = tmp.resolve("dev.txt");
        Files.write(txt, sentences);
        String methods = "lrp-ah-ln,gi";

        Path cli = tmp.resolve("cli.jsonl");
        run(false, "explain", "--model", "minilm-sst2", "--method", methods, "--format", "jsonl", "--file", txt.toString(), "--out", cli.toString());
        List<String> cliLines = Files.readAllLines(cli);
        assertEquals(2 * 872, cliLines.size());

        TestSpark.session();
        Path out = tmp.resolve("spark");
        run(true, "explain", "--model", "minilm-sst2", "--methods", methods, "--input", txt.toString(), "--input-format", "text",
                "--out", out.toString(), "--out-format", "jsonl", "--master", TestSpark.MASTER);
        Map<String, Explanation> spark = new HashMap<>();
        for (String l : TestSpark.partLines(out.resolve("explanations"))) {
            JsonNode n = JSON.readTree(l);
            assertTrue(n.get("error").isNull(), l);
            String key = n.get("line").asLong() + "/" + n.get("method").asText();
            assertEquals(null, spark.put(key, JsonLines.fromJson(l)), "one row per line and method: " + key);
        }
        assertEquals(2 * 872, spark.size());

        double worst = 0;
        Iterator<String> it = cliLines.iterator();
        for (int i = 0; i < 872; i++) {
            for (String method : methods.split(",")) {
                Explanation c = JsonLines.fromJson(it.next()), s = spark.get((i + 1) + "/" + method);
                assertEquals(method, c.method());
                assertEquals(c.text(), s.text());
                assertArrayEquals(c.tokens(), s.tokens(), "line " + (i + 1));
                assertArrayEquals(c.ids(), s.ids());
                assertEquals(c.label(), s.label(), "line " + (i + 1));
                double scale = 0;
                for (double v : c.relevance()) scale = Math.max(scale, Math.abs(v));
                for (int t = 0; t < c.relevance().length; t++) {
                    double d = Math.abs(c.relevance()[t] - s.relevance()[t]) / scale;
                    worst = Math.max(worst, d);
                    assertTrue(d <= 1e-5, "line " + (i + 1) + " " + method + " token " + t + ": " + c.relevance()[t] + " vs " + s.relevance()[t]);
                }
            }
        }
        System.out.printf("explain parity: 872 sentences x 2 methods, largest relevance difference %.3g of max|R|%n", worst);

        String md = Files.readString(out.resolve("words.md"));
        assertTrue(md.contains("## lrp-ah-ln, predicted positive") && md.contains("## gi, predicted negative"), md);
    }

    @Test void evaluateJobSummaryEqualsTheCli() throws Exception {
        String data = TestSpark.stsaDev().toString(), methods = "lrp-ah-ln,gi,random";
        Path cli = tmp.resolve("cli"), spark = tmp.resolve("spark");
        run(false, "evaluate", "--model", "minilm-sst2", "--data", data, "--methods", methods, "--limit", "200",
                "--no-plots", "--out", cli.toString());
        TestSpark.session();
        run(true, "evaluate", "--model", "minilm-sst2", "--data", data, "--methods", methods, "--limit", "200",
                "--no-plots", "--out", spark.toString(), "--master", TestSpark.MASTER);
        JsonNode a = JSON.readTree(cli.resolve("summary.json").toFile()), b = JSON.readTree(spark.resolve("summary.json").toFile());
        assertEquals(List.of(methods.split(",")), fieldNames(a));
        assertEquals(fieldNames(a), fieldNames(b));
        double[] worst = {0};
        compare(a, b, "", worst);
        System.out.printf("evaluate parity: 200 sentences x 3 methods, largest summary.json difference %.3g%n", worst[0]);
        assertEquals(200, TestSpark.partLines(spark.resolve("samples")).size() / 3);
        // the intervals are there and are the local ones (compared above, within 1e-6)
        assertEquals(2000, b.get("gi").get("bootstrap").get("resamples").asInt());
        assertTrue(b.get("lrp-ah-ln").get("auac_diff").has("random"), b.get("lrp-ah-ln").toString());
        assertEquals(Files.readString(cli.resolve("summary.md")), Files.readString(spark.resolve("summary.md")));
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** Same structure; numbers within 1e-6. */
    private static void compare(JsonNode a, JsonNode b, String path, double[] worst) {
        if (a.isNumber()) {
            assertTrue(b.isNumber(), path);
            double d = Math.abs(a.doubleValue() - b.doubleValue());
            worst[0] = Math.max(worst[0], d);
            assertTrue(d <= 1e-6, path + ": " + a + " vs " + b);
        } else if (a.isObject()) {
            assertEquals(fieldNames(a), fieldNames(b), path);
            for (String f : fieldNames(a)) compare(a.get(f), b.get(f), path + "." + f, worst);
        } else if (a.isArray()) {
            assertEquals(a.size(), b.size(), path);
            for (int i = 0; i < a.size(); i++) compare(a.get(i), b.get(i), path + "[" + i + "]", worst);
        } else {
            assertEquals(a, b, path);
        }
    }
}
