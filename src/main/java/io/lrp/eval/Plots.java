package io.lrp.eval;

import de.erichseifert.vectorgraphics2d.Document;
import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The evaluation's figures, drawn with XChart (headless):
 * <ul>
 *   <li>curves.png and curves.svg: two panels side by side, the mean evidence E against the
 *       fraction of tokens for generate (restored, most relevant first) and for pruning
 *       (removed, least relevant first), one line per method, as in the paper's figure. Each
 *       panel is an XChart chart; the two are painted next to each other into one image (PNG)
 *       and into one SVG document.</li>
 *   <li>conservation.png and conservation.svg: against the explained logit, one point per
 *       sample, sum R + bias relevance for lrp-ah-ln and lrp-ah-ln-cp (conservation holds on the diagonal y = x)
 *       and sum R for gi (which reports no bias).</li>
 * </ul>
 */
public final class Plots {
    private Plots() {}

    static {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    static final int PANEL_W = 600, PANEL_H = 450, CURVES_W = 760;

    private static final Color[] COLORS = {
        new Color(0xd6, 0x27, 0x28), new Color(0x1f, 0x77, 0xb4), new Color(0x2c, 0xa0, 0x2c), new Color(0xff, 0x7f, 0x0e),
        new Color(0x94, 0x67, 0xbd), new Color(0x8c, 0x56, 0x4b), new Color(0xe3, 0x77, 0xc2), new Color(0x7f, 0x7f, 0x7f),
        new Color(0xbc, 0xbd, 0x22), new Color(0x17, 0xbe, 0xcf), new Color(0x00, 0x00, 0x00)
    };

    /** One colour per method, fixed (the same method has the same colour in every figure); lrp-ah and lrp-ah-ln far apart. */
    private static final Map<String, Color> METHOD_COLORS = Map.ofEntries(
            Map.entry("lrp-ah-ln", new Color(0xd6, 0x27, 0x28)), Map.entry("gi", new Color(0x1f, 0x77, 0xb4)),
            Map.entry("lrp-ah", new Color(0x2c, 0xa0, 0x2c)), Map.entry("gae", new Color(0xff, 0x7f, 0x0e)),
            Map.entry("rollout", new Color(0x94, 0x67, 0xbd)), Map.entry("a-last", new Color(0x8c, 0x56, 0x4b)),
            Map.entry("attnlrp", new Color(0xe3, 0x77, 0xc2)), Map.entry("random", new Color(0x7f, 0x7f, 0x7f)),
            Map.entry("saliency", new Color(0xbc, 0xbd, 0x22)), Map.entry("ig", new Color(0x17, 0xbe, 0xcf)),
            Map.entry("occlusion", new Color(0x00, 0x00, 0x00)), Map.entry("attention-flow", new Color(0x00, 0x00, 0x80)),
            Map.entry("lrp-ah-ln-cp", new Color(0x8b, 0x00, 0x00)));

    /** The method's colour; methods outside the table get the palette's colours in turn. */
    static Color color(String method, int i) {
        Color c = METHOD_COLORS.get(method);
        return c != null ? c : COLORS[i % COLORS.length];
    }

    /** curves.png and curves.svg in dir. */
    public static void curves(Map<String, Curves.Summary> summaries, Path dir) throws IOException { curves(summaries, dir, null); }

    /** As above; about (e.g. "minilm-sst2 on stsa.binary.dev, 872 examples") goes into the titles. */
    public static void curves(Map<String, Curves.Summary> summaries, Path dir, String about) throws IOException {
        curves(summaries, dir, about, "tokens");
    }

    /** As above; unit names what is perturbed on the x axes ("tokens", "atoms"). */
    public static void curves(Map<String, Curves.Summary> summaries, Path dir, String about, String unit) throws IOException {
        List<XYChart> panels = curvesCharts(summaries, about, unit);
        writePng(panels, dir.resolve("curves.png"));
        writeSvg(panels, dir.resolve("curves.svg"));
    }

    /** The two panels of curves.png: generate and pruning. */
    static List<XYChart> curvesCharts(Map<String, Curves.Summary> summaries, String about) { return curvesCharts(summaries, about, "tokens"); }

    static List<XYChart> curvesCharts(Map<String, Curves.Summary> summaries, String about, String unit) {
        XYChart gen = panel("generate (MoRF insertion)", about, "fraction of " + unit + " restored (legend: AUAC)", summaries, true);
        XYChart pru = panel("pruning (LeRF deletion)", about, "fraction of " + unit + " removed (legend: AUPC)", summaries, false);
        return List.of(gen, pru);
    }

    /**
     * "head: about", with about shortened in its middle ("...") so that the title fits: XChart centres
     * a title over the plot area (left of a legend placed outside) and clips what runs past the
     * chart's edges. legendNames: the series of a legend outside on the right, else null.
     */
    static String fitTitle(XYChart c, String head, String about, List<String> legendNames) {
        if (about == null) return head;
        BufferedImage img = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            java.awt.font.FontRenderContext frc = g.getFontRenderContext();
            double legend = 0;
            if (legendNames != null) {
                for (String n : legendNames) legend = Math.max(legend, c.getStyler().getLegendFont().getStringBounds(n, frc).getWidth());
                legend += LEGEND_EXTRA;
            }
            double center = (PLOT_LEFT + c.getWidth() - legend) / 2;
            double max = 2 * Math.min(center, c.getWidth() - center) - 2 * TITLE_MARGIN;
            java.awt.Font font = c.getStyler().getChartTitleFont();
            String t = head + ": " + about;
            for (int keep = about.length() - 1; font.getStringBounds(t, frc).getWidth() > max && keep > 0; keep--) {
                int left = (keep + 1) / 2, right = keep / 2;
                t = head + ": " + about.substring(0, left) + "..." + about.substring(about.length() - right);
            }
            return t;
        } finally {
            g.dispose();
        }
    }

