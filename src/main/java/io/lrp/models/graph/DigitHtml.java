package io.lrp.models.graph;

import io.lrp.explain.Explanation;
import io.lrp.viz.ConservationLine;
import io.lrp.viz.HtmlReport;
import java.util.List;

/**
 * One self-contained HTML page for digits: per digit its prediction, the {@link DigitPicture}
 * (the plain digit beside one panel per method, superpixels red where they raise the explained
 * logit and blue where they lower it), and under it one caption per method with its
 * conservation line and most relevant superpixels.
 */
public final class DigitHtml {
    private DigitHtml() {}

    /** @param rows one list per digit, one explanation per method, in the order of inputs */
    public static String render(String title, List<DigitPicture.Input> inputs, List<List<Explanation>> rows, List<String> labels) {
        if (inputs.size() != rows.size()) throw new IllegalArgumentException(inputs.size() + " digits, " + rows.size() + " rows");
        StringBuilder b = new StringBuilder(1 << 16);
        b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").append(HtmlReport.esc(title))
                .append("</title>\n<style>\n").append(MoleculeHtml.CSS).append(CSS).append("</style>\n</head>\n<body>\n<h1>")
                .append(HtmlReport.esc(title)).append("</h1>\n")
                .append("<p class=\"legend\">Superpixels glow <span class=\"pos\">red</span> where they raise the explained logit and ")
                .append("<span class=\"neg\">blue</span> where they lower it, full strength at the largest |R| of each panel; the ink is ")
                .append("drawn over them, the first panel is the plain digit. [GRAPH] is the virtual readout node: its relevance is in ")
                .append("each panel's title.</p>\n");
        for (int d = 0; d < rows.size(); d++) {
            List<Explanation> row = rows.get(d);
            if (row.isEmpty()) continue;
            MnistData.Digit digit = inputs.get(d).digit();
            b.append("<section class=\"digit\">\n<h2>").append(HtmlReport.esc(digit.name()))
                    .append(digit.label() >= 0 ? " (true label " + digit.label() + ")" : "").append(", ")
                    .append(inputs.get(d).segmentation().count()).append(" superpixels</h2>\n<p class=\"prediction\">")
                    .append(MoleculeHtml.prediction(row.get(0), labels)).append("</p>\n");
            String svg = DigitPicture.svg(inputs.get(d), row);
            int start = svg.indexOf("<svg");
            b.append("<div class=\"picture\">").append(start < 0 ? svg : svg.substring(start)).append("</div>\n<div class=\"row\">\n");
            for (Explanation e : row) {
                b.append("<p class=\"caption\" data-method=\"").append(HtmlReport.esc(e.method())).append("\"><b>")
                        .append(HtmlReport.esc(e.method())).append("</b> explaining ").append(HtmlReport.esc(MoleculeHtml.name(labels, e.target())))
                        .append("<br>\n<span class=\"cons\">").append(HtmlReport.esc(ConservationLine.of(e))).append("</span><br>\ntop superpixels:");
                MoleculeHtml.topNodes(b, e);
                b.append("</p>\n");
            }
            b.append("</div>\n</section>\n");
        }
        return b.append("</body>\n</html>\n").toString();
    }

    private static final String CSS = """
            .digit{border-top:1px solid #ccc;margin-top:1em}
            .picture svg{max-width:100%;height:auto;display:block;background:#fff}
            .caption{font-size:.85em;color:#444;background:#fff;border:1px solid #ddd;padding:.5em;margin:0;max-width:22em}
            """;
}
