package io.lrp.explain.methods;

import io.lrp.explain.AttentionMaps;
import io.lrp.explain.Cost;
import io.lrp.explain.Method;
import io.lrp.explain.Relevance;
import io.lrp.models.Batch;
import io.lrp.models.Model;

/** A-Last: R_j = mean_h sum_i A_L[h, i, j] of the last layer's attention. */
public final class ALast implements Method {
    @Override public String id() { return "a-last"; }
    @Override public String description() { return "last layer's attention, summed over queries, mean over heads"; }

    @Override public Relevance.Result compute(Model model, Batch batch, int[] targets, Relevance.Options options, Runnable afterForward) {
        return Relevance.fromAttention(model, batch, targets, AttentionMaps::lastLayer);
    }

    @Override public long flops(Cost c, Relevance.Options o) { return c.forward(); }

    @Override public String toString() { return id(); }
}
