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

    /** Columns of the help text: picocli wraps longer lines without an indent. */
    static final int HELP_WIDTH = 79;

    /**
     * One entry per method for help texts: name, cost and description, the description wrapped
     * under itself so that no line is longer than {@link #HELP_WIDTH}.
     */
    public static String help() {
        StringBuilder b = new StringBuilder();
        int costWidth = 4;
        for (Method m : ALL) costWidth = Math.max(costWidth, cost(m).length());
        String indent = " ".repeat(2 + 16 + costWidth + 1);
        b.append("  The second column is the cost per text of N tokens, in forward passes of the\n")
                .append("  model (a backward pass costs about as much as a forward one).\n");
        for (Method m : ALL) {
            String head = String.format(java.util.Locale.ROOT, "  %-15s %-" + costWidth + "s ", m.id(), cost(m));
            StringBuilder line = new StringBuilder(head);
            for (String word : m.description().split(" ")) {
                if (line.length() > indent.length() && line.length() + 1 + word.length() > HELP_WIDTH
                        && line.length() > head.length()) {
                    b.append(line.toString().stripTrailing()).append('\n');
                    line = new StringBuilder(indent);
                }
                if (line.length() > indent.length() && !line.toString().endsWith(" ")) line.append(' ');
                line.append(word);
            }
            b.append(line).append('\n');
        }
        return b.toString();
    }

    /**
     * A method's cost per text of N tokens in forward passes of the model: its own statement when it
     * has one, else its matrix-product FLOPs on a MiniLM-sized encoder (6 layers, 384 hidden) over
     * those of one forward pass, at 64 and 128 tokens: a constant ({@code ~2}) or a multiple of N
     * ({@code N + 2}).
     */
    public static String cost(Method m) {
        if (m.cost() != null) return m.cost();
        Relevance.Options o = Relevance.Options.DEFAULT;
        int t1 = 64, t2 = 128;
        Cost c1 = Cost.encoder(6, 384, 1536, t1), c2 = Cost.encoder(6, 384, 1536, t2);
        double r1 = (double) m.flops(c1, o) / c1.forward(), r2 = (double) m.flops(c2, o) / c2.forward();
        if (Math.abs(r2 - r1) <= 0.05 * r1) return r1 < 1.05 ? "1" : "~" + round(r1);
        double a = (r2 - r1) / (t2 - t1), b = r1 - a * t1;
        String n = Math.abs(a - 1) < 0.05 ? "N" : round(a) + "N";
        return Math.abs(b) < 0.05 ? n : n + (b > 0 ? " + " : " - ") + round(Math.abs(b));
    }

    /** Two significant digits, without a trailing ".0". */
    private static String round(double v) {
        String s = new java.math.BigDecimal(v).round(new java.math.MathContext(2)).stripTrailingZeros().toPlainString();
        return s;
    }
}
