package io.lrp.models.bert;

import java.util.List;

/** The sizes of a BERT-family encoder and its classification head. */
public record BertConfig(int vocabSize, int hidden, int layers, int heads, int intermediate,
                         int maxPositions, int typeVocab, double layerNormEps, int padId,
                         List<String> labels, Pooling pooling) {

    /** How the sequence becomes one vector for the classifier. */
    public enum Pooling {
        /** BertForSequenceClassification: tanh(dense(h[CLS])) then the classifier. */
        CLS_POOLER,
        /** Sentence-transformers style: attention-mask-aware mean of the last hidden states. */
        MEAN
    }

    public BertConfig {
        if (hidden % heads != 0) throw new IllegalArgumentException("hidden " + hidden + " not divisible by heads " + heads);
        labels = List.copyOf(labels);
    }

    public int headDim() { return hidden / heads; }
}
