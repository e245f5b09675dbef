package io.lrp.explain.methods;

import io.lrp.autograd.RuleSet;
import io.lrp.explain.Cost;
import io.lrp.explain.Method;
import io.lrp.explain.PathMethods;
import io.lrp.explain.Relevance;
import io.lrp.models.Batch;
import io.lrp.models.Model;

/** Integrated Gradients from the zero embedding, midpoint steps (Relevance.Options#igSteps). */
public final class IntegratedGradients implements Method {
    @Override public String id() { return "ig"; }
    @Override public String description() { return "Integrated Gradients, zero baseline, 50 midpoint steps"; }
    @Override public RuleSet rules() { return RuleSet.GRADIENT; }

    @Override public Relevance.Result compute(Model model, Batch batch, int[] targets, Relevance.Options options, Runnable afterForward) {
        return PathMethods.integratedGradients(model, batch, targets, options.igSteps());
    }

    // one forward for the prediction, then a forward and a backward pass per step
    @Override public long flops(Cost c, Relevance.Options o) { return c.forward() + (long) o.igSteps() * (c.forward() + c.backwardFull()); }
    @Override public String toString() { return id(); }
}
