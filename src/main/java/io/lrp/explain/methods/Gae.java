package io.lrp.explain.methods;

import io.lrp.autograd.RuleSet;
import io.lrp.explain.AttentionMaps;
import io.lrp.explain.Cost;
import io.lrp.explain.Method;
import io.lrp.explain.Relevance;
import io.lrp.models.Batch;
import io.lrp.models.Model;

/** GAE (Chefer et al. 2021): rollout of mean_h max(A * dA, 0) with the plain gradient dA. */
public final class Gae implements Method {
    @Override public String id() { return "gae"; }
    @Override public String description() { return "gradient-weighted attention rollout (GAE)"; }
    @Override public RuleSet rules() { return RuleSet.GRADIENT; }
    @Override public boolean singlePass() { return true; }

    @Override public Relevance.Result compute(Model model, Batch batch, int[] targets, Relevance.Options options, Runnable afterForward) {
        Relevance.Pass p = Relevance.backward(model, batch, RuleSet.GRADIENT, targets, model.embed(batch), true, false, afterForward);
        return new Relevance.Result(Relevance.rows(p.logits().value), p.targets(), AttentionMaps.gae(p.tape().attention(), batch),
                new Double[batch.size()]);
    }

    @Override public long flops(Cost c, Relevance.Options o) { return c.forward() + c.backwardFull(); }
    @Override public String toString() { return id(); }
}
