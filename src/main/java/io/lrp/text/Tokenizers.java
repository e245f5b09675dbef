package io.lrp.text;

import io.lrp.LrpException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The tokenizer of a Hugging Face model directory. */
public final class Tokenizers {
    private Tokenizers() {}

    /** tokenizer.json (any model type), else a BERT vocab.txt; neither is an error naming the directory. */
    public static Tokenizer forDirectory(Path dir) {
        Path json = dir.resolve("tokenizer.json");
        // present but not a regular file (a pipe, a device, a loop): refused by the reader, never passed over for vocab.txt
        if (Files.exists(json) || Files.isSymbolicLink(json)) return HfTokenizer.load(json);
        Path vocab = dir.resolve("vocab.txt");
        if (Files.isRegularFile(vocab)) return WordPieceTokenizer.fromVocab(vocab);
        throw new LrpException("tokenizer not found: " + json + " is missing, and there is no vocab.txt for a WordPiece tokenizer");
    }
}
