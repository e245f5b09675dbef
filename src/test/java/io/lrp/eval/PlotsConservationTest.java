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
        assertTrue(chart.getTitle().contains("minilm-sst2 on tiny.txt") && chart.getTitle().contains("sum R + bias"), chart.getTitle());
        double[] y = chart.getSeries("lrp-ah-ln: sum R + bias").getYData();
        for (int k = 0; k < y.length; k++) assertEquals(lrp.get(k).logit(), y[k], 1e-5 * Math.max(1, Math.abs(lrp.get(k).logit())));
    }

    @Test
    void everyMethodHasItsOwnColour() {
        Set<java.awt.Color> seen = new HashSet<>();
        int i = 0;
        for (io.lrp.explain.Method m : io.lrp.explain.Method.values()) assertTrue(seen.add(Plots.color(m.id(), i++)), m.id());
    }
}
