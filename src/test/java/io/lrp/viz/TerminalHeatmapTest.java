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

    /** Lines between the method's header and its legend: the (possibly wrapped) heat line. */
    private static List<String> heatLines(String out) {
        List<String> lines = Arrays.asList(out.split("\n"));
        int from = lines.indexOf("lrp-ah-ln  (explaining POSITIVE)") + 1;
        int to = from;
        while (!lines.get(to).startsWith("legend: ")) to++;
        return lines.subList(from, to);
    }

    private static String strip(String s) {
        return s.replaceAll("\u001b\\[[0-9;]*m", "");
    }

    @Test
    void narrowWidthWrapsAtWordBoundaries() {
        String out = TerminalHeatmap.render(List.of(Fixtures.film()), Fixtures.LABELS, ColorMode.NONE, false, 30);
        // "charming" and "," touch in the text: they stay together
        assertEquals(List.of("the[+0.01] film[+0.10]", "is[-0.08]", "charming[+0.41],[+0.00]", "snarglefluxy[-0.23]"),
                heatLines(out), out);
        assertTrue(out.contains("text: the film is charming,\nsnarglefluxy\n"), out);
        // without a width: one line, as before
        assertEquals(List.of("the[+0.01] film[+0.10] is[-0.08] charming[+0.41],[+0.00] snarglefluxy[-0.23]"),
                heatLines(TerminalHeatmap.render(List.of(Fixtures.film()), Fixtures.LABELS, ColorMode.NONE, false, 0)));
    }

    @Test
    void aWordLongerThanTheLineIsSplit() {
        String out = TerminalHeatmap.render(List.of(Fixtures.film()), Fixtures.LABELS, ColorMode.NONE, false, 10);
        List<String> heat = heatLines(out);
        assertEquals(List.of("the[+0.01]", "film[+0.10", "]", "is[-0.08]", "charming[+", "0.41],[+0.", "00]",
                "snargleflu", "xy[-0.23]"), heat, out);
    }

    @Test
    void colouredLinesFitTheWidthAndCloseTheirEscapes() {
        String one = strip(heatLines(TerminalHeatmap.render(List.of(Fixtures.film()), Fixtures.LABELS,
                ColorMode.TRUECOLOR, false, 0)).get(0));
        assertEquals("the film is charming, snarglefluxy", one);
        for (int width : new int[] {8, 12, 20}) {
            List<String> heat = heatLines(TerminalHeatmap.render(List.of(Fixtures.film()), Fixtures.LABELS,
                    ColorMode.TRUECOLOR, false, width));
            StringBuilder joined = new StringBuilder();
            for (String line : heat) {
                assertTrue(strip(line).length() <= width, width + ": " + line);
                assertTrue(line.endsWith(E + "0m"), "every painted line ends with a reset: " + line);
                joined.append(joined.length() == 0 ? "" : " ").append(strip(line));
            }
            if (width >= 12) {   // no word is longer than the line: breaks only where the text has a space
                assertEquals("the film is charming, snarglefluxy", joined.toString(), "width " + width);
            }
        }
        // width 12: "charming," fits, "snarglefluxy" fills a line of its own
        assertEquals(List.of("the film is", "charming,", "snarglefluxy"),
                heatLines(TerminalHeatmap.render(List.of(Fixtures.film()), Fixtures.LABELS, ColorMode.TRUECOLOR, false, 12))
                        .stream().map(TerminalHeatmapTest::strip).toList());
    }

    @Test
    void tokenViewWrapsBetweenTokens() {
        String out = TerminalHeatmap.render(List.of(Fixtures.film()), Fixtures.LABELS, ColorMode.NONE, true, 40);
        assertEquals(List.of("[CLS][+0.05] the[+0.01] film[+0.10]", "is[-0.08] charming[+0.41] ,[+0.00]",
                "s[-0.10] ##nar[-0.05] ##gle[+0.02]", "##fl[-0.07] ##ux[+0.01] ##y[-0.04]", "[SEP][+0.20]"), heatLines(out), out);
    }

    @Test
    void displayWidthCountsWideAndCombiningCharacters() {
        assertEquals(5, TerminalHeatmap.displayWidth("caf\u00e9s"));
        assertEquals(4, TerminalHeatmap.displayWidth("cafe\u0301"));   // e + combining acute
        assertEquals(4, TerminalHeatmap.displayWidth("\u65e5\u672c"));  // two wide CJK characters
        assertEquals(0, TerminalHeatmap.terminalColumnsOf(null));
        assertEquals(0, TerminalHeatmap.terminalColumnsOf("abc"));
        assertEquals(0, TerminalHeatmap.terminalColumnsOf("-3"));
        assertEquals(72, TerminalHeatmap.terminalColumnsOf(" 72"));
    }
}
