package io.lrp;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Files of the project's shared material (data sets, golden sets) beside the clone, as CI has
 * them, or where -Dlrp.shared points. A user's clone has no ../shared: a test that needs it is
 * skipped with the reason; under CI (environment CI=true) a missing file fails the test instead.
 */
public final class SharedFiles {
    private SharedFiles() {}

    public static Path root() { return Path.of(System.getProperty("lrp.shared", "../shared")); }

    /** The shared file at rel (e.g. "data/sst2/stsa.binary.dev"), or the test is skipped (failed under CI). */
    public static Path require(String rel) {
        Path p = root().resolve(rel);
        if (Files.isRegularFile(p)) return p;
        String why = "shared file missing: " + p.toAbsolutePath() + " (the project's ../shared is not beside this clone)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) fail(why + "; CI must have it");
        Assumptions.abort(why + ": test skipped");
        return p;
    }
}
