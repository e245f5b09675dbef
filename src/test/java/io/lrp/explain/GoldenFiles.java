package io.lrp.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Reads the golden reference files copied into the test resources, and compares vectors. */
final class GoldenFiles {
    private GoldenFiles() {}

    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode json(String name) {
        try (InputStream in = GoldenFiles.class.getResourceAsStream("/golden/" + name)) {
            if (in == null) throw new IllegalStateException("missing test resource golden/" + name);
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path path(String name) {
        try {
            return Paths.get(GoldenFiles.class.getResource("/golden/" + name).toURI());
        } catch (Exception e) {
            throw new IllegalStateException("missing test resource golden/" + name, e);
        }
    }

    static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }

    static double[] doubles(JsonNode a) {
        double[] r = new double[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asDouble();
        return r;
    }

    static double maxAbs(double[] v) {
        double m = 0;
        for (double x : v) m = Math.max(m, Math.abs(x));
        return m;
    }

    /**
     * Asserts |actual - expected| <= max(abs, rel * max|expected|) per entry; returns the largest
     * error relative to max|expected| (for the report).
     */
    static double assertClose(String what, double[] expected, double[] actual, double abs, double rel) {
        assertEquals(expected.length, actual.length, what + ": length");
        double scale = maxAbs(expected), tol = Math.max(abs, rel * scale), worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(actual[i] - expected[i]);
            worst = Math.max(worst, err);
            if (!(err <= tol)) {
                fail(String.format("%s[%d]: expected %.10g, got %.10g (error %.3g > tolerance %.3g)", what, i, expected[i], actual[i], err, tol));
            }
        }
        return scale == 0 ? worst : worst / scale;
    }

    static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }
}
