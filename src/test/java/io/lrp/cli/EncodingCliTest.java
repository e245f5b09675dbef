package io.lrp.cli;

import static io.lrp.cli.BadInputCliTest.assertBadInput;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12, item 2: invalid UTF-8, --encoding latin-1, byte-order marks and CR-only files through the CLI. */
class EncodingCliTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path tmp;

    static byte[] bytes(Object... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (Object p : parts) {
            if (p instanceof String s) b.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            else b.write((Integer) p);
        }
        return b.toByteArray();
    }

    static List<JsonNode> jsonLines(String out) throws Exception {
        List<JsonNode> r = new java.util.ArrayList<>();
        for (String l : out.strip().split("\n")) r.add(JSON.readTree(l));
        return r;
    }

    private static CliRunner.Result explainFile(String file, String... more) throws Exception {
        String[] base = {"explain", "--model", BadInputCliTest.golden().toString(), "--format", "json", "--file", file};
        return CliRunner.run(java.util.stream.Stream.concat(java.util.stream.Stream.of(base), java.util.stream.Stream.of(more)).toArray(String[]::new));
    }

    @Test
    void explainFileSkipsAnInvalidUtf8LineNamingIt() throws Exception {
        Path f = Files.write(tmp.resolve("t.txt"), bytes("a fine film\n", "caf", 0xE9, " noir\n", "a dull film\n"));
        CliRunner.Result r = explainFile(f.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("lrp: " + f + ":2: invalid UTF-8 (byte 0xE9 at column 4); for a Latin-1 file use --encoding latin-1; line skipped"), r.err());
        List<JsonNode> lines = jsonLines(r.out());
        assertEquals(List.of("a fine film", "a dull film"), lines.stream().map(j -> j.get("text").asText()).toList());
    }

    @Test
    void explainStdinSkipsAnInvalidUtf8LineToo() throws Exception {
        InputStream saved = System.in;
        CliRunner.Result r;
        System.setIn(new ByteArrayInputStream(bytes(0xEF, 0xBB, 0xBF, "a fine film\n", 0xFF, "\n", "na\u00efve\n")));
        try {
            r = explainFile("-");
        } finally {
            System.setIn(saved);
        }
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("lrp: <stdin>:2: invalid UTF-8 (byte 0xFF at column 1)"), r.err());
        assertEquals(List.of("a fine film", "na\u00efve"), jsonLines(r.out()).stream().map(j -> j.get("text").asText()).toList(),
                "the byte-order mark is not part of the first text");
    }

    @Test
    void explainFileInLatin1() throws Exception {
        Path f = Files.write(tmp.resolve("l1.txt"), bytes("caf", 0xE9, " noir\n"));
        CliRunner.Result r = explainFile(f.toString(), "--encoding", "latin-1");
        assertEquals(0, r.code(), r.err());
        assertEquals("caf\u00e9 noir", JSON.readTree(r.out()).get("text").asText());
        assertBadInput(explainFile(f.toString(), "--encoding", "ebcdic"), "unknown --encoding 'ebcdic'", "utf-8 or latin-1");
    }

    @Test
    void crOnlyFileIsAnError() throws Exception {
        Path f = Files.write(tmp.resolve("mac.txt"), bytes("a fine film\ra dull film\r"));
        assertBadInput(explainFile(f.toString()), f + ":1: carriage return without a line feed", "CR-only");
    }

    @Test
    void evaluateStopsAtAnInvalidUtf8LineAndReadsLatin1WhenTold() throws Exception {
        Path f = Files.write(tmp.resolve("d.txt"), bytes("1 a fine film\n0 caf", 0xE9, " dull\n"));
        String[] args = {"evaluate", "--model", BadInputCliTest.golden().toString(), "--data", f.toString(), "--methods", "gi",
                "--no-plots", "--out", tmp.resolve("ev").toString()};
        assertBadInput(CliRunner.run(args), f + ":2: invalid UTF-8 (byte 0xE9 at column 6)", "--encoding latin-1");
        String[] latin = java.util.Arrays.copyOf(args, args.length + 2);
        latin[args.length] = "--encoding";
        latin[args.length + 1] = "latin-1";
        CliRunner.Result ok = CliRunner.run(latin);
        assertEquals(0, ok.code(), ok.err());
        String samples = Files.readString(tmp.resolve("ev/samples.jsonl"));
        assertEquals(2, samples.lines().count());
    }
}
