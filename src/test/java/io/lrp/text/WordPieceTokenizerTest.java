package io.lrp.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrp.LrpException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WordPieceTokenizerTest {

    static final String RESOURCE = "all-minilm-l6-v2-tokenizer.json";
    static WordPieceTokenizer tok;

    @BeforeAll
    static void setUp() { tok = WordPieceTokenizer.loadClasspath(RESOURCE); }

    @AfterAll
    static void tearDown() { tok.close(); }

    @Test
    void vocabularyAccessors() {
        assertEquals("classpath:" + RESOURCE, tok.source());
        assertEquals(30522, tok.vocabSize());
        assertEquals(100, tok.unkId());
        assertEquals(101, tok.clsId());
        assertEquals(102, tok.sepId());
        assertEquals(0, tok.padId());
        assertEquals("hello", tok.token(7592));
        assertEquals("##s", tok.token(2015));
        assertEquals(7592, tok.id("hello"));
        assertEquals(103, tok.id("[MASK]"));
        assertEquals(-1, tok.id("zorblaxian"));
    }

    @Test
    void noPaddingNoTruncation() {
        assertEquals(4, tok.encode("hello world").length());
        String longText = "word ".repeat(300);
        Encoding e = tok.encode(longText);
        assertEquals(302, e.length());
        assertEquals(102, e.ids()[301]);
        assertFalse(Arrays.stream(e.ids()).anyMatch(id -> id == 0), "no [PAD]");
    }

    @Test
    void batchEncodesEachTextUnpadded() {
        List<Encoding> b = tok.encodeBatch(List.of("Hello, World!", "Never again."));
        assertEquals(2, b.size());
        assertArrayEquals(new int[] {101, 7592, 1010, 2088, 999, 102}, b.get(0).ids());
        assertArrayEquals(tok.encode("Never again.").ids(), b.get(1).ids());
        assertEquals(5, b.get(1).length());
    }

    @Test
    void fromIdsUsesTheVocabulary() {
        Encoding e = tok.fromIds(new int[] {101, 7592, 100, 2088, 102, 0});
        assertArrayEquals(new String[] {"[CLS]", "hello", "[UNK]", "world", "[SEP]", "[PAD]"}, e.tokens());
        assertArrayEquals(new boolean[] {true, false, false, false, true, true}, e.special());
        for (int[] o : e.offsets()) {
            assertArrayEquals(new int[] {0, 0}, o);
        }
    }

    @Test
    void fromIdsRejectsIdsOutsideTheVocabulary() {
        LrpException high = assertThrows(LrpException.class, () -> tok.fromIds(new int[] {101, 30522}));
        assertTrue(high.getMessage().contains("30522") && high.getMessage().contains("size 30522"),
                high.getMessage());
        LrpException neg = assertThrows(LrpException.class, () -> tok.fromIds(new int[] {-1}));
        assertTrue(neg.getMessage().contains("id -1") && neg.getMessage().contains("size 30522"),
                neg.getMessage());
        assertThrows(LrpException.class, () -> tok.token(40000));
    }

    @Test
    void emptyAndWhitespaceTextAreRejected() {
        for (String t : new String[] {"", "   ", " \t\n ", "\u200b"}) {
            LrpException e = assertThrows(LrpException.class, () -> tok.encode(t), "text '" + t + "'");
            assertEquals("empty text: nothing to explain", e.getMessage());
        }
    }

    @Test
    void loadFromPathGivesSameEncodingAsClasspath(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("tokenizer.json");
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(RESOURCE)) {
            Files.copy(in, file);
        }
        try (WordPieceTokenizer t = WordPieceTokenizer.load(file)) {
            assertEquals(file.toString(), t.source());
            String text = "Café crème brûlée? 🙂 snargleflux";
            Encoding a = t.encode(text);
            Encoding b = tok.encode(text);
            assertArrayEquals(b.ids(), a.ids());
            assertArrayEquals(b.offsets(), a.offsets());
        }
    }

    @Test
    void missingFileIsNamed(@TempDir Path dir) {
        Path missing = dir.resolve("no-model").resolve("tokenizer.json");
        LrpException e = assertThrows(LrpException.class, () -> WordPieceTokenizer.load(missing));
        assertEquals("tokenizer not found: " + missing, e.getMessage());
        LrpException r = assertThrows(LrpException.class, () -> WordPieceTokenizer.loadClasspath("nope.json"));
        assertEquals("tokenizer not found: classpath:nope.json", r.getMessage());
    }

    @Test
    void malformedFileIsNamed(@TempDir Path dir) throws IOException {
        for (String content : new String[] {"{ \"model\": [1, 2", "{}", "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"a\": 0}}}"}) {
            Path bad = dir.resolve("tokenizer.json");
            Files.writeString(bad, content, StandardCharsets.UTF_8);
            LrpException e = assertThrows(LrpException.class, () -> WordPieceTokenizer.load(bad), content);
            assertTrue(e.getMessage().startsWith("malformed tokenizer.json: " + bad), e.getMessage());
        }
    }

    /** A forged id in the file must not size an array of ~2^31 entries (OutOfMemoryError before the fix). */
    @Test
    void hugeAddedTokenIdAllocatesNothingBig(@TempDir Path dir) throws IOException {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode root;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(RESOURCE)) {
            root = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(in);
        }
        ((com.fasterxml.jackson.databind.node.ArrayNode) root.get("added_tokens")).addObject()
                .put("id", 2_000_000_000).put("content", "[FAR]").put("single_word", false).put("lstrip", false)
                .put("rstrip", false).put("normalized", false).put("special", true);
        Path file = dir.resolve("tokenizer.json");
        json.writeValue(file.toFile(), root);
        try (WordPieceTokenizer t = WordPieceTokenizer.load(file)) {
            assertEquals(2_000_000_001, t.vocabSize());
            assertEquals("[FAR]", t.token(2_000_000_000));
            assertEquals("hello", t.token(7592));
            assertThrows(LrpException.class, () -> t.token(1_000_000_000));
        }
    }
}
