package io.lrp.models.paper;

import java.util.List;

/** Sizes of the paper's attention-only model (methods.md section 5) and its special ids. */
public record PaperConfig(int vocabSize, int hidden, int heads, int blocks, int maxPositions, int typeVocab,
                          double layerNormEps, double normEps, int padId, int unkId, List<String> labels) {
    public PaperConfig {
        if (hidden % heads != 0) throw new IllegalArgumentException("hidden " + hidden + " not divisible by heads " + heads);
        labels = List.copyOf(labels);
    }
}
