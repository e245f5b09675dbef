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
    private final int width;

    /**
     * @param tokenLevel false: words (default view); true: tokens incl. [CLS]/[SEP] and ## pieces
     * @param width      columns of the terminal: the text and heat lines are wrapped at word
     *                   boundaries to fit (a word longer than a line is split); 0: no wrapping
     */
    public TerminalHeatmap(ColorMode mode, boolean tokenLevel, int width) {
        this.mode = Objects.requireNonNull(mode);
        this.tokenLevel = tokenLevel;
        this.width = Math.max(0, width);
    }

    /** No wrapping. */
    public TerminalHeatmap(ColorMode mode, boolean tokenLevel) {
        this(mode, tokenLevel, 0);
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

    /** Convenience for {@code new TerminalHeatmap(mode, tokenLevel, width).render(...)}. */
    public static String render(List<Explanation> explanations, List<String> labelNames,
                                ColorMode mode, boolean tokenLevel, int width) {
        return new TerminalHeatmap(mode, tokenLevel, width).render(explanations, labelNames);
    }

    /**
     * The terminal's width for standard output: the system property {@code lrp.columns}, which the
     * {@code lrp} launcher sets when standard output is a terminal; 0 (no wrapping) when it is unset
     * or not a positive number, so that files and pipes get one line per heat map.
     */
    public static int terminalColumns() {
        return terminalColumnsOf(System.getProperty("lrp.columns"));
    }

    static int terminalColumnsOf(String value) {
        try {
            int n = value == null ? 0 : Integer.parseInt(value.trim());
            return n > 0 ? n : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
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
                appendPrediction(sb, e, labelNames, width);
            }
            sb.append('\n');
            appendMethod(sb, e, labelNames);
        }
        return sb.toString();
    }

    private static void appendPrediction(StringBuilder sb, Explanation e, List<String> labels, int width) {
        sb.append(wrapPlain("text: " + clean(e.text()), width)).append('\n');
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
        appendWrapped(sb, gaps, parts, values, max, dec);
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

    /**
     * The heat line: cells separated by their gaps. A gap of white space is where a line may
     * break (the gap is then dropped); cells joined without one ("charming" and ",") stay on one
     * line unless together they are wider than a line, and then they are split at its end.
     */
    private void appendWrapped(StringBuilder sb, List<String> gaps, List<String> parts, List<Double> values,
                               double max, int dec) {
        // units: runs of cells with no breakable gap between them
        List<List<Integer>> units = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            if (i == 0 || breakable(clean(gaps.get(i)))) units.add(new ArrayList<>());
            units.get(units.size() - 1).add(i);
        }
        int col = 0;
        for (List<Integer> unit : units) {
            int first = unit.get(0);
            String lead = clean(gaps.get(first));
            int w = 0;
            for (int i : unit) w += (i == first ? 0 : displayWidth(clean(gaps.get(i)))) + displayWidth(visible(parts.get(i), values.get(i), dec));
            if (width > 0 && col > 0 && first > 0 && breakable(lead) && col + displayWidth(lead) + w > width) {
                sb.append('\n');
                col = 0;
            } else {
                sb.append(lead);
                col += displayWidth(lead);
            }
            for (int i : unit) {
                if (i != first) col = appendSplit(sb, clean(gaps.get(i)), col, null, max);
                col = appendSplit(sb, visible(parts.get(i), values.get(i), dec), col, values.get(i), max);
            }
        }
    }

    /** What a cell shows: the word, and in plain mode its value in brackets. */
    private String visible(String part, double r, int dec) {
        String s = clean(part);
        return mode == ColorMode.NONE ? s + "[" + Heat.signed(r, dec) + "]" : s;
    }

    /** Appends s (painted for relevance r, or plain if r is null), breaking it at the line's end; returns the column. */
    private int appendSplit(StringBuilder sb, String s, int col, Double r, double max) {
        StringBuilder chunk = new StringBuilder();
        for (int k = 0; k < s.length(); ) {
            int cp = s.codePointAt(k);
            int cw = displayWidth(cp);
            if (width > 0 && col > 0 && col + cw > width) {
                sb.append(paintOrPlain(chunk.toString(), r, max)).append('\n');
                chunk.setLength(0);
                col = 0;
            }
            chunk.appendCodePoint(cp);
            col += cw;
            k += Character.charCount(cp);
        }
        sb.append(paintOrPlain(chunk.toString(), r, max));
        return col;
    }

    private String paintOrPlain(String s, Double r, double max) {
        return r == null || s.isEmpty() || mode == ColorMode.NONE ? s : paint(s, r, max);
    }

    private static boolean breakable(String gap) {
        return !gap.isEmpty() && gap.chars().allMatch(Character::isWhitespace);
    }

    /** A plain line wrapped at spaces to the width (a word longer than a line is split). */
    static String wrapPlain(String line, int width) {
        if (width <= 0 || displayWidth(line) <= width) {
            return line;
        }
        StringBuilder sb = new StringBuilder();
        int col = 0;
        for (String word : line.split(" ", -1)) {
            int w = displayWidth(word);
            if (col > 0 && col + 1 + w > width) {
                sb.append('\n');
                col = 0;
            } else if (col > 0) {
                sb.append(' ');
                col++;
            }
            for (int k = 0; k < word.length(); ) {
                int cp = word.codePointAt(k);
                if (col > 0 && col + displayWidth(cp) > width) {
                    sb.append('\n');
                    col = 0;
                }
                sb.appendCodePoint(cp);
                col += displayWidth(cp);
                k += Character.charCount(cp);
            }
        }
        return sb.toString();
    }

    /** Columns a string takes in a terminal: combining marks none, East Asian wide characters two. */
    static int displayWidth(String s) {
        int w = 0;
        for (int k = 0; k < s.length(); ) {
            int cp = s.codePointAt(k);
            w += displayWidth(cp);
            k += Character.charCount(cp);
        }
        return w;
    }

    private static int displayWidth(int cp) {
        int type = Character.getType(cp);
        if (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK || cp == 0x200B) {
            return 0;
        }
        boolean wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF && cp != 0x303F)
                || (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F)
                || (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F)
                || (cp >= 0x1F900 && cp <= 0x1F9FF) || (cp >= 0x20000 && cp <= 0x3FFFD);
        return wide ? 2 : 1;
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
