package io.lrp.nn;

import io.lrp.LrpException;
import io.lrp.autograd.Tape;
import io.lrp.autograd.Var;
import io.lrp.models.Batch;
import io.lrp.tensor.Tensor;
import java.util.Map;

/**
 * BERT's embedding module: LayerNorm(word[id] + position[p] + type[type id]), p = t unless the
 * family gives position ids (RoBERTa), no type embeddings in families without them (DistilBERT).
 * Its output is the attribution point of every explanation; it is computed outside the tape (frozen).
 */
public final class Embeddings {
    private final Tensor word, position, type;
    private final LayerNorm norm;
    private final int hidden;

    public Embeddings(Tensor word, Tensor position, Tensor type, LayerNorm norm) {
        this.word = word;
        this.position = position;
        this.type = type;
        this.norm = norm;
        this.hidden = word.dim(1);
    }

    public static Embeddings load(Weights w, int vocab, int maxPos, int types, int hidden, double eps) {
        return new Embeddings(
                w.get("embeddings.word_embeddings.weight", vocab, hidden),
                w.get("embeddings.position_embeddings.weight", maxPos, hidden),
                w.get("embeddings.token_type_embeddings.weight", types, hidden),
                LayerNorm.load(w, "embeddings.LayerNorm", hidden, eps));
    }

    /** Word and position embeddings and their LayerNorm, no token types (DistilBERT). */
    public static Embeddings loadWithoutTypes(Weights w, int vocab, int maxPos, int hidden, double eps) {
        return new Embeddings(
                w.get("embeddings.word_embeddings.weight", vocab, hidden),
                w.get("embeddings.position_embeddings.weight", maxPos, hidden),
                null,
                LayerNorm.load(w, "embeddings.LayerNorm", hidden, eps));
    }

    public int vocabSize() { return word.dim(0); }
    public int maxPositions() { return position.dim(0); }
    public int hidden() { return hidden; }

    /** The embedding output [B*T, H] for a batch (positions 0..T-1 in every row). */
    public Tensor embed(Batch batch) { return embed(batch, null); }

    /** The embedding output [B*T, H] with the given position ids [B*T] (null: 0..T-1 in every row). */
    public Tensor embed(Batch batch, int[] positionIds) {
        int len = batch.length();
        if (positionIds == null && len > position.dim(0)) {
            throw new LrpException("input of " + len + " tokens exceeds the model's limit of " + position.dim(0) + " positions");
        }
        Tensor sum = Tensor.zeros(batch.size() * len, hidden);
        for (int b = 0; b < batch.size(); b++) {
            for (int t = 0; t < len; t++) {
                int row = b * len + t, id = batch.ids()[row], tt = batch.typeIds()[row];
                int p = positionIds == null ? t : positionIds[row];
                if (id < 0 || id >= word.dim(0)) throw new LrpException("token id " + id + " outside the vocabulary of " + word.dim(0));
                if (p >= position.dim(0)) {
                    throw new LrpException("input of " + len + " tokens exceeds the model's " + position.dim(0) + " positions");
                }
                int o = row * hidden;
                if (type == null) {
                    for (int h = 0; h < hidden; h++) sum.data[o + h] = word.data[id * hidden + h] + position.data[p * hidden + h];
                    continue;
                }
                if (tt < 0 || tt >= type.dim(0)) throw new LrpException("token type " + tt + " outside 0.." + (type.dim(0) - 1));
                for (int h = 0; h < hidden; h++) {
                    sum.data[o + h] = word.data[id * hidden + h] + position.data[p * hidden + h] + type.data[tt * hidden + h];
                }
            }
        }
        return norm.apply(Tape.inference(), Var.constant(sum)).value;
    }

    public void collect(Map<String, Tensor> out) {
        out.put("embeddings.word_embeddings.weight", word);
        out.put("embeddings.position_embeddings.weight", position);
        if (type != null) out.put("embeddings.token_type_embeddings.weight", type);
        out.put("embeddings.LayerNorm.weight", norm.weight().value);
        out.put("embeddings.LayerNorm.bias", norm.bias().value);
    }
}
