package io.lrp.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrp.explain.Steps;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The progress clock: silent in the first second, then a line at least once a second naming
 * what is computed now and the inner steps done since (clock times given explicitly).
 */
class ProgressTest {

    @Test
    void clockNamesTheCurrentWorkAndItsStepsOnceASecond() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        long t0 = System.nanoTime();
        Progress p = new Progress(out, "explain", 12);
        p.status("gi (method 1 of 12)");
        p.tick(t0 + 500_000_000L);
        assertEquals("", bytes.toString(StandardCharsets.UTF_8), "quiet in the first second");
        p.advance(1, "gi");
        p.status("ig (method 2 of 12)");
        Steps.done(17);
        p.tick(t0 + 1_500_000_000L);
        String first = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(first.contains("1/12") && first.contains("ig (method 2 of 12) (17 steps)"), first);
        p.tick(t0 + 2_000_000_000L);
        assertEquals(first, bytes.toString(StandardCharsets.UTF_8), "at most once a second");
        Steps.done(3);
        p.tick(t0 + 2_600_000_000L);
        assertTrue(bytes.toString(StandardCharsets.UTF_8).substring(first.length()).contains("ig (method 2 of 12) (20 steps)"));
    }
}
