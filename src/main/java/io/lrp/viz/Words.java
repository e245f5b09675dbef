package io.lrp.viz;

import io.lrp.explain.Explanation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Token-level and word-level views of an {@link Explanation}.
 *
 * <p>A word is a maximal run of non-special tokens in which every token after the first either
 * starts with {@code "##"} (WordPiece continuation) or begins exactly where the previous token
 * ended in the text. With {@code splitPunctuation} (the default), a token made only of
 * punctuation never joins a neighbour by contiguity alone, so {@code "charming,"} gives the
 * words {@code charming} and {@code ,}. Special tokens are not part of any word.
 */
public final class Words {

    private Words() {}

    /**
     * One word.
     *
     * @param text         {@code text.substring(start, end)}
     * @param start        start offset of the first token
     * @param end          end offset of the last token
     * @param relevance    sum of the relevance of its tokens
     * @param tokenIndices indices of its tokens in the explanation
     */
    public record Word(String text, int start, int end, double relevance, int[] tokenIndices) {
        @Override
        public String toString() {
            return "Word[" + text + " " + start + ".." + end + " R=" + relevance + " tokens="
                    + Arrays.toString(tokenIndices) + "]";
        }
    }

    /**
     * One token, special tokens included.
     *
     * @param index     index in the explanation
     * @param token     the token string as produced by the tokenizer ({@code [CLS]}, {@code ##ux})
     * @param start     start offset into the text ({@code 0} for special tokens)
     * @param end       end offset into the text ({@code 0} for special tokens)
     * @param special   true for tokens added by the tokenizer
     * @param relevance the token's relevance
     */
    public record Token(int index, String token, int start, int end, boolean special,
                        double relevance) {}

    /** Words with punctuation split off (see class comment). */
    public static List<Word> words(Explanation e) {
        return words(e, true);
    }

    /** Words; with {@code splitPunctuation=false} only contiguity and "##" decide. */
    public static List<Word> words(Explanation e, boolean splitPunctuation) {
        String text = e.text();
        String[] tokens = e.tokens();
        int[][] offsets = e.offsets();
        boolean[] special = e.special();
        double[] rel = e.relevance();
        List<Word> out = new ArrayList<>();
        List<Integer> run = new ArrayList<>();
        int prevEnd = -1;
        boolean prevPunct = false;
        for (int i = 0; i < tokens.length; i++) {
            if (special[i]) {
                flush(text, offsets, rel, run, out);
                prevEnd = -1;
                continue;
            }
            int start = offsets[i][0];
            boolean punct = splitPunctuation && isPunctuation(text, offsets[i]);
            boolean continuation = tokens[i].startsWith("##");
            boolean joins = !run.isEmpty()
                    && (continuation || (start == prevEnd && !punct && !prevPunct));
            if (!joins) {
                flush(text, offsets, rel, run, out);
            }
            run.add(i);
            prevEnd = offsets[i][1];
            prevPunct = punct && !continuation;
        }
        flush(text, offsets, rel, run, out);
        return out;
    }

    /** All tokens in order, special tokens included. */
    public static List<Token> tokens(Explanation e) {
        List<Token> out = new ArrayList<>(e.tokens().length);
        for (int i = 0; i < e.tokens().length; i++) {
            out.add(new Token(i, e.tokens()[i], e.offsets()[i][0], e.offsets()[i][1],
                    e.special()[i], e.relevance()[i]));
        }
        return out;
    }

    private static void flush(String text, int[][] offsets, double[] rel, List<Integer> run,
                              List<Word> out) {
        if (run.isEmpty()) {
            return;
        }
        int[] idx = run.stream().mapToInt(Integer::intValue).toArray();
        int start = offsets[idx[0]][0];
        int end = Math.max(start, offsets[idx[idx.length - 1]][1]);
        double sum = 0;
        for (int i : idx) {
            sum += rel[i];
        }
        String s = start >= 0 && end <= text.length() ? text.substring(start, end) : "";
        out.add(new Word(s, start, end, sum, idx));
        run.clear();
    }

    private static boolean isPunctuation(String text, int[] span) {
        if (span[1] <= span[0] || span[1] > text.length()) {
            return false;
        }
        for (int k = span[0]; k < span[1]; k++) {
            char c = text.charAt(k);
            if (Character.isLetterOrDigit(c) || Character.isWhitespace(c)) {
                return false;
            }
        }
        return true;
    }
}
