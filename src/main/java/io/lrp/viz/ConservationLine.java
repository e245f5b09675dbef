package io.lrp.viz;

import io.lrp.explain.Explanation;

/**
 * The line under each heat map saying what the values add up to. For LRP (AH+LN) it states the
 * identity and whether it holds; for the methods whose sum means nothing (attention maps,
 * gradient norms, noise) it says what the values are instead of printing a sum.
 */
public final class ConservationLine {
    private ConservationLine() {}

    /** The relative gap up to which sum R + bias counts as equal to the explained score (float32 rounding). */
    static final double TOLERANCE = 1e-4;

    public static String of(Explanation e) {
        Explanation.Conservation c = e.conservation();
        boolean sim = Heat.isSimilarity(e);
        String score = sim ? "similarity" : "logit";
        String sum = Heat.num(c.sum()), logit = Heat.num(c.logit());
        if (c.bias() != null) {
            double total = c.sum() + c.bias();
            String identity = "sum R + bias = " + sum + " + " + Heat.num(c.bias()) + " = " + Heat.num(total);
            if (Math.abs(total - c.logit()) <= TOLERANCE * Math.max(1, Math.abs(c.logit()))) {
                return identity + " = " + score + " " + logit + " (conserved)";
            }
            return identity + ", " + score + " = " + logit + ": not equal, because above the encoder this model is not"
                    + " linearised (the paper model's pooler tanh is differentiated normally, as in the paper; gamma > 0 also"
                    + " breaks it); below the pooler sum R + bias = the relevance entering the encoder";
        }
        return switch (e.method()) {
            case "a-last" -> "values: attention each token receives in the last layer (summed over queries, mean over heads),"
                    + " not an account of the " + score + " (" + score + " = " + logit + ")";
            case "rollout" -> "values: rolled-out attention each token receives (rows sum to 1, so the values sum to the token"
                    + " count), not an account of the " + score + " (" + score + " = " + logit + ")";
            case "attention-flow" -> "values: maximum flow from each token to the last layer through the rollout graph,"
                    + " not an account of the " + score + " (" + score + " = " + logit + ")";
            case "gae" -> "values: gradient-weighted attention rollout (>= 0), not an account of the " + score
                    + " (" + score + " = " + logit + ")";
            case "saliency" -> "values: gradient norms per token (>= 0), not an account of the " + score
                    + " (" + score + " = " + logit + ")";
            case "random" -> "values: seeded random noise (a baseline)";
            case "occlusion" -> "values: drop of the " + score + " when the token is replaced by [UNK]; they need not add up"
                    + " (" + score + " = " + logit + ")";
            case "ig" -> "sum R = " + sum + ", " + score + " = " + logit + " (IG: sum R approximates the " + score
                    + " minus its value at the zero-embedding baseline)";
            default -> "sum R = " + sum + ", " + score + " = " + logit + " (no bias term; not conserved)";
        };
    }
}
