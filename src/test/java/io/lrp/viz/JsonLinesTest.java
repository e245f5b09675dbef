package io.lrp.viz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrp.explain.Explanation;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonLinesTest {

    private static List<String> keys(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    @Test
    void exactKeyOrderAndTypes() throws Exception {
        String json = JsonLines.toJson(Fixtures.film("gi", Fixtures.RELEVANCE, null));
        assertFalse(json.contains("\n"));
        JsonNode n = new ObjectMapper().readTree(json);
        assertEquals(List.of("text", "model", "method", "target", "label", "logits", "tokens",
                "ids", "offsets", "relevance", "conservation"), keys(n));
        assertEquals(List.of("sum", "logit", "bias"), keys(n.get("conservation")));
        assertTrue(n.get("target").isInt());
        assertEquals(1, n.get("target").asInt());
        assertTrue(n.get("label").isTextual());
        assertTrue(n.get("conservation").get("bias").isNull());
        assertEquals(13, n.get("relevance").size());
        assertEquals(13, n.get("offsets").size());
        assertEquals(23, n.get("offsets").get(7).get(0).asInt());
        assertEquals(26, n.get("offsets").get(7).get(1).asInt());
        assertEquals("##nar", n.get("tokens").get(7).asText());
    }

    @Test
    void roundTripIsExact() {
        double[] rel = Fixtures.RELEVANCE.clone();
        rel[1] = 0.1 + 0.2;
        rel[2] = Math.PI / 3;
        rel[3] = -1e-300;
        rel[4] = 4.9e-324;
        rel[5] = 123456789.123456789;
        Explanation e = Fixtures.film("lrp-ah-ln", rel, 1.0 / 3);
        Explanation back = JsonLines.fromJson(JsonLines.toJson(e));
        assertEquals(e.text(), back.text());
        assertEquals(e.model(), back.model());
        assertEquals(e.method(), back.method());
        assertEquals(e.target(), back.target());
        assertEquals(e.label(), back.label());
        assertArrayEquals(e.logits(), back.logits(), 0.0);
        assertArrayEquals(e.tokens(), back.tokens());
        assertArrayEquals(e.ids(), back.ids());
        assertArrayEquals(e.offsets(), back.offsets());
        assertArrayEquals(e.special(), back.special());
        assertArrayEquals(e.relevance(), back.relevance(), 0.0);
        assertEquals(e.conservation(), back.conservation());
        assertEquals(1.0 / 3, back.conservation().bias(), 0.0);
    }

    @Test
    void nullBiasAndNonFiniteValuesSurvive() {
        double[] rel = Fixtures.RELEVANCE.clone();
        rel[2] = Double.NaN;
        rel[3] = Double.NEGATIVE_INFINITY;
        Explanation back = JsonLines.fromJson(JsonLines.toJson(Fixtures.film("gi", rel, null)));
        assertNull(back.conservation().bias());
        assertTrue(Double.isNaN(back.relevance()[2]));
        assertEquals(Double.NEGATIVE_INFINITY, back.relevance()[3], 0.0);
    }

    @Test
    void writesAndReadsLines() throws Exception {
        StringBuilder sb = new StringBuilder();
        JsonLines.write(List.of(Fixtures.film(), Fixtures.simple("a \"b\"\n<c>", "gi")), sb);
        assertEquals(2, sb.toString().split("\n").length);
        List<Explanation> back = JsonLines.read(new BufferedReader(new StringReader(sb.toString())));
        assertEquals(2, back.size());
        assertEquals("a \"b\"\n<c>", back.get(1).text());
        assertArrayEquals(Fixtures.RELEVANCE, back.get(0).relevance(), 0.0);
    }
}
