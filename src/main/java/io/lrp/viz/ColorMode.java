package io.lrp.viz;

import java.util.Locale;
import java.util.Map;

/** How {@link TerminalHeatmap} colours its output. */
public enum ColorMode {
    /** 24-bit background escapes, {@code ESC[48;2;r;g;bm}. */
    TRUECOLOR,
    /** 256-colour escapes, {@code ESC[48;5;nm}, nearest colour of the 6x6x6 cube. */
    ANSI256,
    /** No escapes: each word is followed by its value in brackets, {@code charming[+0.41]}. */
    NONE;

    /**
     * NO_COLOR set (any value, even empty) gives NONE; COLORTERM truecolor or 24bit gives
     * TRUECOLOR; TERM containing "256" gives ANSI256; otherwise ANSI256 on a terminal, else NONE.
     */
    public static ColorMode detect(Map<String, String> env, boolean isTty) {
        if (env.containsKey("NO_COLOR")) {
            return NONE;
        }
        String colorterm = env.getOrDefault("COLORTERM", "").toLowerCase(Locale.ROOT);
        if (colorterm.equals("truecolor") || colorterm.equals("24bit")) {
            return TRUECOLOR;
        }
        String term = env.get("TERM");
        if (term != null && term.contains("256")) {
            return ANSI256;
        }
        return isTty ? ANSI256 : NONE;
    }

    /** {@link #detect(Map, boolean)} with the process environment and {@code System.console()}. */
    public static ColorMode detect() {
        return detect(System.getenv(), System.console() != null);
    }
}
