package io.lrp.viz;

import io.lrp.explain.Explanation;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Renders explanations of one text by several methods as coloured text for a terminal.
 *
 * <p>Output: the text, the prediction (arg-max label and the softmax of the logits), then for
 * each explanation the method name, the heat line, a legend and the conservation line. Each
 * word's (or token's) background is white at 0, red for positive and blue for negative
 * relevance, normalised by the largest |R| of that explanation at the level shown; pure red
 * {@code ESC[48;2;255;0;0m} at {@code +max}, pure blue {@code ESC[48;2;0;0;255m} at
 * {@code -max}. Text is black or white, whichever contrasts more. Control characters in the
 * input text are shown as spaces so the text cannot emit escape sequences.
 */
public final class TerminalHeatmap {

    static final String ESC = "\u001b[";
    static final String RESET = ESC + "0m";
    private static final double[] CUBE = {0, 95, 135, 175, 215, 255};

    private final ColorMode mode;
    private final boolean tokenLevel;

    /** @param tokenLevel false: words (default view); true: tokens incl. [CLS]/[SEP] and ## pieces */
    public TerminalHeatmap(ColorMode mode, boolean tokenLevel) {
        this.mode = Objects.requireNonNull(mode);
        this.tokenLevel = tokenLevel;
    }

    /** Word-level heat map. */
    public TerminalHeatmap(ColorMode mode) {
        this(mode, false);
    }

    /** Convenience for {@code new TerminalHeatmap(mode, tokenLevel).render(...)}. */
    public static String render(List<Explanation> explanations, List<String> labelNames,
                                ColorMode mode, boolean tokenLevel) {
        return new TerminalHeatmap(mode, tokenLevel).render(explanations, labelNames);
    }

    /**
     * @param explanations one per method, normally all of the same text
     * @param labelNames   class names by logit index; may be null or short (then "class i")
     */
    public String render(List<Explanation> explanations, List<String> labelNames) {
        StringBuilder sb = new StringBuilder();
        if (explanations.isEmpty()) {
            return sb.toString();
        }
        String text = null;
        for (Explanation e : explanations) {
            if (!Objects.equals(e.text(), text)) {
                text = e.text();
                appendPrediction(sb, e, labelNames);
            }
            sb.append('\n');
            appendMethod(sb, e, labelNames);
        }
        return sb.toString();
    }

    private static void appendPrediction(StringBuilder sb, Explanation e, List<String> labels) {
        sb.append("text: ").append(clean(e.text())).append('\n');
        double[] p = Heat.softmax(e.logits());
        if (p.length == 0) {
            return;
        }
        if (p.length == 1) { // a single score (e.g. a similarity): probabilities mean nothing
            sb.append(clean(Heat.label(labels, 0, e.label()))).append(": ")
                    .append(String.format(java.util.Locale.ROOT, "%.4f", e.logits()[0])).append('\n');
            return;
        }
        int best = Heat.argmax(p);
        sb.append("prediction: ").append(clean(Heat.label(labels, best, null))).append("  (");
        for (int i = 0; i < p.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(clean(Heat.label(labels, i, null))).append(' ')
                    .append(String.format(java.util.Locale.ROOT, "%.4f", p[i]));
        }
        sb.append(")\n");
    }

    private void appendMethod(StringBuilder sb, Explanation e, List<String> labels) {
        sb.append(clean(e.method())).append("  (explaining ")
                .append(clean(Heat.label(labels, e.target(), e.label()))).append(")\n");
        List<String> parts = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        List<String> gaps = new ArrayList<>();
        if (tokenLevel) {
            for (Words.Token t : Words.tokens(e)) {
                gaps.add(parts.isEmpty() ? "" : " ");
                parts.add(t.token());
                values.add(t.relevance());
            }
        } else {
            String text = e.text();
            int pos = 0;
            for (Words.Word w : Words.words(e)) {
                gaps.add(w.start() >= pos ? text.substring(pos, w.start()) : " ");
                parts.add(w.text());
                values.add(w.relevance());
                pos = Math.max(pos, w.end());
            }
        }
        double max = Heat.maxAbs(values.stream().mapToDouble(Double::doubleValue).toArray());
        int dec = Heat.decimals(max);
        for (int i = 0; i < parts.size(); i++) {
            sb.append(clean(gaps.get(i))).append(cell(clean(parts.get(i)), values.get(i), max, dec));
        }
        sb.append('\n');
        appendLegend(sb, max, dec);
        sb.append(ConservationLine.of(e)).append('\n');
    }

    private void appendLegend(StringBuilder sb, double max, int dec) {
        String m = Heat.signed(max, dec).substring(1);
        if (mode == ColorMode.NONE) {
            sb.append("legend: [value] = relevance R; max |R| = ").append(m).append('\n');
            return;
        }
        sb.append("legend: -").append(m).append(' ');
        for (int k = -5; k <= 5; k++) {
            sb.append(paint("  ", k / 5.0, 1.0));
        }
        sb.append(" +").append(m).append("  (blue < 0 < red, max |R| = ").append(m).append(")\n");
    }

    private String cell(String s, double r, double max, int dec) {
        if (mode == ColorMode.NONE) {
            return s + "[" + Heat.signed(r, dec) + "]";
        }
        return paint(s, r, max);
    }

    /** The text wrapped in background/foreground escapes for the current mode. */
    String paint(String s, double r, double max) {
        int[] c = Heat.rgb(r, max);
        if (mode == ColorMode.TRUECOLOR) {
            String fg = Heat.darkText(c) ? "38;2;0;0;0" : "38;2;255;255;255";
            return ESC + "48;2;" + c[0] + ";" + c[1] + ";" + c[2] + "m" + ESC + fg + "m" + s + RESET;
        }
        int[] q = new int[3];
        int idx = 16;
        int[] weight = {36, 6, 1};
        for (int k = 0; k < 3; k++) {
            int level = nearestLevel(c[k]);
            q[k] = (int) CUBE[level];
            idx += weight[k] * level;
        }
        String fg = Heat.darkText(q) ? "38;5;16" : "38;5;231";
        return ESC + "48;5;" + idx + "m" + ESC + fg + "m" + s + RESET;
    }

    /** Index 0..5 of the 6x6x6-cube level nearest to the 0..255 value. */
    static int nearestLevel(int v) {
        int best = 0;
        for (int k = 1; k < CUBE.length; k++) {
            if (Math.abs(CUBE[k] - v) < Math.abs(CUBE[best] - v)) {
                best = k;
            }
        }
        return best;
    }

    /** Replaces control characters (ESC, newlines, ...) by spaces. */
    static String clean(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            b.append(Character.isISOControl(ch) ? ' ' : ch);
        }
        return b.toString();
    }
}
