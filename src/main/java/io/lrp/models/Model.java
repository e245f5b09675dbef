package io.lrp.models;

import io.lrp.autograd.Tape;
import io.lrp.autograd.Var;
import io.lrp.tensor.Tensor;
import io.lrp.text.Tokenizer;
import java.util.List;
import java.util.Map;

/**
 * A sequence classifier: ids to the attribution point (the embedding output) to logits. The
 * forward pass is written once per architecture; explanation methods change its backward only
 * through the tape's rule set.
 */
public interface Model {

    String name();

    /** One line naming the architecture and its sizes. */
    String describe();

    /** Its family: the config.json model_type it was loaded as (bert, distilbert, roberta, ...). */
    default String family() { return "unknown"; }

    /** Its head in words: how the hidden states become the logits (or "none" for an encoder alone). */
    default String head() { return "none"; }

    /** Where the weights came from (a path, a classpath resource). */
    String source();

    List<String> labels();

    /** The longest input in tokens. */
    int maxLength();

    int unkId();
    int padId();

    /** The tokenizer, or null for a model that only takes ids. */
    Tokenizer tokenizer();

    /** The embedding output [B*T, H]: the attribution point. */
    Tensor embed(Batch batch);

    /** Logits [B, C] from the attribution point. */
    Var forward(Tape tape, Var x, Batch batch);

    /** Every parameter after the attribution point, by its Hugging Face name. */
    Map<String, Var> parameters();

    /** The matrix-product FLOPs of its passes over one sequence of the given length, or null if not modelled. */
    default io.lrp.explain.Cost cost(int tokens) { return null; }

    default long parameterCount() {
        long n = 0;
        for (Var v : parameters().values()) n += v.value.size();
        return n;
    }
}
