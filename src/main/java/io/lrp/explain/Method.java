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
    public boolean isGradientTimesInput() { return this == GI || this == LRP_AH || this == LRP_AH_LN || this == ATTNLRP; }

    /** The methods computed by one recorded forward pass and one backward pass. */
    public boolean singlePass() { return isGradientTimesInput() || this == SALIENCY || this == GAE; }

    public boolean isLrp() { return this == LRP_AH || this == LRP_AH_LN || this == ATTNLRP; }

    public static Method parse(String name) {
        for (Method m : values()) if (m.id.equalsIgnoreCase(name.trim())) return m;
        String near = nearest(name.trim().toLowerCase(java.util.Locale.ROOT));
        throw new LrpException("unknown method '" + name + "'" + (near == null ? "" : " (did you mean " + near + "?)")
                + ": choose from " + String.join(", ", ids()) + " or all");
    }

    /** The method id within edit distance 2 of s (the closest), or null. */
    static String nearest(String s) {
        String best = null;
        int bestD = 3;
        for (String id : ids()) {
            int d = distance(s, id);
            if (d < bestD) { bestD = d; best = id; }
        }
        return best;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev; prev = cur; cur = t;
        }
        return prev[b.length()];
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
