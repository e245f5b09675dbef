package io.lrp.explain.methods;

import io.lrp.autograd.RuleSet;

/**
 * LRP (AH+LN) with the paper model's pooler tanh by the identity rule, so relevance is conserved
 * at the logit ({@link RuleSet#LRP_AH_LN_CP}); on models without that pooler it equals lrp-ah-ln.
 * The computation, bias report and cost are lrp-ah-ln's; only the rule set differs.
 */
public final class LrpAhLnCp extends LrpAhLn {
    @Override public String id() { return "lrp-ah-ln-cp"; }
    @Override public String description() { return "LRP (AH+LN), conservative pooler: the paper model's pooler tanh by the identity rule"; }
    @Override public RuleSet rules() { return RuleSet.LRP_AH_LN_CP; }
}
