package io.lrp.explain.methods;

import io.lrp.explain.AttentionMaps;
import io.lrp.explain.Cost;
import io.lrp.explain.Method;
import io.lrp.explain.Relevance;
import io.lrp.models.Batch;
import io.lrp.models.Model;

/** Attention flow: the maximum flow from each token through the rollout graph (Dinic's algorithm). */
public final class AttentionFlowMethod implements Method {
    @Override public String id() { return "attention-flow"; }
    @Override public String description() { return "maximum flow through the rollout graph (Abnar and Zuidema 2020; the slowest on long texts)"; }

    @Override public Relevance.Result compute(Model model, Batch batch, int[] targets, Relevance.Options options, Runnable afterForward) {
        return Relevance.fromAttention(model, batch, targets, AttentionMaps::flow);
    }

    // the max-flow itself is not a matrix product
    @Override public long flops(Cost c, Relevance.Options o) { return c.forward(); }

    // one max-flow problem per token on the layers x tokens graph: far more than the forward pass on long texts
    @Override public String cost() { return "1 + N flows"; }

    @Override public String toString() { return id(); }
}
