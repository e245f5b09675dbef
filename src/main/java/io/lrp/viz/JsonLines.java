package io.lrp.viz;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrp.explain.Explanation;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * JSON Lines: one JSON object per explanation, keys in this order: text, model, method, target,
 * label, logits, tokens, ids, offsets, relevance, conservation {sum, logit, bias}, and provenance
 * (where known: library, model, method, rule_set, gamma, kernels, java; see {@link io.lrp.explain.Provenance}).
 *
 * <p>There is no "special" key: on reading, a token is special exactly when its offsets are
 * empty ({@code start == end}), which is how tokenizers report added tokens ([0, 0]).
 * Non-finite doubles are written as the strings "NaN", "Infinity", "-Infinity" and read back.
 */
public final class JsonLines {

    private static final JsonFactory FACTORY = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonLines() {}

    /** One explanation as a single-line JSON object (no trailing newline). */
    public static String toJson(Explanation e) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("text", e.text());
            g.writeStringField("model", e.model());
            g.writeStringField("method", e.method());
            g.writeNumberField("target", e.target());
            g.writeStringField("label", e.label());
            g.writeFieldName("logits");
            writeDoubles(g, e.logits());
            g.writeArrayFieldStart("tokens");
            for (String t : e.tokens()) {
                g.writeString(t);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("ids");
            for (int id : e.ids()) {
                g.writeNumber(id);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("offsets");
            for (int[] o : e.offsets()) {
                g.writeStartArray();
                g.writeNumber(o[0]);
                g.writeNumber(o[1]);
                g.writeEndArray();
            }
            g.writeEndArray();
            g.writeFieldName("relevance");
            writeDoubles(g, e.relevance());
            g.writeObjectFieldStart("conservation");
            Explanation.Conservation c = e.conservation();
            g.writeNumberField("sum", c.sum());
            g.writeNumberField("logit", c.logit());
            if (c.bias() == null) {
                g.writeNullField("bias");
            } else {
                g.writeNumberField("bias", c.bias());
            }
            g.writeEndObject();
            if (e.provenance() != null) {
                g.writeFieldName("provenance");
                MAPPER.writeTree(g, e.provenance().toJson());
            }
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return w.toString();
    }

    /** Parses one line written by {@link #toJson}. */
    public static Explanation fromJson(String json) {
        JsonNode n;
        try {
            n = MAPPER.readTree(json);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        JsonNode tok = req(n, "tokens");
        int len = tok.size();
        String[] tokens = new String[len];
        int[] ids = new int[len];
        int[][] offsets = new int[len][];
        boolean[] special = new boolean[len];
        JsonNode idNode = req(n, "ids");
        JsonNode offNode = req(n, "offsets");
        if (idNode.size() != len || offNode.size() != len || req(n, "relevance").size() != len) {
            throw new IllegalArgumentException("tokens, ids, offsets, relevance differ in length");
        }
        for (int i = 0; i < len; i++) {
            tokens[i] = tok.get(i).asText();
            ids[i] = idNode.get(i).asInt();
            offsets[i] = new int[] {offNode.get(i).get(0).asInt(), offNode.get(i).get(1).asInt()};
            special[i] = offsets[i][0] == offsets[i][1];
        }
        JsonNode c = req(n, "conservation");
        JsonNode bias = c.get("bias");
        Double b = bias == null || bias.isNull() ? null : dbl(bias);
        return new Explanation(text(n, "text"), text(n, "model"), text(n, "method"),
                req(n, "target").asInt(), text(n, "label"), doubles(req(n, "logits")), tokens, ids,
                offsets, special, doubles(req(n, "relevance")),
                new Explanation.Conservation(dbl(req(c, "sum")), dbl(req(c, "logit")), b));
    }

    /** Writes each explanation as one line. */
    public static void write(Iterable<Explanation> explanations, Appendable out) throws IOException {
        for (Explanation e : explanations) {
            out.append(toJson(e)).append('\n');
        }
    }

    /** Reads all non-blank lines. */
    public static List<Explanation> read(BufferedReader in) throws IOException {
        List<Explanation> out = new ArrayList<>();
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (!line.isBlank()) {
                out.add(fromJson(line));
            }
        }
        return out;
    }

    private static void writeDoubles(JsonGenerator g, double[] a) throws IOException {
        g.writeStartArray();
        for (double d : a) {
            g.writeNumber(d);
        }
        g.writeEndArray();
    }

    private static JsonNode req(JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing key: " + key);
        }
        return v;
    }

    private static String text(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static double dbl(JsonNode v) {
        return v.isTextual() ? Double.parseDouble(v.asText()) : v.asDouble();
    }

    private static double[] doubles(JsonNode a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = dbl(a.get(i));
        }
        return out;
    }
}
