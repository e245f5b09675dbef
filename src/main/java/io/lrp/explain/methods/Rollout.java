package io.lrp.explain.methods;

import io.lrp.explain.AttentionMaps;
import io.lrp.explain.Cost;
import io.lrp.explain.Method;
import io.lrp.explain.Relevance;
import io.lrp.models.Batch;
import io.lrp.models.Model;

/** Attention rollout: heads averaged, identity added, rows normalised, layers multiplied; column sums. */
public final class Rollout implements Method {
    @Override public String id() { return "rollout"; }
    @Override public String description() { return "attention rollout (Abnar and Zuidema 2020)"; }

    @Override public Relevance.Result compute(Model model, Batch batch, int[] targets, Relevance.Options options, Runnable afterForward) {
        return Relevance.fromAttention(model, batch, targets, AttentionMaps::rollout);
    }

    @Override public long flops(Cost c, Relevance.Options o) { return c.forward(); }

    @Override public String toString() { return id(); }
}
