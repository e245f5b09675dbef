package io.lrp.explain;

import io.lrp.LrpException;
import io.lrp.autograd.RuleSet;
import java.util.ArrayList;
import java.util.List;

/**
 * The explanation methods of methods.md. The LRP variants and Gradient x Input are the same
 * forward pass under different rule sets; the others are reductions of what a forward or
 * backward pass recorded, or loops of forward passes.
 */
public enum Method {
    GI("gi", RuleSet.GRADIENT, "Gradient x Input"),
    LRP_AH("lrp-ah", RuleSet.LRP_AH, "LRP, AH-rule (attention probabilities constant)"),
    LRP_AH_LN("lrp-ah-ln", RuleSet.LRP_AH_LN, "LRP, AH- and LN-rules (the paper's method; default)"),
    LRP_AH_LN_CP("lrp-ah-ln-cp", RuleSet.LRP_AH_LN_CP, "LRP (AH+LN), conservative pooler: the paper model's pooler tanh by the identity rule"),
    ATTNLRP("attnlrp", RuleSet.ATTNLRP, "AttnLRP (Achtibat et al. 2024)"),
    SALIENCY("saliency", RuleSet.GRADIENT, "gradient norm per token"),
    A_LAST("a-last", null, "last layer's attention, summed over queries, mean over heads"),
    ROLLOUT("rollout", null, "attention rollout (Abnar and Zuidema 2020)"),
    GAE("gae", RuleSet.GRADIENT, "gradient-weighted attention rollout (GAE)"),
    IG("ig", RuleSet.GRADIENT, "Integrated Gradients, zero baseline, 50 midpoint steps"),
    OCCLUSION("occlusion", null, "logit drop when the token is replaced by [UNK]"),
    RANDOM("random", null, "seeded standard normal noise (a baseline)"),
    ATTENTION_FLOW("attention-flow", null, "maximum flow through the rollout graph (Abnar and Zuidema 2020; slow)");

    private final String id;
    private final RuleSet rules;
    private final String description;

    Method(String id, RuleSet rules, String description) {
        this.id = id;
        this.rules = rules;
        this.description = description;
    }

    public String id() { return id; }
    public String description() { return description; }

    /** The rule set of a method computed as (modified) gradient x input, or null. */
    public RuleSet rules() { return rules; }

    /** The methods whose relevance is x * g under a rule set (conservation is meaningful). */
    public boolean isGradientTimesInput() { return this == GI || isLrp(); }

    /** The methods computed by one recorded forward pass and one backward pass. */
    public boolean singlePass() { return isGradientTimesInput() || this == SALIENCY || this == GAE; }

    public boolean isLrp() { return this == LRP_AH || this == LRP_AH_LN || this == LRP_AH_LN_CP || this == ATTNLRP; }

    /** The methods that report the relevance absorbed by the biases (sum R + bias = logit). */
    public boolean tracksBias() { return this == LRP_AH_LN || this == LRP_AH_LN_CP; }

    public static Method parse(String name) {
        for (Method m : values()) if (m.id.equalsIgnoreCase(name.trim())) return m;
        throw new LrpException("unknown method '" + name + "': choose from " + String.join(", ", ids()) + " or all");
    }

    /** A comma-separated list of method names, or "all". */
    public static List<Method> parseList(String spec) {
        List<Method> out = new ArrayList<>();
        for (String s : spec.split(",")) {
            if (s.isBlank()) continue;
            if (s.trim().equalsIgnoreCase("all")) {
                for (Method m : values()) if (!out.contains(m)) out.add(m);
            } else {
                Method m = parse(s);
                if (!out.contains(m)) out.add(m);
            }
        }
        if (out.isEmpty()) throw new LrpException("no method given: choose from " + String.join(", ", ids()) + " or all");
        return out;
    }

    public static List<String> ids() {
        List<String> l = new ArrayList<>();
        for (Method m : values()) l.add(m.id);
        return l;
    }
}
