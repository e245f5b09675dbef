package io.lrp.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/** One local Spark for all test classes (a session takes seconds to start). */
final class TestSpark {
    private TestSpark() {}

    /** Two cores; local[N,F] lets a task fail F-1 times and be retried (plain local[N] never retries). */
    static final String MASTER = "local[2,4]";

    static synchronized SparkSession session() {
        return SparkSession.builder().master(MASTER).appName("lrp-spark tests")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .getOrCreate();
    }

    /** The lines of every part file of a Spark output directory. */
    static List<String> partLines(Path dir) {
        List<String> out = new ArrayList<>();
        try (var files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.getFileName().toString().startsWith("part-")).sorted().toList()) {
                out.addAll(Files.readAllLines(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The test copy of SST-2 dev (872 sentences). */
    static Path stsaDev() {
        return Path.of("src/test/resources/data/stsa.binary.dev");
    }
}
