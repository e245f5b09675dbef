package io.lrp.explain.methods;

import io.lrp.autograd.RuleSet;
import io.lrp.explain.Cost;
import io.lrp.explain.Method;
import io.lrp.explain.Relevance;
import io.lrp.models.Batch;
import io.lrp.models.Model;

/**
 * LRP (AH+LN) with the paper model's pooler tanh by the identity rule, so relevance is conserved
 * at the logit ({@link RuleSet#LRP_AH_LN_CP}); on models without that pooler it equals lrp-ah-ln.
 */
public final class LrpAhLnCp implements Method {
    @Override public String id() { return "lrp-ah-ln-cp"; }
    @Override public String description() { return "LRP (AH+LN), conservative pooler: the paper model's pooler tanh by the identity rule"; }
    @Override public RuleSet rules() { return RuleSet.LRP_AH_LN_CP; }
    @Override public boolean isGradientTimesInput() { return true; }
    @Override public boolean isLrp() { return true; }
    @Override public boolean tracksBias() { return true; }

    @Override public Relevance.Result compute(Model model, Batch batch, int[] targets, Relevance.Options options, Runnable afterForward) {
        return Relevance.gradientTimesInput(model, batch, rules(options), targets, true, afterForward);
    }

    // the AH-rule holds the attention probabilities constant: the backward skips q and k
    @Override public long flops(Cost c, Relevance.Options o) { return c.forward() + c.backwardAh(); }

    @Override public String toString() { return id(); }
}
