package io.lrp.models.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.Color;
import org.junit.jupiter.api.Test;

/** The relevance colour scale of the molecule pictures. */
class MoleculeSvgTest {
    @Test void redForPositiveBlueForNegativeWhiteForZero() {
        assertEquals(new Color(255, 0, 0), MoleculeSvg.color(1));
        assertEquals(new Color(0, 0, 255), MoleculeSvg.color(-1));
        assertEquals(new Color(255, 255, 255), MoleculeSvg.color(0));
        assertEquals(new Color(255, 128, 128), MoleculeSvg.color(0.5));
        assertEquals(new Color(0, 0, 255), MoleculeSvg.color(-3), "clipped at full strength");
    }
}
