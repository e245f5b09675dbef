package io.lrp.explain.methods;

import io.lrp.autograd.RuleSet;
import io.lrp.explain.Cost;
import io.lrp.explain.Method;
import io.lrp.explain.Relevance;
import io.lrp.models.Batch;
import io.lrp.models.Model;

/** LRP, AH- and LN-rules (the paper's method; default): x * g under {@link RuleSet#LRP_AH_LN}. */
public class LrpAhLn implements Method {
    @Override public String id() { return "lrp-ah-ln"; }
    @Override public String description() { return "LRP, AH- and LN-rules (the paper's method; default)"; }
    @Override public RuleSet rules() { return RuleSet.LRP_AH_LN; }
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
