package io.lrp.explain;

import io.lrp.LrpException;
import io.lrp.autograd.RuleSet;
import io.lrp.models.Batch;
import io.lrp.models.Model;
import java.util.ArrayList;
import java.util.List;

/**
 * An explanation method of methods.md: a rule set over the model's one forward pass (the LRP
 * variants and Gradient x Input), a reduction of what a forward or backward pass recorded, or
 * a loop of forward passes. Each method is one file in {@code io.lrp.explain.methods} and one
 * line of {@link Methods#ALL}; the CLI's help, {@code --method all} and the benchmark's FLOP
 * count come from there.
 */
public interface Method {

    /** The name used on the command line and in the JSON output (methods.md). */
    String id();

    /** One line for the help text. */
    String description();

    /**
     * Relevance of every token of every sample of the batch. For a method of one recorded
     * forward and one backward pass ({@link #singlePass}) afterForward (may be null) runs between the two.
     */
    Relevance.Result compute(Model model, Batch batch, int[] targets, Relevance.Options options, Runnable afterForward);

    /** The matrix-product FLOPs of one run on one sequence, from the model's cost of its passes. */
    long flops(Cost cost, Relevance.Options options);

    /**
     * The cost per text for the help, in forward passes, when {@link #flops} does not tell it (work
     * that is not matrix products); null: {@link Methods#cost} derives it from the FLOPs.
     */
    default String cost() { return null; }

    /** The rule set of a method computed as (modified) gradient x input, or null. */
    default RuleSet rules() { return null; }

    /** The relevance is x * g under a rule set (conservation is meaningful). */
    default boolean isGradientTimesInput() { return false; }

    /** Computed by one recorded forward pass and one backward pass. */
    default boolean singlePass() { return isGradientTimesInput(); }

    /** An LRP rule set (the gamma option applies). */
    default boolean isLrp() { return false; }

    /** Reports the relevance absorbed by the biases (sum R + bias = logit). */
    default boolean tracksBias() { return false; }

    /** The rule set actually applied under these options (gamma added for the LRP methods), or null. */
    default RuleSet rules(Relevance.Options options) {
        RuleSet r = rules();
        return r != null && isLrp() ? r.withGamma(options.gamma()) : r;
    }

    // the methods the Java API names directly; every method is listed in Methods.ALL
    Method GI = new io.lrp.explain.methods.Gi();
    Method LRP_AH = new io.lrp.explain.methods.LrpAh();
    Method LRP_AH_LN = new io.lrp.explain.methods.LrpAhLn();
    Method LRP_AH_LN_CP = new io.lrp.explain.methods.LrpAhLnCp();
    Method ATTNLRP = new io.lrp.explain.methods.AttnLrp();
    Method SALIENCY = new io.lrp.explain.methods.Saliency();
    Method A_LAST = new io.lrp.explain.methods.ALast();
    Method ROLLOUT = new io.lrp.explain.methods.Rollout();
    Method GAE = new io.lrp.explain.methods.Gae();
    Method IG = new io.lrp.explain.methods.IntegratedGradients();
    Method OCCLUSION = new io.lrp.explain.methods.Occlusion();
    Method RANDOM = new io.lrp.explain.methods.RandomBaseline();
    Method ATTENTION_FLOW = new io.lrp.explain.methods.AttentionFlowMethod();

    /** Every registered method, in registry order. */
    static Method[] values() { return Methods.ALL.toArray(new Method[0]); }

    static Method parse(String name) {
        for (Method m : Methods.ALL) if (m.id().equalsIgnoreCase(name.trim())) return m;
        String near = nearest(name.trim().toLowerCase(java.util.Locale.ROOT));
        throw new LrpException("unknown method '" + name + "'" + (near == null ? "" : " (did you mean " + near + "?)")
                + ": choose from " + String.join(", ", ids()) + " or all");
    }

    /** The method id within edit distance 2 of s (the closest), or null. */
    static String nearest(String s) {
        String best = null;
        int bestD = 3;
        for (String id : ids()) {
            int d = editDistance(s, id);
            if (d < bestD) { bestD = d; best = id; }
        }
        return best;
    }

    private static int editDistance(String a, String b) {
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
    static List<Method> parseList(String spec) {
        List<Method> out = new ArrayList<>();
        for (String s : spec.split(",")) {
            if (s.isBlank()) continue;
            if (s.trim().equalsIgnoreCase("all")) {
                for (Method m : Methods.ALL) if (!out.contains(m)) out.add(m);
            } else {
                Method m = parse(s);
                if (!out.contains(m)) out.add(m);
            }
        }
        if (out.isEmpty()) throw new LrpException("no method given: choose from " + String.join(", ", ids()) + " or all");
        return out;
    }

    static List<String> ids() {
        List<String> l = new ArrayList<>();
        for (Method m : Methods.ALL) l.add(m.id());
        return l;
    }
}
