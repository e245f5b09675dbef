package io.lrp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher {@code ./lrp} as a user runs it (on the test classes, through LRP_CLASSPATH):
 * UTF-8 arguments and output under a C locale, a closed or full standard output.
 */
class LauncherTest {
    @TempDir Path tmp;

    record Run(int code, String out, String err) {}

    /** Runs a bash command line with ./lrp on the test class path, in the C locale unless env says otherwise. */
    static Run bash(String commandLine, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", commandLine);
        pb.directory(new File(System.getProperty("basedir", ".")));
        pb.environment().put("LRP_CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().put("LC_ALL", "C");
        pb.environment().put("LANG", "C");
        pb.environment().remove("LC_CTYPE");
        pb.environment().putAll(env);
        Path out = Files.createTempFile("lrp-launcher", ".out"), err = Files.createTempFile("lrp-launcher", ".err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        int code = pb.start().waitFor();
        Run r = new Run(code, Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        Files.delete(out);
        Files.delete(err);
        return r;
    }

    static String model() throws Exception { return BadInputCliTest.golden().toString(); }

    @Test
    void utf8ArgumentsAndOutputUnderTheCLocale() throws Exception {
        String text = "tr\u00e8s r\u00e9ussi \u2014 na\u00efve caf\u00e9";
        Run r = bash("./lrp explain --model " + model() + " --format json '" + text + "'", Map.of());
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(text, j.get("text").asText(), "the argument was mangled on its way in or out");
        assertTrue(r.out().contains(text), "stdout is not UTF-8: " + r.out());

        // the text view (no JSON escapes): every non-ASCII character arrives as UTF-8
        Run t = bash("NO_COLOR=1 ./lrp explain --model " + model() + " '" + text + "'", Map.of());
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("tr\u00e8s") && t.out().contains("caf\u00e9") && !t.out().contains("?"), t.out());
    }

    /** Heat maps wrap to lrp.columns; the launcher sets it only for a terminal, so a pipe gets one line even with COLUMNS set. */
    @Test
    void heatLinesWrapToTheGivenWidthOnly() throws Exception {
        String text = "the film is a charming, funny delight and a wonderful surprise";
        Run piped = bash("NO_COLOR=1 COLUMNS=40 ./lrp explain --model " + model() + " '" + text + "' | cat", Map.of());
        assertEquals(0, piped.code(), piped.err());
        assertTrue(piped.out().contains("\ntext: " + text + "\n") || piped.out().startsWith("text: " + text + "\n"), piped.out());
        Run narrow = bash("NO_COLOR=1 LRP_JAVA_OPTS=-Dlrp.columns=40 ./lrp explain --model " + model() + " '" + text + "' | cat", Map.of());
        assertEquals(0, narrow.code(), narrow.err());
        String[] lines = narrow.out().split("\n");
        int heat = 0;
        for (String l : lines) {
            assertTrue(l.length() <= 40 || l.startsWith("sum R") || l.startsWith("prediction") || l.startsWith("legend"), l);
            if (l.matches("(\\S+\\[[+-][0-9.]+\\] ?)+")) heat++;
        }
        assertTrue(heat >= 3, "the heat line is wrapped over several lines: " + narrow.out());
        assertTrue(narrow.out().contains("text: the film is a charming, funny\ndelight and a wonderful surprise\n"), narrow.out());
    }

    @Test
    void errorsNamingNonAsciiFilesAreUtf8OnStderr() throws Exception {
        Path missing = tmp.resolve("donn\u00e9es.txt");
        Run r = bash("./lrp explain --model " + model() + " --file '" + missing + "'", Map.of());
        assertEquals(2, r.code(), r.err());
        assertEquals("lrp: error: text file not found: " + missing, r.err().strip());
    }

    @Test
    void closedStdoutIsAClearErrorAndOutStillWorks() throws Exception {
        Run r = bash("./lrp explain --model " + model() + " 'a fine film' >&-", Map.of());
        assertEquals(2, r.code(), r.err());
        assertEquals("lrp: error: cannot write standard output: it is closed (use --out FILE, or do not close stdout)", lastLine(r.err()));

        Path out = tmp.resolve("r.json");
        Run ok = bash("./lrp explain --model " + model() + " --format json --out '" + out + "' 'a fine film' >&-", Map.of());
        assertEquals(0, ok.code(), ok.err());
        assertTrue(Files.readString(out).contains("\"relevance\""));
    }

    @Test
    void runningOutOfHeapIsOneLine() throws Exception {
        // llama-tiny (33 MB of F32 weights) and its 512-token activations need more than 48 MB of heap
        Run r = bash("./lrp bench --model llama-tiny --seq 512 --runs 1 --warmup 0", Map.of("LRP_JAVA_OPTS", "-Xmx48m"));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("lrp: error: out of memory (Java heap "), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertEquals("", r.out());
    }

    @Test
    void fullStdoutIsAnError() throws Exception {
        Run r = bash("./lrp explain --model " + model() + " 'a fine film' >/dev/full", Map.of());
        assertEquals(2, r.code(), r.err());
        assertEquals("lrp: error: cannot write standard output: No space left on device", lastLine(r.err()));
    }

    @Test
    void evaluateSummaryToAFullStdoutIsAnError() throws Exception {
        Path data = Files.writeString(tmp.resolve("d.tsv"), "sentence\tlabel\na charming film\t1\na dull film\t0\n");
        List<String> cmd = new ArrayList<>(List.of("./lrp", "evaluate", "--model", model(), "--data", data.toString(),
                "--methods", "gi", "--no-plots", "--out", tmp.resolve("ev").toString()));
        Run r = bash(String.join(" ", cmd) + " >/dev/full", Map.of());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().strip().endsWith("lrp: error: cannot write standard output: No space left on device"), r.err());
    }

    /**
     * The last line of stderr: an error found after the explanation ran (writing its output) may
     * follow progress lines, which a slow (loaded) machine prints after a second.
     */
    private static String lastLine(String err) {
        String[] lines = err.strip().split("[\r\n]+");
        assertTrue(java.util.Arrays.stream(lines).filter(l -> l.startsWith("lrp:")).count() == 1, "one lrp: line: " + err);
        return lines[lines.length - 1];
    }
}
