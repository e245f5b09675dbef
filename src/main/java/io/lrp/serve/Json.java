package io.lrp.serve;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** Reading request bodies strictly (every field typed, unknown fields refused) and writing JSON. */
final class Json {
    private Json() {}

    static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    static final JsonFactory FACTORY = MAPPER.getFactory();

    /** The body as a JSON object with only the allowed fields, or a 400 naming what is wrong. */
    static JsonNode object(String body, Set<String> allowed) {
        if (body == null || body.isBlank()) throw ApiException.badRequest("empty body: send a JSON object");
        JsonNode n;
        try {
            n = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            throw ApiException.badRequest("invalid JSON: " + clip(e.getOriginalMessage())
                    + (loc != null ? " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")" : ""));
        }
        if (n == null || !n.isObject()) throw ApiException.badRequest("the body must be a JSON object");
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw ApiException.badRequest("unknown field '" + clip(f) + "': allowed are " + String.join(", ", new java.util.TreeSet<>(allowed)));
            }
        }
        return n;
    }

    /** An optional string field. */
    static String string(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw ApiException.badRequest("'" + field + "' must be a string, not " + kind(v));
        return v.asText();
    }

    /** An optional array of strings, or a single string taken as a list of one. */
    static List<String> strings(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) return null;
        if (v.isTextual()) return List.of(v.asText());
        if (!v.isArray()) throw ApiException.badRequest("'" + field + "' must be an array of strings, not " + kind(v));
        List<String> out = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isTextual()) throw ApiException.badRequest("'" + field + "[" + i + "]' must be a string, not " + kind(v.get(i)));
            out.add(v.get(i).asText());
        }
        return out;
    }

    static String kind(JsonNode v) {
        if (v.isTextual()) return "a string";
        if (v.isNumber()) return "a number";
        if (v.isBoolean()) return "a boolean";
        if (v.isArray()) return "an array";
        if (v.isObject()) return "an object";
        return "null";
    }

    /** A client's value echoed in an error: at most 60 characters, control characters shown as '?'. */
    static String clip(String s) {
        if (s == null) return "null";
        String t = s.length() > 60 ? s.substring(0, 60) + "..." : s;
        StringBuilder b = new StringBuilder(t.length());
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            b.append(Character.isISOControl(c) ? '?' : c);
        }
        return b.toString();
    }

    /** {"error": message, "status": status}. */
    static String error(int status, String message) {
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("error", message);
            g.writeNumberField("status", status);
            g.writeEndObject();
        });
    }

    interface Writer {
        void write(JsonGenerator g) throws IOException;
    }

    static String write(Writer w) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            w.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    static void doubles(JsonGenerator g, String field, double[] a) throws IOException {
        g.writeArrayFieldStart(field);
        for (double d : a) g.writeNumber(d);
        g.writeEndArray();
    }

    static void ints(JsonGenerator g, String field, int[] a) throws IOException {
        g.writeArrayFieldStart(field);
        for (int d : a) g.writeNumber(d);
        g.writeEndArray();
    }
}
