package io.lrp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every command answers --help with its usage on standard output and exit code 0. */
class HelpCliTest {
    @ParameterizedTest
    @ValueSource(strings = {"explain", "similar", "evaluate", "train", "info", "bench"})
    void helpPrintsUsage(String command) {
        CliRunner.Result r = CliRunner.run(command, "--help");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("Usage: lrp " + command), r.out());
        assertTrue(r.out().contains("--help"), r.out());
    }
}
