package io.lrp.explain.methods;

import io.lrp.explain.Cost;
import io.lrp.explain.Method;
import io.lrp.explain.PathMethods;
import io.lrp.explain.Relevance;
import io.lrp.models.Batch;
import io.lrp.models.Model;

/** Occlusion: the logit drop when the token is replaced by the tokenizer's unknown token. */
public final class Occlusion implements Method {
    @Override public String id() { return "occlusion"; }
    @Override public String description() { return "logit drop when the token is replaced by the unknown token"; }

    @Override public Relevance.Result compute(Model model, Batch batch, int[] targets, Relevance.Options options, Runnable afterForward) {
        return PathMethods.occlusion(model, batch, targets);
    }

    // the batch's and the base logits, then one forward per replaced token
    @Override public long flops(Cost c, Relevance.Options o) { return c.forward() * (c.tokens() + 2L); }
    @Override public String toString() { return id(); }
}
