package io.lrp.viz;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ColorModeTest {

    @Test
    void detect() {
        assertEquals(ColorMode.NONE, ColorMode.detect(Map.of("NO_COLOR", ""), true));
        assertEquals(ColorMode.NONE,
                ColorMode.detect(Map.of("NO_COLOR", "1", "COLORTERM", "truecolor"), true));
        assertEquals(ColorMode.TRUECOLOR, ColorMode.detect(Map.of("COLORTERM", "truecolor"), true));
        assertEquals(ColorMode.TRUECOLOR, ColorMode.detect(Map.of("COLORTERM", "24bit"), false));
        assertEquals(ColorMode.ANSI256,
                ColorMode.detect(Map.of("COLORTERM", "yes", "TERM", "xterm-256color"), false));
        assertEquals(ColorMode.ANSI256, ColorMode.detect(Map.of("TERM", "xterm"), true));
        assertEquals(ColorMode.NONE, ColorMode.detect(Map.of("TERM", "xterm"), false));
        assertEquals(ColorMode.NONE, ColorMode.detect(Map.of(), false));
        assertEquals(ColorMode.ANSI256, ColorMode.detect(Map.of(), true));
    }
}
