package io.lrp.explain.methods;

import io.lrp.autograd.RuleSet;
import io.lrp.explain.Cost;
import io.lrp.explain.Method;
import io.lrp.explain.Relevance;
import io.lrp.models.Batch;
import io.lrp.models.Model;

/** Gradient x Input: x * g, the plain gradient (methods.md section 4). */
public final class Gi implements Method {
    @Override public String id() { return "gi"; }
    @Override public String description() { return "Gradient x Input"; }
    @Override public RuleSet rules() { return RuleSet.GRADIENT; }
    @Override public boolean isGradientTimesInput() { return true; }
    @Override public boolean isLrp() { return false; }

    @Override public Relevance.Result compute(Model model, Batch batch, int[] targets, Relevance.Options options, Runnable afterForward) {
        return Relevance.gradientTimesInput(model, batch, rules(options), targets, false, afterForward);
    }

    @Override public long flops(Cost c, Relevance.Options o) { return c.forward() + c.backwardFull(); }

    @Override public String toString() { return id(); }
}
