package io.lrp.explain;

import java.util.List;

/** The method registry: a new method is one file in io.lrp.explain.methods and one line here. */
public final class Methods {
    private Methods() {}

    /** In the order of methods.md (and of --method all and the help text). */
    public static final List<Method> ALL = List.of(
            Method.GI,
            Method.LRP_AH,
            Method.LRP_AH_LN,
            Method.LRP_AH_LN_CP,
            Method.ATTNLRP,
            Method.SALIENCY,
            Method.A_LAST,
            Method.ROLLOUT,
            Method.GAE,
            Method.IG,
            Method.OCCLUSION,
            Method.RANDOM,
            Method.ATTENTION_FLOW);

    /** "name  description" lines for help texts. */
    public static String help() {
        StringBuilder b = new StringBuilder();
        for (Method m : ALL) b.append(String.format("  %-15s %s%n", m.id(), m.description()));
        return b.toString();
    }
}
