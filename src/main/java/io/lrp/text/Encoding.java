package io.lrp.text;

/**
 * A tokenized input: one entry per model input token, special tokens included.
 *
 * @param tokens  token strings, e.g. "[CLS]", "hello", "##s"
 * @param ids     vocabulary ids
 * @param offsets character offsets into the original text as [start, end) pairs of Java
 *                String (UTF-16) indices; special tokens have [0, 0]
 * @param special true for tokens the tokenizer added ([CLS], [SEP], padding)
 */
public record Encoding(String[] tokens, int[] ids, int[][] offsets, boolean[] special) {
    public Encoding {
        int n = ids.length;
        if (tokens.length != n || offsets.length != n || special.length != n) {
            throw new IllegalArgumentException("encoding arrays differ in length");
        }
    }

    public int length() { return ids.length; }
}
