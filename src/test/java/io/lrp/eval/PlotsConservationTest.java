package io.lrp.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The conservation plot shows sum R + bias where a bias is reported, says so, and names model and data. */
class PlotsConservationTest {

    @Test
    void pointsAreSumPlusBiasAndTheCaptionSaysSo(@TempDir Path dir) throws Exception {
        Path data = Files.write(dir.resolve("tiny.txt"), List.of("1 a wonderful film", "0 a terrible bore", "1 i loved it", "0 dull and lifeless"));
        io.lrp.models.Model model = io.lrp.models.ModelLoader.load("minilm-sst2");
        Evaluation.Report rep = new Evaluation(model, io.lrp.data.Datasets.read(data, null),
                new Evaluation.Settings(List.of(io.lrp.explain.Method.LRP_AH_LN), 0, 0, 4, false), dir.resolve("run"))
                .progress(null).plots(true).run();
        List<SampleRecord> lrp = rep.records().get("lrp-ah-ln");
        assertTrue(Files.size(dir.resolve("run/conservation.svg")) > 0 && Files.size(dir.resolve("run/curves.png")) > 0);
        for (SampleRecord r : lrp) {
            assertTrue(r.biasRelevance() != null);
            assertEquals(r.logit(), Plots.conservationY(r), 1e-5 * Math.max(1, Math.abs(r.logit())), "on the diagonal");
            assertNotEquals(r.logit(), r.relevanceSum(), 1e-3, "the bias is not negligible on this model");
        }
        Map<String, List<SampleRecord>> by = new LinkedHashMap<>();
        by.put("lrp-ah-ln", lrp);
        var chart = Plots.conservationChart(by, "minilm-sst2 on tiny.txt, 4 examples");
        assertTrue(chart.getSeries("lrp-ah-ln: sum R + bias") != null, "legend");
        assertTrue(chart.getTitle().contains("minilm-sst2 on tiny.txt"), chart.getTitle());
        assertEquals("sum R + bias where a bias is reported, else sum R", chart.getYAxisTitle());
        double[] y = chart.getSeries("lrp-ah-ln: sum R + bias").getYData();
        for (int k = 0; k < y.length; k++) assertEquals(lrp.get(k).logit(), y[k], 1e-5 * Math.max(1, Math.abs(lrp.get(k).logit())));
    }

    @Test
    void everyMethodHasItsOwnColour() {
        Set<java.awt.Color> seen = new HashSet<>();
        int i = 0;
        for (io.lrp.explain.Method m : io.lrp.explain.Method.values()) assertTrue(seen.add(Plots.color(m.id(), i++)), m.id());
        // not merely different numbers: every two methods at least 60 apart in RGB (about a quarter of a channel's range)
        io.lrp.explain.Method[] ms = io.lrp.explain.Method.values();
        for (int a = 0; a < ms.length; a++) {
            for (int b = a + 1; b < ms.length; b++) {
                java.awt.Color x = Plots.color(ms[a].id(), a), y = Plots.color(ms[b].id(), b);
                double d = Math.sqrt(Math.pow(x.getRed() - y.getRed(), 2) + Math.pow(x.getGreen() - y.getGreen(), 2)
                        + Math.pow(x.getBlue() - y.getBlue(), 2));
                assertTrue(d >= 60, ms[a].id() + " and " + ms[b].id() + " are " + d + " apart");
            }
        }
    }

    /** All 13 methods on one figure: titles name model and data; lrp-ah is dashed, lrp-ah-ln solid, in other colours. */
    @Test
    void curvesNameModelAndDataAndTellLrpAhFromLrpAhLn() {
        Map<String, Curves.Summary> summaries = new LinkedHashMap<>();
        int k = 0;
        for (io.lrp.explain.Method m : io.lrp.explain.Method.values()) {
            double[] f = {0, 0.5, 1}, e = {0.5, 0.6 + 0.01 * k, 0.9};
            summaries.put(m.id(), new Curves.Summary(4, f, e, e, e, e, 0.6, 0.6, 0.1, 0.6));
            k++;
        }
        List<org.knowm.xchart.XYChart> panels = Plots.curvesCharts(summaries, "paper-sst2 on stsa.binary.test, 1821 examples");
        assertEquals(2, panels.size());
        for (org.knowm.xchart.XYChart c : panels) {
            assertTrue(c.getTitle().contains("paper-sst2 on stsa.binary.test, 1821 examples"), c.getTitle());
            var ah = c.getSeries("lrp-ah (0.600)");
            var ahLn = c.getSeries("lrp-ah-ln (0.600)");
            assertTrue(ah.getLineStyle().getDashArray() != null, "lrp-ah dashed");
            assertTrue(ahLn.getLineStyle().getDashArray() == null, "lrp-ah-ln solid");
            assertNotEquals(ah.getLineColor(), ahLn.getLineColor());
            Set<java.awt.Color> colours = new HashSet<>();
            for (String id : summaries.keySet()) colours.add(c.getSeries(id + " (0.600)").getLineColor());
            assertEquals(13, colours.size(), "no colour repeats with 13 methods");
        }
    }

    /** A title XChart would clip (it centres it over the plot area) is shortened in its middle; nothing is drawn at the edges. */
    @Test
    void longTitlesAreShortenedNotClipped() {
        Map<String, Curves.Summary> summaries = new LinkedHashMap<>();
        for (io.lrp.explain.Method m : io.lrp.explain.Method.values()) {
            double[] f = {0, 0.5, 1}, e = {0.5, 0.7, 0.9};
            summaries.put(m.id(), new Curves.Summary(4, f, e, e, e, e, 0.6, 0.6, 0.1, 0.6));
        }
        String about = "paper-sst2 on a-data-file-with-a-rather-long-name-for-a-title.jsonl, 688 examples";
        List<org.knowm.xchart.XYChart> charts = new java.util.ArrayList<>(Plots.curvesCharts(summaries, about));
        Map<String, List<SampleRecord>> by = new LinkedHashMap<>();
        List<SampleRecord> rs = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            rs.add(new SampleRecord(i, i + 1, "gi", 1, 3, new int[3], new double[] {i}, i + 0.5, null, new double[2],
                    new double[11], new double[11], new double[11], new double[11]));
        }
        by.put("gi", rs);
        charts.add(Plots.conservationChart(by, about));
        for (org.knowm.xchart.XYChart c : charts) {
            String t = c.getTitle();
            assertTrue(t.contains(": paper-sst2 on a-") && t.endsWith(", 688 examples") && t.contains("..."), t);
            java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(c.getWidth(), c.getHeight(),
                    java.awt.image.BufferedImage.TYPE_INT_RGB);
            java.awt.Graphics2D g = img.createGraphics();
            c.paint(g, c.getWidth(), c.getHeight());
            g.dispose();
            int inked = 0;
            for (int y = 0; y < 30; y++) {   // the title's band
                for (int x = 0; x < c.getWidth(); x++) {
                    boolean ink = (img.getRGB(x, y) & 0xffffff) != 0xffffff;
                    if (ink) inked++;
                    if (x < 4 || x >= c.getWidth() - 4) assertTrue(!ink, t + ": drawn at the edge, x = " + x + ", y = " + y);
                }
            }
            assertTrue(inked > 200, "a title is drawn: " + inked);
        }
        // a short one is left whole
        assertEquals("conservation: minilm-sst2 on d.txt, 4 examples", Plots.conservationChart(by, "minilm-sst2 on d.txt, 4 examples").getTitle());
    }
}
