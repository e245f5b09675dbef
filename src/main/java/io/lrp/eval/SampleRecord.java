package io.lrp.eval;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * One line of samples.jsonl: the perturbation curves of one sample under one method.
 * Keys: index (position in the evaluated list), line (line in the data file), method, label,
 * N, ids, relevance, logit (the explained logit of the explanation pass), bias_relevance (null
 * unless the method defines it), z0, generate {E, M}, pruning {E, M}. Doubles are written in
 * their shortest round-trip form, so reading a line back gives the same numbers.
 */
public record SampleRecord(int index, int line, String method, int label, int n, int[] ids, double[] relevance,
                           double logit, Double biasRelevance, double[] z0,
                           double[] generateE, double[] generateM, double[] pruningE, double[] pruningM) {

    private static final JsonFactory FACTORY = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    public static SampleRecord of(int index, int line, String method, int[] ids, double[] relevance, double logit,
                                  Double bias, Perturbation.Result r) {
        return new SampleRecord(index, line, method, r.label(), r.n(), ids, relevance, logit, bias, r.z0(),
                r.generate().e(), r.generate().m(), r.pruning().e(), r.pruning().m());
    }

    public Curves.Sample curves() { return new Curves.Sample(generateE, generateM, pruningE, pruningM); }

    /** Sum of the relevance vector. */
    public double relevanceSum() {
        double s = 0;
        for (double v : relevance) s += v;
        return s;
    }

    /** One JSON object on one line, without the newline. */
    public String toJson() {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(w)) {
            g.writeStartObject();
            g.writeNumberField("index", index);
            g.writeNumberField("line", line);
            g.writeStringField("method", method);
            g.writeNumberField("label", label);
            g.writeNumberField("N", n);
            g.writeFieldName("ids");
            g.writeArray(ids, 0, ids.length);
            g.writeFieldName("relevance");
            g.writeArray(relevance, 0, relevance.length);
            g.writeNumberField("logit", logit);
            if (biasRelevance == null) g.writeNullField("bias_relevance");
            else g.writeNumberField("bias_relevance", biasRelevance);
            g.writeFieldName("z0");
            g.writeArray(z0, 0, z0.length);
            g.writeObjectFieldStart("generate");
            g.writeFieldName("E");
            g.writeArray(generateE, 0, generateE.length);
            g.writeFieldName("M");
            g.writeArray(generateM, 0, generateM.length);
            g.writeEndObject();
            g.writeObjectFieldStart("pruning");
            g.writeFieldName("E");
            g.writeArray(pruningE, 0, pruningE.length);
            g.writeFieldName("M");
            g.writeArray(pruningM, 0, pruningM.length);
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    /** Parses a line written by {@link #toJson}; IllegalArgumentException when it is not one. */
    public static SampleRecord parse(String json) {
        JsonNode o;
        try {
            o = MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed JSON: " + e.getMessage());
        }
        if (o == null || !o.isObject()) throw new IllegalArgumentException("not a JSON object");
        int n = integer(o, "N");
        int[] ids = ints(req(o, "ids"));
        double[] rel = doubles(req(o, "relevance"));
        if (ids.length != n || rel.length != n) throw new IllegalArgumentException("ids and relevance must have N entries");
        JsonNode b = o.get("bias_relevance");
        double[][] curves = new double[4][];
        String[][] keys = {{"generate", "E"}, {"generate", "M"}, {"pruning", "E"}, {"pruning", "M"}};
        for (int i = 0; i < 4; i++) {
            curves[i] = doubles(req(req(o, keys[i][0]), keys[i][1]));
            if (curves[i].length != Perturbation.STEPS) {
                throw new IllegalArgumentException(keys[i][0] + "." + keys[i][1] + " must have " + Perturbation.STEPS + " entries");
            }
        }
        return new SampleRecord(integer(o, "index"), integer(o, "line"), req(o, "method").asText(), integer(o, "label"), n,
                ids, rel, number(req(o, "logit")), b == null || b.isNull() ? null : number(b), doubles(req(o, "z0")),
                curves[0], curves[1], curves[2], curves[3]);
    }

    private static JsonNode req(JsonNode o, String key) {
        JsonNode v = o.get(key);
        if (v == null || v.isNull()) throw new IllegalArgumentException("missing '" + key + "'");
        return v;
    }

    private static int integer(JsonNode o, String key) {
        JsonNode v = req(o, key);
        if (!v.canConvertToInt()) throw new IllegalArgumentException("'" + key + "' is not an integer");
        return v.asInt();
    }

    /** A number, or one of the strings NaN/Infinity/-Infinity Jackson writes for non-finite values. */
    private static double number(JsonNode v) {
        if (v.isNumber()) return v.doubleValue();
        if (v.isTextual()) {
            switch (v.asText()) {
                case "NaN": return Double.NaN;
                case "Infinity": return Double.POSITIVE_INFINITY;
                case "-Infinity": return Double.NEGATIVE_INFINITY;
                default: break;
            }
        }
        throw new IllegalArgumentException("not a number: " + v);
    }

    private static double[] doubles(JsonNode a) {
        if (!a.isArray()) throw new IllegalArgumentException("expected an array of numbers");
        double[] r = new double[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = number(a.get(i));
        return r;
    }

    private static int[] ints(JsonNode a) {
        if (!a.isArray()) throw new IllegalArgumentException("expected an array of integers");
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) {
            if (!a.get(i).canConvertToInt()) throw new IllegalArgumentException("expected an array of integers");
            r[i] = a.get(i).asInt();
        }
        return r;
    }
}
