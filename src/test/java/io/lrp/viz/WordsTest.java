package io.lrp.viz;

import io.lrp.explain.Explanation;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WordsTest {

    private static final double[] R = Fixtures.RELEVANCE;

    @Test
    void mergesSubTokensAndHidesSpecials() {
        List<Words.Word> words = Words.words(Fixtures.film());
        assertEquals(List.of("the", "film", "is", "charming", ",", "snarglefluxy"),
                words.stream().map(Words.Word::text).toList());
        int[][] idx = {{1}, {2}, {3}, {4}, {5}, {6, 7, 8, 9, 10, 11}};
        int[][] spans = {{0, 3}, {4, 8}, {9, 11}, {12, 20}, {20, 21}, {22, 34}};
        for (int w = 0; w < words.size(); w++) {
            assertArrayEquals(idx[w], words.get(w).tokenIndices(), "word " + w);
            assertEquals(spans[w][0], words.get(w).start());
            assertEquals(spans[w][1], words.get(w).end());
            double sum = 0;
            for (int i : idx[w]) {
                sum += R[i];
            }
            assertEquals(sum, words.get(w).relevance(), 0.0, "exact sum for word " + w);
        }
        assertEquals(-0.1 + -0.05 + 0.02 + -0.07 + 0.01 + -0.04, words.get(5).relevance(), 0.0);
        assertEquals(0.41, words.get(3).relevance(), 0.0);
        assertTrue(words.stream().noneMatch(w -> w.text().contains("CLS") || w.text().isEmpty()));
    }

    @Test
    void withoutPunctuationSplitContiguityJoinsTheComma() {
        List<Words.Word> words = Words.words(Fixtures.film(), false);
        assertEquals(List.of("the", "film", "is", "charming,", "snarglefluxy"),
                words.stream().map(Words.Word::text).toList());
        assertEquals(0.41 + 0.003, words.get(3).relevance(), 0.0);
    }

    @Test
    void contiguousPiecesWithoutHashesFormOneWord() {
        // BPE-like pieces with no "##": "snarg" "le" are contiguous, so one word
        Explanation e = new Explanation("a snargle", "m", "gi", 0, "x", new double[] {1},
                new String[] {"<s>", "a", "snarg", "le", "</s>"}, new int[5],
                new int[][] {{0, 0}, {0, 1}, {2, 7}, {7, 9}, {0, 0}},
                new boolean[] {true, false, false, false, true},
                new double[] {9, 1, 2, 3, 9}, new Explanation.Conservation(24, 1, null));
        List<Words.Word> words = Words.words(e);
        assertEquals(2, words.size());
        assertEquals("snargle", words.get(1).text());
        assertEquals(5.0, words.get(1).relevance(), 0.0);
    }

    @Test
    void tokenListingIncludesSpecials() {
        List<Words.Token> toks = Words.tokens(Fixtures.film());
        assertEquals(13, toks.size());
        assertEquals("[CLS]", toks.get(0).token());
        assertTrue(toks.get(0).special());
        assertTrue(toks.get(12).special());
        assertFalse(toks.get(7).special());
        assertEquals("##nar", toks.get(7).token());
        assertEquals(23, toks.get(7).start());
        assertEquals(26, toks.get(7).end());
        assertEquals(-0.05, toks.get(7).relevance(), 0.0);
        assertEquals(0.2, toks.get(12).relevance(), 0.0);
    }
}
