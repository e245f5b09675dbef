package io.lrp.models.graph;

import io.lrp.LrpException;
import io.lrp.explain.Explanation;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;

/**
 * A digit and its superpixel explanations side by side: the plain digit (dark ink on white), then
 * one panel per method with every superpixel filled by its relevance (white to red for positive,
 * white to blue for negative, |R| / max |R| over that explanation's superpixels: the text
 * heatmaps' scale), the ink drawn over it in translucent black and the superpixel borders in grey.
 * The panel title names the method and the virtual node's relevance, which has no area to fill.
 */
public final class DigitPicture {
    private DigitPicture() {}

    /** Pixels per digit pixel, the gap between panels, the title height. */
    static final int SCALE = 8, GAP = 16, TITLE = 22;
    static final double INK = 0.55;

    /** A digit ready to explain: the picture, its segmentation and its graph. */
    public record Input(MnistData.Digit digit, Superpixels.Segmentation segmentation, Graph graph) {}

    /** The input of a digit for a superpixel model, or a clear error for another kind of model. */
    public static Input input(GraphModel m, MnistData.Digit d) {
        if (!Superpixels.FEATURIZER.equals(m.config().featurizer())) {
            throw new LrpException("model " + m.name() + " does not read digits (its featurizer is '" + m.config().featurizer()
                    + "'; train one with lrp train --arch graph --data ../shared/data/mnist)");
        }
        Superpixels.Segmentation s = Superpixels.segment(d.pixels());
        if (s.count() > m.config().maxNodes()) throw new LrpException(d.name() + ": " + s.count() + " superpixels, more than the model's " + m.config().maxNodes());
        return new Input(d, s, Superpixels.graph(d.name(), s));
    }

    /** The colour of each picture pixel in panel p (0: the plain digit, p >= 1: explanation p-1), as 0xRRGGBB. */
    static int[] panel(Input in, Explanation e) {
        int n = MnistData.PIXELS;
        int[] rgb = new int[n];
        double max = 1e-30;
        if (e != null) {
            if (e.relevance().length != in.segmentation().count() + 1) {
                throw new LrpException("explanation of " + e.relevance().length + " nodes for a digit of " + in.segmentation().count() + " superpixels");
            }
            for (int i = 1; i < e.relevance().length; i++) max = Math.max(max, Math.abs(e.relevance()[i]));
        }
        for (int p = 0; p < n; p++) {
            double ink = (in.digit().pixels()[p] & 0xff) / 255.0;
            double r = 255, g = 255, b = 255;
            if (e != null) {
                Color c = MoleculeSvg.color(e.relevance()[in.segmentation().labels()[p] + 1] / max);
                r = c.getRed();
                g = c.getGreen();
                b = c.getBlue();
            }
            double keep = 1 - (e == null ? 1.0 : INK) * ink;
            rgb[p] = ((int) Math.round(r * keep) << 16) | ((int) Math.round(g * keep) << 8) | (int) Math.round(b * keep);
        }
        return rgb;
    }

    static String title(Explanation e) {
        return String.format(Locale.ROOT, "%s ([GRAPH] %+.3f)", e.method(), e.relevance()[0]);
    }

    static int width(int panels) { return panels * MnistData.SIDE * SCALE + (panels - 1) * GAP; }

    static int height() { return TITLE + MnistData.SIDE * SCALE; }

    /** An SVG of the plain digit beside each explanation of the row. */
    public static String svg(Input in, List<Explanation> row) {
        int side = MnistData.SIDE, cell = SCALE, panels = row.size() + 1;
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">%n",
                width(panels), height(), width(panels), height()));
        b.append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        for (int k = 0; k < panels; k++) {
            Explanation e = k == 0 ? null : row.get(k - 1);
            int x0 = k * (side * cell + GAP);
            String t = e == null ? String.format(Locale.ROOT, "%s (%d superpixels)", in.digit().name(), in.segmentation().count()) : title(e);
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"15\" font-family=\"sans-serif\" font-size=\"12\">%s</text>%n", x0, escape(t)));
            b.append(String.format(Locale.ROOT, "<g transform=\"translate(%d,%d)\" shape-rendering=\"crispEdges\">%n", x0, TITLE));
            int[] rgb = panel(in, e);
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; ) {
                    int run = 1;   // one rectangle per run of equal colour keeps the file small
                    while (x + run < side && rgb[y * side + x + run] == rgb[y * side + x]) run++;
                    b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#%06x\"/>", x * cell, y * cell,
                            run * cell, cell, rgb[y * side + x]));
                    x += run;
                }
                b.append('\n');
            }
            if (e != null) {
                b.append("<path stroke=\"#808080\" stroke-width=\"1\" fill=\"none\" d=\"");
                int[] lab = in.segmentation().labels();
                for (int y = 0; y < side; y++) {
                    for (int x = 0; x < side; x++) {
                        if (x + 1 < side && lab[y * side + x] != lab[y * side + x + 1]) b.append(String.format(Locale.ROOT, "M%d %dv%d", (x + 1) * cell, y * cell, cell));
                        if (y + 1 < side && lab[y * side + x] != lab[(y + 1) * side + x]) b.append(String.format(Locale.ROOT, "M%d %dh%d", x * cell, (y + 1) * cell, cell));
                    }
                }
                b.append("\"/>\n");
            }
            b.append("</g>\n");
        }
        b.append("</svg>\n");
        return b.toString();
    }

    /** The same picture as pixels (for PNG). */
    public static BufferedImage image(Input in, List<Explanation> row) {
        int side = MnistData.SIDE, cell = SCALE, panels = row.size() + 1;
        BufferedImage img = new BufferedImage(width(panels), height(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, img.getWidth(), img.getHeight());
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            for (int k = 0; k < panels; k++) {
                Explanation e = k == 0 ? null : row.get(k - 1);
                int x0 = k * (side * cell + GAP);
                g.setColor(Color.BLACK);
                g.drawString(e == null ? String.format(Locale.ROOT, "%s (%d superpixels)", in.digit().name(), in.segmentation().count()) : title(e), x0, 15);
                int[] rgb = panel(in, e);
                for (int p = 0; p < rgb.length; p++) {
                    g.setColor(new Color(rgb[p]));
                    g.fillRect(x0 + (p % side) * cell, TITLE + (p / side) * cell, cell, cell);
                }
                if (e == null) continue;
                g.setColor(Color.GRAY);
                g.setStroke(new BasicStroke(1f));
                int[] lab = in.segmentation().labels();
                for (int y = 0; y < side; y++) {
                    for (int x = 0; x < side; x++) {
                        int px = x0 + x * cell, py = TITLE + y * cell;
                        if (x + 1 < side && lab[y * side + x] != lab[y * side + x + 1]) g.drawLine(px + cell, py, px + cell, py + cell);
                        if (y + 1 < side && lab[y * side + x] != lab[(y + 1) * side + x]) g.drawLine(px, py + cell, px + cell, py + cell);
                    }
                }
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    /** Writes the PNG, checking that a writer took it. */
    public static void writePng(Input in, List<Explanation> row, java.nio.file.Path file) {
        try {
            if (!javax.imageio.ImageIO.write(image(in, row), "png", file.toFile())) throw new LrpException("no PNG writer for " + file);
        } catch (java.io.IOException e) {
            throw new LrpException("cannot write " + file + ": " + e.getMessage());
        }
    }

    private static String escape(String s) { return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"); }
}
