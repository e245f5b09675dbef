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
public final class GoldenFiles {
    private GoldenFiles() {}

    public static final ObjectMapper JSON = new ObjectMapper();

    public static JsonNode json(String name) {
        try (InputStream in = GoldenFiles.class.getResourceAsStream("/golden/" + name)) {
            if (in == null) throw new IllegalStateException("missing test resource golden/" + name);
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path path(String name) {
        try {
            return Paths.get(GoldenFiles.class.getResource("/golden/" + name).toURI());
        } catch (Exception e) {
            throw new IllegalStateException("missing test resource golden/" + name, e);
        }
    }

    public static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }

    public static double[] doubles(JsonNode a) {
        double[] r = new double[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asDouble();
        return r;
    }

    /** A [rows][cols] JSON matrix in row-major order. */
    public static double[] flatten(JsonNode m) {
        int rows = m.size(), cols = m.get(0).size();
        double[] r = new double[rows * cols];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) r[i * cols + j] = m.get(i).get(j).asDouble();
        return r;
    }

    public static double maxAbs(double[] v) {
        double m = 0;
        for (double x : v) m = Math.max(m, Math.abs(x));
        return m;
    }

    /**
     * Asserts |actual - expected| <= max(abs, rel * max|expected|) per entry; returns the largest
     * error relative to max|expected| (for the report).
     */
    public static double assertClose(String what, double[] expected, double[] actual, double abs, double rel) {
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

    private static io.lrp.models.bert.BertModel goldenMiniLm;

    /** The embedded MiniLM with the golden files' seeded linear head (classifier.W, classifier.b). */
    public static synchronized io.lrp.models.bert.BertModel miniLmWithGoldenHead() {
        if (goldenMiniLm == null) {
            JsonNode cls = json("minilm_explanations.json").get("classifier");
            io.lrp.tensor.Tensor wt = io.lrp.tensor.Tensor.zeros(2, 384), bt = io.lrp.tensor.Tensor.zeros(2);
            for (int i = 0; i < 2; i++) for (int j = 0; j < 384; j++) wt.data[i * 384 + j] = (float) cls.get("W").get(i).get(j).asDouble();
            for (int i = 0; i < 2; i++) bt.data[i] = (float) cls.get("b").get(i).asDouble();
            goldenMiniLm = io.lrp.models.ModelLoader.miniLm(new io.lrp.nn.Weights(
                    java.util.Map.of("classifier.weight", wt, "classifier.bias", bt), "golden head"));
        }
        return goldenMiniLm;
    }

    public static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }
}
