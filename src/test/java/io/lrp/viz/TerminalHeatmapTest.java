package io.lrp.viz;

import io.lrp.explain.Explanation;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TerminalHeatmapTest {

    private static final String E = "\u001b[";
    private static final List<Explanation> TWO = List.of(Fixtures.film(),
            Fixtures.film("gi", Fixtures.RELEVANCE, null));

    @Test
    void plainWordLevel() {
        String out = TerminalHeatmap.render(TWO, Fixtures.LABELS, ColorMode.NONE, false);
        assertFalse(out.contains("\u001b"), out);
        assertTrue(out.contains("prediction: POSITIVE  (NEGATIVE 0.0474, POSITIVE 0.9526)"), out);
        assertTrue(out.contains(
                "the[+0.01] film[+0.10] is[-0.08] charming[+0.41],[+0.00] snarglefluxy[-0.23]\n"),
                out);
        assertFalse(out.contains("[CLS]"));
        assertFalse(out.contains("##"));
        List<String> lines = Arrays.asList(out.split("\n"));
        int a = lines.indexOf("lrp-ah-ln  (explaining POSITIVE)");
        int b = lines.indexOf("gi  (explaining POSITIVE)");
        assertTrue(a > 0 && b > a, out);
        assertTrue(lines.get(a + 3).startsWith("sum R + bias = 0.461 + 0.25 = 0.711, logit = 1.75: not equal"), lines.get(a + 3));
        assertEquals("sum R = 0.461, logit = 1.75 (no bias term; not conserved)", lines.get(b + 3));
        assertEquals("legend: [value] = relevance R; max |R| = 0.41", lines.get(a + 2));
    }

    @Test
    void plainTokenLevel() {
        String out = TerminalHeatmap.render(List.of(Fixtures.film()), Fixtures.LABELS,
                ColorMode.NONE, true);
        assertTrue(out.contains("[CLS][+0.05] the[+0.01] film[+0.10] is[-0.08] charming[+0.41] "
                + ",[+0.00] s[-0.10] ##nar[-0.05] ##gle[+0.02] ##fl[-0.07] ##ux[+0.01] ##y[-0.04] "
                + "[SEP][+0.20]\n"), out);
    }

    @Test
    void decimalsFollowTheScale() {
        double[] small = Arrays.stream(Fixtures.RELEVANCE).map(r -> r / 10).toArray();
        String out = TerminalHeatmap.render(List.of(Fixtures.film("gi", small, null)), null,
                ColorMode.NONE, false);
        assertTrue(out.contains("charming[+0.041]"), out);
        assertTrue(out.contains("is[-0.008]"), out);
        assertTrue(out.contains("prediction: class 1  (class 0 0.0474, class 1 0.9526)"), out);
        assertTrue(out.contains("gi  (explaining POSITIVE)"), out);
    }

    @Test
    void trueColorEscapes() {
        String out = TerminalHeatmap.render(TWO, Fixtures.LABELS, ColorMode.TRUECOLOR, false);
        // max positive word: pure red, black text (more contrast than white on red)
        assertTrue(out.contains(E + "48;2;255;0;0m" + E + "38;2;0;0;0mcharming" + E + "0m"), out);
        // "is" = -0.082 = -0.2 * max: light blue
        assertTrue(out.contains(E + "48;2;204;204;255m" + E + "38;2;0;0;0mis" + E + "0m"), out);
        assertTrue(out.contains("max |R| = 0.41"), out);
        assertFalse(out.contains("[+"), out);

        double[] neg = Arrays.stream(Fixtures.RELEVANCE).map(r -> -r).toArray();
        String out2 = TerminalHeatmap.render(List.of(Fixtures.film("gi", neg, null)),
                Fixtures.LABELS, ColorMode.TRUECOLOR, true);
        // most negative token: pure blue, white text
        assertTrue(out2.contains(E + "48;2;0;0;255m" + E + "38;2;255;255;255mcharming" + E + "0m"),
                out2);
        assertTrue(out2.contains(E + "48;2;255;204;204m" + E + "38;2;0;0;0mis" + E + "0m"), out2);
        assertTrue(out2.contains("m[CLS]" + E + "0m"), out2);
    }

    @Test
    void ansi256NearestCube() {
        String out = TerminalHeatmap.render(List.of(Fixtures.film()), Fixtures.LABELS,
                ColorMode.ANSI256, false);
        assertTrue(out.contains(E + "48;5;196m" + E + "38;5;16mcharming" + E + "0m"), out);
        assertTrue(out.contains(E + "48;5;189m" + E + "38;5;16mis" + E + "0m"), out);
        assertEquals(0, TerminalHeatmap.nearestLevel(47));
        assertEquals(1, TerminalHeatmap.nearestLevel(48));
        assertEquals(5, TerminalHeatmap.nearestLevel(255));
    }

    @Test
    void controlCharactersInTextAreNeutralised() {
        Explanation e = Fixtures.simple("ok \u001b[2J bad", "gi");
        String out = TerminalHeatmap.render(List.of(e), null, ColorMode.TRUECOLOR, false);
        assertFalse(out.contains("\u001b[2J"), out);
        String plain = TerminalHeatmap.render(List.of(e), null, ColorMode.NONE, true);
        assertFalse(plain.contains("\u001b"), plain);
    }
}
