package io.lrp.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Parity with the golden MiniLM tokenization and offset checks on the same cases. */
class WordPieceGoldenTest {

    static WordPieceTokenizer tok;
    static List<JsonNode> cases = new ArrayList<>();

    @BeforeAll
    static void setUp() throws IOException {
        tok = WordPieceTokenizer.loadClasspath("all-minilm-l6-v2-tokenizer.json");
        try (InputStream in = WordPieceGoldenTest.class.getResourceAsStream("/golden/minilm_tokenization.json")) {
            new ObjectMapper().readTree(in).get("cases").forEach(cases::add);
        }
    }

    @AfterAll
    static void tearDown() { tok.close(); }

    @Test
    void idsAndTokensMatchGolden() {
        assertEquals(33, cases.size());
        for (JsonNode c : cases) {
            String text = c.get("text").asText();
            Encoding e = tok.encode(text);
            int[] ids = new int[c.get("input_ids").size()];
            String[] tokens = new String[ids.length];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = c.get("input_ids").get(i).asInt();
                tokens[i] = c.get("tokens").get(i).asText();
            }
            assertArrayEquals(ids, e.ids(), "ids of " + text);
            assertArrayEquals(tokens, e.tokens(), "tokens of " + text);
            assertTrue(e.special()[0] && e.special()[ids.length - 1], "[CLS]/[SEP] special: " + text);
            for (int i = 1; i < ids.length - 1; i++) {
                assertFalse(e.special()[i], "token " + i + " of " + text);
            }
        }
    }

    @Test
    void offsetsIndexTheOriginalText() {
        for (JsonNode c : cases) {
            checkOffsets(c.get("text").asText());
        }
    }

    @Test
    void emojiOffsetsAreUtf16() {
        String text = "emoji 🙂 and ☃";
        Encoding e = checkOffsets(text);
        assertEquals("[UNK]", e.tokens()[4]);
        assertArrayEquals(new int[] {6, 8}, e.offsets()[4]);
        assertEquals("🙂", text.substring(6, 8));
        assertArrayEquals(new int[] {9, 12}, e.offsets()[5]);
        assertArrayEquals(new int[] {13, 14}, e.offsets()[6]);
        // a token after two surrogate pairs is shifted by two UTF-16 units, not one per code point
        Encoding e2 = checkOffsets("🙂🙂 naïve");
        assertEquals("naive", e2.tokens()[2]);
        assertArrayEquals(new int[] {5, 10}, e2.offsets()[2]);
        assertArrayEquals(new int[] {0, 4}, e2.offsets()[1]);
    }

    @Test
    void accentOffsetsCoverTheAccentedCharacters() {
        String composed = "naïve café Ångström";
        Encoding e = checkOffsets(composed);
        assertArrayEquals(new String[] {"[CLS]", "naive", "cafe", "ang", "##strom", "[SEP]"}, e.tokens());
        assertArrayEquals(new int[] {0, 5}, e.offsets()[1]);
        assertArrayEquals(new int[] {6, 10}, e.offsets()[2]);
        assertEquals("Ång", composed.substring(e.offsets()[3][0], e.offsets()[3][1]));
        assertEquals("ström", composed.substring(e.offsets()[4][0], e.offsets()[4][1]));
        assertArrayEquals(new int[] {0, 0}, e.offsets()[0]);
        assertArrayEquals(new int[] {0, 0}, e.offsets()[5]);
        // decomposed input (i + combining diaeresis): the mark stays inside the token's span
        String decomposed = "nai\u0308ve cafe\u0301";
        Encoding d = checkOffsets(decomposed);
        assertArrayEquals(new int[] {0, 6}, d.offsets()[1]);
        assertArrayEquals(new int[] {7, 12}, d.offsets()[2]);
    }

    /** Checks the offset rules on one text and returns its encoding. */
    static Encoding checkOffsets(String text) {
        Encoding e = tok.encode(text);
        int prevEnd = 0;
        for (int i = 0; i < e.length(); i++) {
            int[] o = e.offsets()[i];
            String t = e.tokens()[i];
            if (e.special()[i]) {
                assertArrayEquals(new int[] {0, 0}, o, t + " in " + text);
                continue;
            }
            assertTrue(0 <= o[0] && o[0] < o[1] && o[1] <= text.length(), t + " span in " + text);
            assertTrue(o[0] >= prevEnd, "spans go forward: " + t + " in " + text);
            String src = text.substring(o[0], o[1]);
            if (t.startsWith("##")) {
                String gap = text.substring(prevEnd, o[0]);
                assertTrue(gap.chars().allMatch(WordPieceGoldenTest::removedByNormalizer),
                        "continuation " + t + " not contiguous with the previous piece in " + text);
                assertEquals(t.substring(2), normalize(src), "source of " + t + " in " + text);
            } else if (!t.equals("[UNK]")) {
                assertEquals(t, normalize(src), "source of " + t + " in " + text);
            }
            prevEnd = o[1];
        }
        return e;
    }

    /** BERT normalization of a token's source: drop control/format chars, strip accents, lowercase. */
    static String normalize(String s) {
        StringBuilder kept = new StringBuilder();
        s.chars().filter(ch -> !removedByNormalizer(ch)).forEach(ch -> kept.append((char) ch));
        String nfd = Normalizer.normalize(kept, Normalizer.Form.NFD);
        return nfd.replaceAll("\\p{Mn}", "").toLowerCase(Locale.ROOT);
    }

    static boolean removedByNormalizer(int ch) {
        int type = Character.getType(ch);
        return type == Character.CONTROL || type == Character.FORMAT;
    }
}
