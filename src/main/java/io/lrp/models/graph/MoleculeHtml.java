package io.lrp.models.graph;

import io.lrp.explain.Explanation;
import io.lrp.viz.ConservationLine;
import io.lrp.viz.HtmlReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One self-contained HTML page (inline CSS and SVG, no external resources) for molecules: per
 * molecule its SMILES and prediction, then one drawing per method side by side (the
 * {@link MoleculeSvg} colours: red raises the explained logit, blue lowers it, each drawing scaled
 * to its own largest atom), each with its conservation line and most relevant atoms.
 */
public final class MoleculeHtml {
    private MoleculeHtml() {}

    /** Atoms listed under each drawing. */
    static final int TOP = 5;

    /** @param rows one list per molecule, one explanation per method; labels name the logits */
    public static String render(String title, List<List<Explanation>> rows, List<String> labels) {
        StringBuilder b = new StringBuilder(1 << 16);
        b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").append(HtmlReport.esc(title))
                .append("</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n<h1>").append(HtmlReport.esc(title)).append("</h1>\n")
                .append("<p class=\"legend\">Atoms glow <span class=\"pos\">red</span> where they raise the explained logit and ")
                .append("<span class=\"neg\">blue</span> where they lower it, full strength at the largest |R| of each drawing. ")
                .append("[GRAPH] is the virtual readout node (no atom to colour): its relevance is in each caption.</p>\n");
        int n = 0;
        for (List<Explanation> row : rows) {
            if (row.isEmpty()) continue;
            Explanation first = row.get(0);
            b.append("<section class=\"molecule\">\n<h2>Molecule ").append(++n).append("</h2>\n<p class=\"smiles\">")
                    .append(HtmlReport.esc(first.text())).append("</p>\n<p class=\"prediction\">").append(prediction(first, labels)).append("</p>\n")
                    .append("<div class=\"row\">\n");
            for (Explanation e : row) figure(b, e, labels);
            b.append("</div>\n</section>\n");
        }
        return b.append("</body>\n</html>\n").toString();
    }

    static String prediction(Explanation e, List<String> labels) {
        double[] z = e.logits();
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (double v : z) max = Math.max(max, v);
        for (double v : z) sum += Math.exp(v - max);
        StringBuilder s = new StringBuilder();
        int best = 0;
        for (int c = 0; c < z.length; c++) {
            if (z[c] > z[best]) best = c;
            s.append(c > 0 ? ", " : "").append(HtmlReport.esc(name(labels, c))).append(String.format(Locale.ROOT, " %.4f", Math.exp(z[c] - max) / sum));
        }
        return "prediction: <b>" + HtmlReport.esc(name(labels, best)) + "</b> (" + s + ")";
    }

    static String name(List<String> labels, int c) { return labels != null && c < labels.size() ? labels.get(c) : "class " + c; }

    private static void figure(StringBuilder b, Explanation e, List<String> labels) {
        String svg = MoleculeSvg.render(e.text(), List.of(e));
        int start = svg.indexOf("<svg");
        b.append("<figure data-method=\"").append(HtmlReport.esc(e.method())).append("\">\n")
                .append(start < 0 ? svg : svg.substring(start)).append('\n')
                .append("<figcaption><b>").append(HtmlReport.esc(e.method())).append("</b> explaining ")
                .append(HtmlReport.esc(name(labels, e.target()))).append("<br>\n<span class=\"cons\">")
                .append(HtmlReport.esc(ConservationLine.of(e))).append("</span><br>\ntop atoms:");
        topNodes(b, e);
        b.append("</figcaption>\n</figure>\n");
    }

    /** The TOP nodes of largest |R|, each with its signed relevance, red or blue. */
    static void topNodes(StringBuilder b, Explanation e) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < e.relevance().length; i++) order.add(i);
        order.sort((x, y) -> Double.compare(Math.abs(e.relevance()[y]), Math.abs(e.relevance()[x])));
        for (int i = 0; i < Math.min(TOP, order.size()); i++) {
            int at = order.get(i);
            double r = e.relevance()[at];
            b.append(" <span class=\"").append(r >= 0 ? "pos" : "neg").append("\" data-r=\"").append(r).append("\">")
                    .append(HtmlReport.esc(e.tokens()[at])).append(String.format(Locale.ROOT, " %+.3f", r)).append("</span>");
        }
    }

    static final String CSS = """
            body{font-family:system-ui,sans-serif;margin:1.5em;color:#222;background:#fafafa}
            h1{font-size:1.4em}h2{font-size:1.15em;margin-bottom:.2em}
            .molecule{border-top:1px solid #ccc;margin-top:1em}
            .smiles{font-family:ui-monospace,monospace;color:#444;word-break:break-all}
            .row{display:flex;flex-wrap:wrap;gap:1em;align-items:flex-start}
            figure{margin:0;background:#fff;border:1px solid #ddd;padding:.5em;max-width:28em}
            figure svg{width:26em;height:auto;display:block}
            figcaption{font-size:.85em;color:#444;margin-top:.3em}
            .pos{color:#c00}.neg{color:#00c}.cons{color:#666}
            """;
}
