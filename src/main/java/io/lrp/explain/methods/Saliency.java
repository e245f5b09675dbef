package io.lrp.explain.methods;

import io.lrp.autograd.RuleSet;
import io.lrp.explain.Cost;
import io.lrp.explain.Method;
import io.lrp.explain.Relevance;
import io.lrp.models.Batch;
import io.lrp.models.Model;

/** Saliency: the L2 norm of the plain gradient at each token's attribution point. */
public final class Saliency implements Method {
    @Override public String id() { return "saliency"; }
    @Override public String description() { return "gradient norm per token"; }
    @Override public RuleSet rules() { return RuleSet.GRADIENT; }
    @Override public boolean singlePass() { return true; }

    @Override public Relevance.Result compute(Model model, Batch batch, int[] targets, Relevance.Options options, Runnable afterForward) {
        Relevance.Pass p = Relevance.backward(model, batch, RuleSet.GRADIENT, targets, model.embed(batch), false, false, afterForward);
        return new Relevance.Result(Relevance.rows(p.logits().value), p.targets(), Relevance.reduceTokens(p.input(), batch, true),
                new Double[batch.size()]);
    }

    @Override public long flops(Cost c, Relevance.Options o) { return c.forward() + c.backwardFull(); }
    @Override public String toString() { return id(); }
}
