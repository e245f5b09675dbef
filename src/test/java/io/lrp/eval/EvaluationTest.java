package io.lrp.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrp.LrpException;
import io.lrp.data.Example;
import io.lrp.explain.Method;
import io.lrp.models.Model;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evaluation runner on the golden MiniLM + head model: resuming after a kill, and its output files. */
class EvaluationTest {
    static final List<String> TEXTS = List.of(
            "A wonderful, heartfelt film.", "The plot was dull and predictable.", "I loved the soundtrack!",
            "Terrible acting, awful script.", "An instant classic.", "It was a waste of my evening.");
    static final int[] LABELS = {1, 0, 1, 0, 1, 0};

    static Model model;
    static List<Example> examples;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void setUp() {
        model = Golden.miniLmHead();
        examples = new ArrayList<>();
        for (int i = 0; i < TEXTS.size(); i++) examples.add(new Example(TEXTS.get(i), LABELS[i], "test", i + 1));
    }

    static Evaluation.Settings settings(long seed) {
        return new Evaluation.Settings(List.of(Method.GI, Method.RANDOM), seed, 0, 4, false);
    }

    static List<String> lines(Path dir) throws IOException {
        List<String> l = new ArrayList<>(Files.readAllLines(dir.resolve(Evaluation.SAMPLES), StandardCharsets.UTF_8));
        l.removeIf(String::isBlank);
        return l;
    }

    /** Each (sample, method) pair exactly once. */
    static void assertEachPairOnce(Path dir) throws IOException {
        Set<String> pairs = new HashSet<>();
        List<String> l = lines(dir);
        for (String line : l) {
            SampleRecord r = SampleRecord.parse(line);
            assertTrue(pairs.add(r.index() + "/" + r.method()), "pair twice: " + r.index() + " " + r.method());
        }
        assertEquals(TEXTS.size() * 2, l.size());
    }

    @Test
    void resumesAfterAKillWithIdenticalResults(@TempDir Path tmp) throws IOException {
        Path full = tmp.resolve("full"), killed = tmp.resolve("killed");
        Evaluation.Report ref = new Evaluation(model, examples, settings(7), full).progress(null).plots(false).run();
        assertEquals(12, ref.computed());
        assertEachPairOnce(full);

        // killed after the third record is on disk (inside the first chunk of 4 samples, method gi)
        int[] count = {0};
        RuntimeException kill = new RuntimeException("simulated kill");
        RuntimeException thrown = assertThrows(RuntimeException.class, () -> new Evaluation(model, examples, settings(7), killed)
                .progress(null).plots(false).listener(r -> {
                    if (++count[0] == 3) throw kill;
                }).run());
        assertEquals(kill, thrown);
        assertEquals(3, lines(killed).size());
        assertTrue(Files.notExists(killed.resolve("summary.json")));

        // and a kill during the next write: half a line at the end of the file
        String next = lines(full).get(3);
        Files.writeString(killed.resolve(Evaluation.SAMPLES), next.substring(0, next.length() / 2), StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);

        Evaluation.Report resumed = new Evaluation(model, examples, settings(7), killed).progress(null).plots(false).run();
        assertEquals(3, resumed.resumed());
        assertEquals(9, resumed.computed());
        assertEachPairOnce(killed);
        assertEquals(Files.readString(full.resolve("summary.json")), Files.readString(killed.resolve("summary.json")));
        assertEquals(Files.readString(full.resolve("summary.csv")), Files.readString(killed.resolve("summary.csv")));
        List<String> a = lines(full), b = lines(killed);
        Collections.sort(a);
        Collections.sort(b);
        assertEquals(a, b, "the same records, line for line");

        // a third start finds everything done
        Evaluation.Report again = new Evaluation(model, examples, settings(7), killed).progress(null).plots(false).run();
        assertEquals(0, again.computed());
        assertEquals(12, again.resumed());
        assertEquals(Files.readString(full.resolve("summary.json")), Files.readString(killed.resolve("summary.json")));

        // other settings in the same directory are refused
        LrpException e = assertThrows(LrpException.class,
                () -> new Evaluation(model, examples, settings(8), killed).progress(null).plots(false).run());
        assertTrue(e.getMessage().contains("seed"), e.getMessage());
    }

