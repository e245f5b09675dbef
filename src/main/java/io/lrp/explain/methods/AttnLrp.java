package io.lrp.explain.methods;

import io.lrp.autograd.RuleSet;
import io.lrp.explain.Cost;
import io.lrp.explain.Method;
import io.lrp.explain.Relevance;
import io.lrp.models.Batch;
import io.lrp.models.Model;

/** AttnLRP (Achtibat et al. 2024): x * g under {@link RuleSet#ATTNLRP}. */
public final class AttnLrp implements Method {
    @Override public String id() { return "attnlrp"; }
    @Override public String description() { return "AttnLRP (Achtibat et al. 2024)"; }
    @Override public RuleSet rules() { return RuleSet.ATTNLRP; }
    @Override public boolean isGradientTimesInput() { return true; }
    @Override public boolean isLrp() { return true; }

    @Override public Relevance.Result compute(Model model, Batch batch, int[] targets, Relevance.Options options, Runnable afterForward) {
        return Relevance.gradientTimesInput(model, batch, rules(options), targets, false, afterForward);
    }

    // the softmax is differentiated: the full backward
    @Override public long flops(Cost c, Relevance.Options o) { return c.forward() + c.backwardFull(); }

    @Override public String toString() { return id(); }
}
