package io.lrp.text;

import java.util.ArrayList;
import java.util.List;

/**
 * Text to model input tokens, special tokens included, with character offsets into the text.
 * Built from the model's own files ({@link HfTokenizer}: tokenizer.json through the Hugging Face
 * tokenizers library, WordPiece, byte-level BPE or Unigram); its special tokens and unknown token
 * come from those files.
 */
public interface Tokenizer {

    /** Tokenizes one text, special tokens added, no padding, no truncation; an empty text is an error. */
    Encoding encode(String text);

    /** Tokenizes each text independently (no padding). */
    default List<Encoding> encodeBatch(List<String> texts) {
        List<Encoding> out = new ArrayList<>(texts.size());
        for (String t : texts) out.add(encode(t));
        return out;
    }

    /** An encoding for given ids: tokens from the vocabulary, offsets [0, 0]. */
    Encoding fromIds(int[] ids);

    /** Number of ids (largest id + 1), added tokens included. */
    int vocabSize();

    /** The id occlusion and the perturbation metrics replace tokens by: the unknown token, else the end-of-sequence token. */
    int unkId();

    /** The token added first ([CLS], {@code <s>}), -1 if none. */
    int clsId();

    /** The token added last ([SEP], {@code </s>}), -1 if none. */
    int sepId();

    /** The padding id of the file, -1 if it names none. */
    int padId();

    /** The token string of an id; LrpException if the id is not in the vocabulary. */
    String token(int id);

    /** The id of a token string, or -1. */
    int id(String token);

    /** Where it came from: a file path or {@code classpath:NAME}. */
    String source();

    /** The tokenizer's algorithm: WordPiece, BPE (byte-level), Unigram, ... */
    String kind();
}
