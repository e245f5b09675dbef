package io.lrp.data;

import io.lrp.LrpException;
import io.lrp.data.Datasets.Format;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class DatasetsTest {
    @TempDir Path tmp;

    private Path write(String name, String content) throws IOException {
        return Files.writeString(tmp.resolve(name), content, StandardCharsets.UTF_8);
    }

    private Path writeBytes(String name, byte[] content) throws IOException {
        return Files.write(tmp.resolve(name), content);
    }

    private static void assertExample(Example e, String text, int label, int line) {
        assertEquals(text, e.text());
        assertEquals(label, e.label());
        assertEquals(line, e.line());
    }

    /** The read fails with an LrpException naming the file and "file:line:", and the phrase. */
    private static LrpException assertFails(Path file, Format format, int line, String phrase) {
        LrpException e = assertThrows(LrpException.class, () -> Datasets.read(file, format));
        String m = e.getMessage();
        assertTrue(m.contains(file.toString() + ":" + line + ":"), "no '" + file + ":" + line + ":' in: " + m);
        assertTrue(m.contains(phrase), "expected '" + phrase + "' in: " + m);
        return e;
    }

    // ------------------------------------------------------------------ well-formed files

    @Test
    void stsa() throws IOException {
        Path f = write("train.txt", "1 a good film\n0 bad .\n");
        List<Example> ex = Datasets.read(f, Format.STSA);
        assertEquals(2, ex.size());
        assertExample(ex.get(0), "a good film", 1, 1);
        assertExample(ex.get(1), "bad .", 0, 2);
        assertEquals(f.toString(), ex.get(0).source());
        assertEquals(ex, Datasets.read(f, null), "detected as stsa");
    }

    @Test
    void stsaSkipsBlankLinesKeepsLineNumbersAndDropsCarriageReturns() throws IOException {
        Path f = write("crlf.txt", "1 first one \r\n\r\n   \n0 second\r\n2 third class\n");
        List<Example> ex = Datasets.read(f, null);
        assertEquals(3, ex.size());
        assertExample(ex.get(0), "first one", 1, 1);
        assertExample(ex.get(1), "second", 0, 4);
        assertExample(ex.get(2), "third class", 2, 5);
    }

    @Test
    void utf8StaysUtf8() throws IOException {
        Path f = write("utf8.txt", "1 café crème – très bien\n");
        assertEquals("café crème – très bien", Datasets.read(f, null).get(0).text());
    }

    @Test
    void glueWithSentenceHeader() throws IOException {
        Path f = write("dev.tsv", "sentence\tlabel\nit 's a charming journey . \t1\nflat .\t0\n");
        List<Example> ex = Datasets.read(f, Format.GLUE);
        assertEquals(2, ex.size());
        assertExample(ex.get(0), "it 's a charming journey .", 1, 2);
        assertExample(ex.get(1), "flat .", 0, 3);
        assertEquals(ex, Datasets.read(f, null), "detected as glue");
    }

    @Test
    void glueWithTextHeaderInAnyColumnOrder() throws IOException {
        Path f = write("dev.tsv", "text\tlabel\ngreat\t1\n");
        assertExample(Datasets.read(f, null).get(0), "great", 1, 2);
        Path g = write("swapped.tsv", "idx\tLabel\tText\n0\t0\tdull and long\n1\t1\tfun\n");
        List<Example> ex = Datasets.read(g, null);
        assertExample(ex.get(0), "dull and long", 0, 2);
        assertExample(ex.get(1), "fun", 1, 3);
    }

    @Test
    void imdbJsonlWithoutBrTags() throws IOException {
        Path f = write("imdb.jsonl",
                "{\"id\": \"test/pos/1\", \"label\": 1, \"rating\": 10, \"text\": \"Great movie.<br /><br />Loved it.\"}\n"
                + "{\"text\": \"Bad.<br/>Really<br>bad.  \\tAwful.<br />\", \"label\": 0}\n");
        List<Example> ex = Datasets.read(f, Format.JSONL);
        assertEquals(2, ex.size());
        assertExample(ex.get(0), "Great movie. Loved it.", 1, 1);
        assertEquals(0, ex.get(1).label());
        assertExample(ex.get(1), "Bad. Really bad. Awful.", 0, 2);
        assertEquals(ex, Datasets.read(f, null), "detected as jsonl");
    }

    @Test
    void latin1FileWithA0x85ByteStaysOneLine() throws IOException {
        // MR's rt-polarity.all is Latin-1/cp1252: 0x85 (an ellipsis in cp1252, NEL in Latin-1) and 0xE9
        byte[] bytes = concat("1 hmmm".getBytes(StandardCharsets.US_ASCII), new byte[] {(byte) 0x85},
                "might i suggest a nap .\n0 ".getBytes(StandardCharsets.US_ASCII), new byte[] {(byte) 0xE9},
                "t".getBytes(StandardCharsets.US_ASCII), new byte[] {(byte) 0xE9}, " dull .\n".getBytes(StandardCharsets.US_ASCII));
        Path f = writeBytes("rt-polarity.all", bytes);
        // read as UTF-8 (the default), the first invalid byte stops it with its line; no silent Latin-1
        LrpException e = assertThrows(LrpException.class, () -> Datasets.read(f, null));
        assertEquals(f + ":1: invalid UTF-8 (byte 0x85 at column 7); for a Latin-1 file use --encoding latin-1", e.getMessage());
        List<Example> ex = Datasets.read(f, null, StandardCharsets.ISO_8859_1);
        assertEquals(2, ex.size(), "0x85 must not split a line");
        assertExample(ex.get(0), "hmmm\u0085might i suggest a nap .", 1, 1);
        assertExample(ex.get(1), "\u00e9t\u00e9 dull .", 0, 2);
    }

    @Test
    void invalidUtf8InTheMiddleNamesTheLine() throws IOException {
        byte[] bytes = concat("1 fine\n0 also fine\n1 caf".getBytes(StandardCharsets.US_ASCII), new byte[] {(byte) 0xE9},
                " bad\n".getBytes(StandardCharsets.US_ASCII));
        Path f = writeBytes("mixed.txt", bytes);
        LrpException e = assertThrows(LrpException.class, () -> Datasets.read(f, null));
        assertTrue(e.getMessage().startsWith(f + ":3: invalid UTF-8 (byte 0xE9 at column 6)"), e.getMessage());
    }

    @Test
    void byteOrderMarkIsAccepted() throws IOException {
        byte[] bytes = concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, "sentence\tlabel\nfine\t1\n".getBytes(StandardCharsets.UTF_8));
        Path f = writeBytes("bom.tsv", bytes);
        List<Example> ex = Datasets.read(f, null);
        assertEquals(1, ex.size());
        assertExample(ex.get(0), "fine", 1, 2);
        Path j = writeBytes("bom.jsonl", concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
                "{\"text\": \"ok\", \"label\": 0}\n".getBytes(StandardCharsets.UTF_8)));
        assertExample(Datasets.read(j, null).get(0), "ok", 0, 1);
    }

    @Test
    void crOnlyLineEndingsAreRejectedCrLfAccepted() throws IOException {
        Path cr = write("mac.txt", "1 good\r0 bad\r1 fine\r");
        LrpException e = assertThrows(LrpException.class, () -> Datasets.read(cr, null));
        assertTrue(e.getMessage().startsWith(cr + ":1: carriage return without a line feed"), e.getMessage());
        Path crlf = write("dos.txt", "1 good\r\n0 bad\r\n");
        List<Example> ex = Datasets.read(crlf, null);
        assertExample(ex.get(1), "bad", 0, 2);
    }

    @Test
    void jsonLinesLabelsAndTrailingText() throws IOException {
        assertFails(write("f.jsonl", "{\"text\": \"ok\", \"label\": 1}\n{\"text\": \"x\", \"label\": 1.7}\n"), Format.JSONL, 2,
                "label must be a non-negative integer or a label name, got 1.7");
        assertFails(write("s.jsonl", "{\"text\": \"x\", \"label\": \"1x\"}\n"), Format.JSONL, 1, "label must be a non-negative integer, got '1x'");
        assertFails(write("b.jsonl", "{\"text\": \"x\", \"label\": true}\n"), Format.JSONL, 1, "label must be a non-negative integer or a label name, got true");
        assertFails(write("n.jsonl", "{\"text\": \"x\", \"label\": -1}\n"), Format.JSONL, 1, "non-negative integer");
        assertFails(write("t.jsonl", "{\"text\": \"x\", \"label\": 1} trailing\n"), Format.JSONL, 1, "malformed JSON");
        assertFails(write("two.jsonl", "{\"text\": \"x\", \"label\": 1} {\"text\": \"y\", \"label\": 0}\n"), Format.JSONL, 1,
                "text after the JSON object");
        assertFails(write("arr.jsonl", "[1, 2]\n"), Format.JSONL, 1, "expected a JSON object");
    }

    @Test
    void symlinkLoopIsReportedAsALoop() throws IOException {
        Path a = tmp.resolve("loop-a.txt"), b = tmp.resolve("loop-b.txt");
        Files.createSymbolicLink(a, b);
        Files.createSymbolicLink(b, a);
        LrpException e = assertThrows(LrpException.class, () -> Datasets.read(a, null));
        assertEquals(a + ": data file is a loop of symbolic links", e.getMessage());
        Path dangling = tmp.resolve("dangling.txt");
        Files.createSymbolicLink(dangling, tmp.resolve("gone.txt"));
        LrpException d = assertThrows(LrpException.class, () -> Datasets.read(dangling, null));
        assertEquals(dangling + ": data file is a symbolic link to a missing file", d.getMessage());
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        byte[] out = new byte[n];
        int o = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    // ------------------------------------------------------------------ format detection

    @Test
    void formatDetection() throws IOException {
        assertEquals(Format.STSA, Datasets.detect(tmp, "\n\n3 text\n"));
        assertEquals(Format.STSA, Datasets.detect(tmp, "-1 negative labels still look like stsa\n"));
        assertEquals(Format.STSA, Datasets.detect(tmp, "0 \u0085the maudlin way its story unfolds\n")); // MR line 474
        assertEquals(Format.GLUE, Datasets.detect(tmp, "sentence\tlabel\n"));
        assertEquals(Format.JSONL, Datasets.detect(tmp, "  \n{\"text\": \"x\", \"label\": 1}\n"));
        Path f = write("notes.txt", "just some prose\n1 a film\n");
        LrpException e = assertThrows(LrpException.class, () -> Datasets.read(f, null));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("--format"), e.getMessage());
        // an explicit format overrides detection
        Path s = write("tab.txt", "1 a\tfilm\n");
        assertEquals(Format.GLUE, Datasets.detect(s, Files.readString(s)));
        assertExample(Datasets.read(s, Format.STSA).get(0), "a\tfilm", 1, 1);
    }

    @Test
    void parseFormat() {
        assertEquals(Format.STSA, Datasets.parseFormat("stsa"));
        assertEquals(Format.GLUE, Datasets.parseFormat("GLUE"));
        assertEquals(Format.JSONL, Datasets.parseFormat("jsonl"));
        assertNull(Datasets.parseFormat(null));
        LrpException e = assertThrows(LrpException.class, () -> Datasets.parseFormat("csv"));
        assertTrue(e.getMessage().contains("'csv'"), e.getMessage());
    }

    // ------------------------------------------------------------------ errors name file and line

    @Test
    void missingLabel() throws IOException {
        assertFails(write("a.txt", "1 fine\nno-label-here\n"), Format.STSA, 2, "expected 'label sentence'");
        assertFails(write("b.txt", "1 fine\n0 ok\n a sentence with a leading space\n"), Format.STSA, 3, "expected 'label sentence'");
        assertFails(write("c.tsv", "sentence\tlabel\ngood\t1\nbad\t\n"), Format.GLUE, 3, "label must be a non-negative integer, got ''");
        assertFails(write("d.jsonl", "{\"text\": \"x\", \"label\": 1}\n{\"text\": \"y\"}\n"), Format.JSONL, 2, "no 'label' field (name the label's field with --label-field); the object has the fields 'text'");
    }

    @Test
    void nonIntegerLabel() throws IOException {
        assertFails(write("a.txt", "1 fine\n\npos a good film\n"), Format.STSA, 3, "label must be a non-negative integer, got 'pos'");
        assertFails(write("b.txt", "1.5 half\n"), Format.STSA, 1, "got '1.5'");
        assertFails(write("c.txt", "-1 negative\n"), Format.STSA, 1, "got '-1'");
        assertFails(write("d.tsv", "text\tlabel\ngood\tpositive\n"), Format.GLUE, 2, "got 'positive'");
        assertFails(write("e.jsonl", "{\"text\": \"x\", \"label\": \"one\"}\n"), Format.JSONL, 1, "label must be a non-negative integer, got 'one'");
    }

    @Test
    void malformedJsonLine() throws IOException {
        Path f = write("bad.jsonl", "{\"text\": \"x\", \"label\": 1}\n\n{\"text\": \"y\", \"label\": 0\n");
        assertFails(f, null, 3, "malformed JSON");
    }

    @Test
    void tsvWithTooFewColumns() throws IOException {
        Path f = write("short.tsv", "sentence\tlabel\ngood\t1\njust a sentence without a tab\n");
        assertFails(f, null, 3, "expected 2 tab-separated columns, got 1");
    }

    @Test
    void tsvWithoutTheNeededHeader() throws IOException {
        assertFails(write("test.tsv", "index\tsentence\n0\tno labels in GLUE's test split\n"), Format.GLUE, 1, "'label' columns");
    }

    @Test
    void emptySentences() throws IOException {
        assertFails(write("a.txt", "1 ok\n0 \n"), Format.STSA, 2, "empty sentence");
        assertFails(write("b.jsonl", "{\"text\": \"<br />\", \"label\": 1}\n"), Format.JSONL, 1, "empty text");
    }

    @Test
    void missingFile() {
        Path f = tmp.resolve("nope/absent.txt");
        LrpException e = assertThrows(LrpException.class, () -> Datasets.read(f, Format.STSA));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
        LrpException dir = assertThrows(LrpException.class, () -> Datasets.read(tmp, null));
        assertTrue(dir.getMessage().contains(tmp.toString()), dir.getMessage());
    }

    // ------------------------------------------------------------------ real data

    /** The first 50 lines of SST-2's stsa.binary.dev, copied into the test resources. */
    @Test
    void sst2DevHeadFromResources() throws IOException {
        Path f = tmp.resolve("stsa_dev_head50.txt");
        try (InputStream in = DatasetsTest.class.getResourceAsStream("/data/stsa_dev_head50.txt")) {
            assertNotNull(in, "test resource data/stsa_dev_head50.txt");
            Files.copy(in, f);
        }
        List<Example> ex = Datasets.read(f, null);
        assertEquals(50, ex.size());
        assertEquals(30, ex.stream().filter(e -> e.label() == 0).count());
        assertEquals(20, ex.stream().filter(e -> e.label() == 1).count());
        assertExample(ex.get(0), "one long string of cliches .", 0, 1);
        assertExample(ex.get(49), "it 's a bit disappointing that it only manages to be decent instead of dead brilliant .", 0, 50);
    }

    /** The project's shared data sets, beside the clone (as in CI): skipped with the reason where absent, failed under CI. */
    private static Path shared(String rel) { return io.lrp.SharedFiles.require("data/" + rel); }

    @Test
    void realSst2Dev() {
        Path stsa = shared("sst2/stsa.binary.dev"), glue = shared("sst2/glue_dev.tsv");
        List<Example> a = Datasets.read(stsa, null), b = Datasets.read(glue, null);
        for (List<Example> ex : List.of(a, b)) {
            assertEquals(872, ex.size());
            assertEquals(428, ex.stream().filter(e -> e.label() == 0).count());
            assertEquals(444, ex.stream().filter(e -> e.label() == 1).count());
        }
    }

    @Test
    void realMovieReviews() {
        Path f = shared("mr/rt-polarity.all");
        List<Example> ex = Datasets.read(f, null, StandardCharsets.ISO_8859_1);
        assertEquals(10662, ex.size());
        assertEquals(5331, ex.stream().filter(e -> e.label() == 1).count());
        assertTrue(ex.stream().anyMatch(e -> e.text().indexOf('\u0085') >= 0), "0x85 decoded as U+0085");
    }

    @Test
    void realImdb() {
        Path f = shared("imdb/imdb_test_4000.jsonl");
        List<Example> ex = Datasets.read(f, null);
        assertEquals(4000, ex.size());
        assertTrue(ex.stream().noneMatch(e -> e.text().contains("<br")));
    }

    // ------------------------------------------------------------------ field names and string labels

    private static final Datasets.Fields NAMES = new Datasets.Fields(null, null, () -> List.of("negative", "positive"), "model m");

    private static LrpException assertFailsWith(Path file, Datasets.Fields fields, int line, String message) {
        LrpException e = assertThrows(LrpException.class, () -> Datasets.read(file, null, StandardCharsets.UTF_8, fields));
        assertEquals(file + ":" + line + ": " + message, e.getMessage());
        return e;
    }

    @Test
    void huggingFaceSentenceAndTextJsonLines() throws IOException {
        // what datasets' to_json writes for glue/sst2 and for imdb
        Path sst2 = write("sst2.jsonl", "{\"sentence\":\"hide new secretions \",\"label\":0,\"idx\":0}\n"
                + "{\"sentence\":\"a charming film\",\"label\":1,\"idx\":1}\n");
        List<Example> ex = Datasets.read(sst2, null);
        assertEquals(2, ex.size());
        assertExample(ex.get(0), "hide new secretions", 0, 1);
        assertExample(ex.get(1), "a charming film", 1, 2);
        Path imdb = write("imdb.jsonl", "{\"text\":\"Loved it.\",\"label\":1}\n");
        assertExample(Datasets.read(imdb, null).get(0), "Loved it.", 1, 1);
        // both keys: which one is the text is not guessed
        assertFailsWith(write("both.jsonl", "{\"text\":\"a\",\"sentence\":\"b\",\"label\":1}\n"), Datasets.Fields.DEFAULT, 1,
                "both 'text' and 'sentence' fields; choose one with --text-field");
        assertFailsWith(write("none.jsonl", "{\"text\":\"a\",\"label\":1}\n{\"review\":\"b\",\"label\":1}\n"), Datasets.Fields.DEFAULT, 2,
                "no 'text' or 'sentence' field (name the text's field with --text-field); the object has the fields 'review', 'label'");
        assertFailsWith(write("num.jsonl", "{\"text\":7,\"label\":1}\n"), Datasets.Fields.DEFAULT, 1, "'text' must be a string, got 7");
    }

    @Test
    void stringLabelsMapThroughTheLabelNames() throws IOException {
        Path f = write("named.jsonl", "{\"text\":\"great\",\"label\":\"positive\"}\n{\"text\":\"awful\",\"label\":\"Negative\"}\n"
                + "{\"text\":\"fine\",\"label\":\"1\"}\n{\"text\":\"bad\",\"label\":0}\n");
        List<Example> ex = Datasets.read(f, null, StandardCharsets.UTF_8, NAMES);
        assertEquals(List.of(1, 0, 1, 0), ex.stream().map(Example::label).toList());
        assertExample(ex.get(1), "awful", 0, 2);
        assertFailsWith(write("neutral.jsonl", "{\"text\":\"great\",\"label\":\"positive\"}\n\n{\"text\":\"meh\",\"label\":\"neutral\"}\n"), NAMES, 3,
                "unknown label 'neutral': model m has the labels negative, positive (or give their indices 0..1)");
        // no names known (a reader without a model): a name is an error, not a guess
        assertFailsWith(f, Datasets.Fields.DEFAULT, 1, "label must be a non-negative integer, got 'positive'");
        // the names are asked for only when a label is a name
        Datasets.Fields refusing = new Datasets.Fields(null, null, () -> { throw new AssertionError("names asked for"); }, "x");
        assertEquals(2, Datasets.read(write("ints.jsonl", "{\"text\":\"a\",\"label\":1}\n{\"text\":\"b\",\"label\":\"0\"}\n"),
                null, StandardCharsets.UTF_8, refusing).size());
    }

    @Test
    void namedFieldsInJsonLinesAndTsv() throws IOException {
        Datasets.Fields review = new Datasets.Fields("review", "sentiment", () -> List.of("neg", "pos"), "--labels");
        Path j = write("reviews.jsonl", "{\"review\":\"a joy\",\"sentiment\":\"pos\",\"text\":\"ignored\"}\n"
                + "{\"review\":\"a chore\",\"sentiment\":\"neg\"}\n{\"review\":\"a bore\",\"label\":\"neg\"}\n");
        assertFailsWith(j, review, 3, "no 'sentiment' field; the object has the fields 'review', 'label'");
        Path ok = write("reviews2.jsonl", "{\"review\":\"a joy\",\"sentiment\":\"pos\",\"text\":\"ignored\"}\n"
                + "{\"review\":\"a chore\",\"sentiment\":\"neg\"}\n");
        List<Example> ex = Datasets.read(ok, null, StandardCharsets.UTF_8, review);
        assertExample(ex.get(0), "a joy", 1, 1);
        assertExample(ex.get(1), "a chore", 0, 2);
        assertFailsWith(write("r3.jsonl", "{\"review\":\"so-so\",\"sentiment\":\"mixed\"}\n"), review, 1,
                "unknown label 'mixed': --labels has the labels neg, pos (or give their indices 0..1)");

        Path tsv = write("reviews.tsv", "id\tReview\tSentiment\n1\ta joy\tpos\n2\ta chore\t0\n");
        List<Example> t = Datasets.read(tsv, null, StandardCharsets.UTF_8, review);
        assertExample(t.get(0), "a joy", 1, 2);
        assertExample(t.get(1), "a chore", 0, 3);
        assertFailsWith(write("named.tsv", "sentence\tlabel\ngood\tpositive\nok\tso-so\n"), NAMES, 3,
                "unknown label 'so-so': model m has the labels negative, positive (or give their indices 0..1)");
        assertFailsWith(tsv, new Datasets.Fields("body", null, () -> null, null), 1,
                "expected a header with 'body' and 'label' columns, got 'id\tReview\tSentiment'");
        assertFailsWith(write("two.tsv", "text\tsentence\tlabel\na\tb\t1\n"), Datasets.Fields.DEFAULT, 1,
                "two text columns, 'text' and 'sentence'; choose one with --text-field");
        assertEquals("b", Datasets.read(write("two2.tsv", "text\tsentence\tlabel\na\tb\t1\n"), null, StandardCharsets.UTF_8,
                new Datasets.Fields("sentence", null, () -> null, null)).get(0).text());
        // stsa files have no fields to name
        Path stsa = write("s.txt", "1 good\n");
        LrpException e = assertThrows(LrpException.class, () -> Datasets.read(stsa, null, StandardCharsets.UTF_8, review));
        assertTrue(e.getMessage().startsWith(stsa + ": --text-field and --label-field name the fields of TSV and JSON Lines files"), e.getMessage());
    }
}