    @Test
    void duplicatesAreCountedOnceAndRemoved(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("dup");
        new Evaluation(model, examples.subList(0, 2), settings(0), dir).progress(null).plots(false).run();
        String before = Files.readString(dir.resolve("summary.json"));
        List<String> l = lines(dir);
        Files.writeString(dir.resolve(Evaluation.SAMPLES), l.get(0) + "\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        Evaluation.Report r = new Evaluation(model, examples.subList(0, 2), settings(0), dir).progress(null).plots(false).run();
        assertEquals(0, r.computed());
        assertEquals(2, r.summaries().get("gi").n());
        assertEquals(before, Files.readString(dir.resolve("summary.json")));
        assertEquals(4, lines(dir).size());
    }

    @Test
    void damagedLineInTheMiddleIsAnError(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("bad");
        new Evaluation(model, examples.subList(0, 1), settings(0), dir).progress(null).plots(false).run();
        List<String> l = lines(dir);
        Files.writeString(dir.resolve(Evaluation.SAMPLES), "{\"broken\n" + String.join("\n", l) + "\n", StandardCharsets.UTF_8);
        LrpException e = assertThrows(LrpException.class,
                () -> new Evaluation(model, examples.subList(0, 1), settings(0), dir).progress(null).plots(false).run());
        assertTrue(e.getMessage().contains(Evaluation.SAMPLES + ":1"), e.getMessage());
    }

    @Test
    void summaryFilesAndPlots(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("out");
        List<Method> methods = List.of(Method.LRP_AH_LN, Method.GI, Method.RANDOM);
        Evaluation.Report r = new Evaluation(model, examples.subList(0, 3), new Evaluation.Settings(methods, 0, 0, 16, false), dir)
                .progress(null).run();
        JsonNode s = JSON.readTree(dir.resolve("summary.json").toFile());
        for (Method m : methods) {
            JsonNode o = s.get(m.id());
            assertNotNull(o, m.id());
            for (String k : List.of("auac", "aupc", "au_mse", "au_generate_m", "n")) assertTrue(o.get(k).isNumber(), m.id() + " " + k);
            for (String k : List.of("fracs", "mean_generate_e", "mean_generate_m", "mean_pruning_e", "mean_pruning_m")) {
                assertEquals(11, o.get(k).size(), m.id() + " " + k);
            }
            assertEquals(3, o.get("n").asInt());
            assertEquals(r.summaries().get(m.id()).auac(), o.get("auac").asDouble(), 0);
            // paired bootstrap: every other method, the difference of the areas inside its interval
            assertEquals(2000, o.get("bootstrap").get("resamples").asInt());
            JsonNode ci = o.get("auac_ci95");
            assertTrue(ci.get(0).asDouble() <= o.get("auac").asDouble() && o.get("auac").asDouble() <= ci.get(1).asDouble(), m.id() + " " + ci);
            for (Method other : methods) {
                if (other == m) continue;
                JsonNode d = o.get("auac_diff").get(other.id());
                double diff = r.summaries().get(m.id()).auac() - r.summaries().get(other.id()).auac();
                assertEquals(diff, d.get("diff").asDouble(), 1e-12, m.id() + " - " + other.id());
                assertTrue(d.get("ci95").get(0).asDouble() <= diff && diff <= d.get("ci95").get(1).asDouble(), d.toString());
                assertEquals(d.get("ci95").get(0).asDouble() > 0 || d.get("ci95").get(1).asDouble() < 0, d.get("excludes_zero").asBoolean());
                assertEquals(3, d.get("n").asInt());
                assertEquals(-d.get("diff").asDouble(), s.get(other.id()).get("auac_diff").get(m.id()).get("diff").asDouble(), 1e-12);
            }
        }
        String md = Files.readString(dir.resolve("summary.md"));
        assertTrue(md.startsWith("| method | AUAC | AUAC 95% CI | AUPC | AU-MSE | n |"), md);
        assertTrue(md.contains("| higher | lower | AUAC difference | 95% CI | excludes 0 | n |"), md);
        assertEquals(md, r.markdown());
        List<String> csv = Files.readAllLines(dir.resolve("summary.csv"));
        assertEquals("method,auac,aupc,au_mse,au_generate_m,n", csv.get(0));
        assertEquals(4, csv.size());
        // sorted by AUAC descending
        List<String> order = Reports.byAuac(r.summaries());
        for (int i = 0; i + 1 < order.size(); i++) {
            assertTrue(r.summaries().get(order.get(i)).auac() >= r.summaries().get(order.get(i + 1)).auac());
            assertTrue(csv.get(i + 1).startsWith(order.get(i) + ","));
        }
        BufferedImage curves = ImageIO.read(dir.resolve("curves.png").toFile());
        assertNotNull(curves);
        assertEquals(2 * Plots.CURVES_W, curves.getWidth());
        assertEquals(Plots.PANEL_H, curves.getHeight());
        BufferedImage cons = ImageIO.read(dir.resolve("conservation.png").toFile());
        assertNotNull(cons);
        assertTrue(cons.getWidth() > 0 && cons.getHeight() > 0);
        for (String svg : List.of("curves.svg", "conservation.svg")) {
            String text = Files.readString(dir.resolve(svg));
            assertTrue(text.contains("<svg"), svg);
        }
        // lrp-ah-ln conserves: sum R + bias relevance = explained logit
        for (SampleRecord rec : r.records().get("lrp-ah-ln")) {
            assertEquals(rec.logit(), rec.relevanceSum() + rec.biasRelevance(), 1e-5 * Math.max(1, Math.abs(rec.logit())));
            assertEquals(rec.z0()[rec.label()], rec.logit(), 1e-5);
        }
    }

    @Test
    void aDirectoryInUseIsRefused(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("busy");
        Files.createDirectories(dir);
        try (var ch = java.nio.channels.FileChannel.open(dir.resolve(Evaluation.LOCK), java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE); var lock = ch.lock()) {
            LrpException e = assertThrows(LrpException.class,
                    () -> new Evaluation(model, examples.subList(0, 1), settings(0), dir).progress(null).plots(false).run());
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        }
    }

    @Test
    void randomRelevanceDependsOnlyOnSeedAndIndex() {
        double[] a = Evaluation.randomRelevance(3, 5, 10), b = Evaluation.randomRelevance(3, 5, 10);
        org.junit.jupiter.api.Assertions.assertArrayEquals(a, b);
        assertTrue(a[0] != Evaluation.randomRelevance(3, 6, 10)[0]);
    }

    @Test
    void labelOutOfRangeNamesTheExample(@TempDir Path tmp) {
        List<Example> bad = List.of(new Example("fine", 1, "data.txt", 1), new Example("bad", 2, "data.txt", 2));
        LrpException e = assertThrows(LrpException.class,
                () -> new Evaluation(model, bad, settings(0), tmp.resolve("x")).progress(null).run());
        assertTrue(e.getMessage().contains("data.txt:2"), e.getMessage());
    }
}
