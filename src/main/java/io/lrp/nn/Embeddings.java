package io.lrp.nn;

import io.lrp.LrpException;
import io.lrp.autograd.Tape;
import io.lrp.autograd.Var;
import io.lrp.models.Batch;
import io.lrp.tensor.Tensor;
import java.util.Map;

/**
 * BERT's embedding module: LayerNorm(word[id] + position[t] + type[type id]). Its output is the
 * attribution point of every explanation; it is computed outside the tape (frozen).
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

    public int vocabSize() { return word.dim(0); }
    public int maxPositions() { return position.dim(0); }
    public int hidden() { return hidden; }

    /** The embedding output [B*T, H] for a batch (positions 0..T-1 in every row). */
    public Tensor embed(Batch batch) {
        int len = batch.length();
        if (len > position.dim(0)) {
            throw new LrpException("input of " + len + " tokens exceeds the model's limit of " + position.dim(0) + " positions");
        }
        Tensor sum = Tensor.zeros(batch.size() * len, hidden);
        for (int b = 0; b < batch.size(); b++) {
            for (int t = 0; t < len; t++) {
                int row = b * len + t, id = batch.ids()[row], tt = batch.typeIds()[row];
                if (id < 0 || id >= word.dim(0)) throw new LrpException("token id " + id + " outside the vocabulary of " + word.dim(0));
                if (tt < 0 || tt >= type.dim(0)) throw new LrpException("token type " + tt + " outside 0.." + (type.dim(0) - 1));
                int o = row * hidden;
                for (int h = 0; h < hidden; h++) {
                    sum.data[o + h] = word.data[id * hidden + h] + position.data[t * hidden + h] + type.data[tt * hidden + h];
                }
            }
        }
        return norm.apply(Tape.inference(), Var.constant(sum)).value;
    }

    public void collect(Map<String, Tensor> out) {
        out.put("embeddings.word_embeddings.weight", word);
        out.put("embeddings.position_embeddings.weight", position);
        out.put("embeddings.token_type_embeddings.weight", type);
        out.put("embeddings.LayerNorm.weight", norm.weight().value);
        out.put("embeddings.LayerNorm.bias", norm.bias().value);
    }
}