    /** Where XChart's plot area starts (the y axis, its title and labels), and what a legend adds to its names, in pixels. */
    static final int PLOT_LEFT = 70, LEGEND_EXTRA = 60;

    /** Room left free on each side of a title, in pixels. */
    static final int TITLE_MARGIN = 20;

    private static XYChart panel(String head, String about, String xTitle, Map<String, Curves.Summary> summaries, boolean generate) {
        XYChart c = new XYChartBuilder().width(CURVES_W).height(PANEL_H)
                .xAxisTitle(xTitle).yAxisTitle("mean E = softmax(z)[y]").build();
        style(c);
        List<String> names = new java.util.ArrayList<>();
        for (var e : summaries.entrySet()) {
            if (e.getValue().n() > 0) names.add(String.format(java.util.Locale.ROOT, "%s (%.3f)", e.getKey(), 0.0));
        }
        c.setTitle(fitTitle(c, head, about, names));
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        c.getStyler().setXAxisMin(0.0).setXAxisMax(1.0);
        int i = 0;
        for (var e : summaries.entrySet()) {
            Curves.Summary s = e.getValue();
            if (s.n() == 0) continue;
            double area = generate ? s.auac() : s.aupc();
            String name = String.format(java.util.Locale.ROOT, "%s (%.3f)", e.getKey(), area);
            XYSeries ser = c.addSeries(name, s.fracs(), generate ? s.meanGenerateE() : s.meanPruningE());
            Color col = color(e.getKey(), i++);
            ser.setLineColor(col);
            ser.setMarkerColor(col);
            ser.setMarker(SeriesMarkers.CIRCLE);
            ser.setLineStyle(e.getKey().equals("lrp-ah") ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                    new float[] {8f, 4f}, 0f) : new BasicStroke(2f)); // dashed: told apart from lrp-ah-ln also without colour
        }
        return c;
    }

    /** conservation.png and conservation.svg in dir: sum R (+ bias, where reported) against the explained logit. */
    public static void conservation(Map<String, List<SampleRecord>> byMethod, Path dir) throws IOException { conservation(byMethod, dir, null); }

    /**
     * What the conservation plot shows for one sample: sum R + bias relevance for a method that
     * reports the bias (lrp-ah-ln: on the diagonal where conservation holds), else sum R.
     */
    static double conservationY(SampleRecord r) {
        return r.biasRelevance() == null ? r.relevanceSum() : r.relevanceSum() + r.biasRelevance();
    }

    /** The series name says what its points are. */
    static String conservationSeries(String method, List<SampleRecord> rs) {
        return method + (rs.get(0).biasRelevance() == null ? ": sum R" : ": sum R + bias");
    }

    public static void conservation(Map<String, List<SampleRecord>> byMethod, Path dir, String about) throws IOException {
        XYChart c = conservationChart(byMethod, about);
        writePng(List.of(c), dir.resolve("conservation.png"));
        writeSvg(List.of(c), dir.resolve("conservation.svg"));
    }

    static XYChart conservationChart(Map<String, List<SampleRecord>> byMethod, String about) {
        XYChart c = new XYChartBuilder().width(PANEL_W).height(PANEL_H)
                .xAxisTitle("explained logit").yAxisTitle("sum R + bias where a bias is reported, else sum R").build();
        style(c);
        c.setTitle(fitTitle(c, "conservation", about, null));
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        int i = 0;
        for (var e : byMethod.entrySet()) {
            List<SampleRecord> rs = e.getValue();
            if (rs.isEmpty()) continue;
            double[] x = new double[rs.size()], y = new double[rs.size()];
            for (int k = 0; k < rs.size(); k++) {
                x[k] = rs.get(k).logit();
                y[k] = conservationY(rs.get(k));
                lo = Math.min(lo, Math.min(x[k], y[k]));
                hi = Math.max(hi, Math.max(x[k], y[k]));
            }
            XYSeries s = c.addSeries(conservationSeries(e.getKey(), rs), x, y);
            s.setMarker(i % 2 == 0 ? SeriesMarkers.CIRCLE : SeriesMarkers.DIAMOND);
            s.setMarkerColor(color(e.getKey(), i));
            i++;
        }
        if (lo <= hi && Double.isFinite(lo) && Double.isFinite(hi)) {
            if (lo == hi) { lo -= 1; hi += 1; }
            XYSeries d = c.addSeries("y = x", new double[] {lo, hi}, new double[] {lo, hi});
            d.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            d.setMarker(SeriesMarkers.NONE);
            d.setLineColor(Color.GRAY);
            d.setLineStyle(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        }
        return c;
    }

    private static void style(XYChart c) {
        Styler s = c.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderColor(Color.DARK_GRAY);
        s.setLegendBorderColor(Color.LIGHT_GRAY);
        s.setMarkerSize(6);
        s.setLocale(java.util.Locale.ROOT);
        c.getStyler().setPlotGridLinesColor(new Color(0xe0, 0xe0, 0xe0));
    }

    /** The panels painted side by side into one PNG. */
    static void writePng(List<XYChart> panels, Path file) throws IOException {
        int w = 0, h = 0;
        for (XYChart c : panels) {
            w += c.getWidth();
            h = Math.max(h, c.getHeight());
        }
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            paintSideBySide(g, panels);
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(img, "png", out)) throw new IOException("no PNG writer");
        write(file, out.toByteArray());
    }

    /** Paints the panels left to right, each clipped to its own width. */
    private static void paintSideBySide(Graphics2D g, List<XYChart> panels) {
        int x = 0;
        for (XYChart c : panels) {
            AffineTransform saved = g.getTransform();
            g.translate(x, 0);
            g.setClip(0, 0, c.getWidth(), c.getHeight());
            c.paint(g, c.getWidth(), c.getHeight());
            g.setClip(null);
            g.setTransform(saved);
            x += c.getWidth();
        }
    }

    /** The panels painted side by side into one SVG document. */
    static void writeSvg(List<XYChart> panels, Path file) throws IOException {
        int w = 0, h = 0;
        for (XYChart c : panels) {
            w += c.getWidth();
            h = Math.max(h, c.getHeight());
        }
        VectorGraphics2D g = new VectorGraphics2D();
        paintSideBySide(g, panels);
        Document doc = new SVGProcessor().getDocument(g.getCommands(), new PageSize(0, 0, w, h));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        doc.writeTo(out);
        write(file, out.toByteArray());
    }

    private static void write(Path file, byte[] bytes) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
