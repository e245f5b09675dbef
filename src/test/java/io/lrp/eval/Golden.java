package io.lrp.eval;

import com.fasterxml.jackson.databind.JsonNode;
import io.lrp.explain.GoldenFiles;
import io.lrp.models.bert.BertModel;

/** The golden files and the golden MiniLM + seeded head, as the explain tests use them. */
final class Golden {
    private Golden() {}

    static JsonNode json(String name) { return GoldenFiles.json(name); }

    static BertModel miniLmHead() { return GoldenFiles.miniLmWithGoldenHead(); }

    static int[] ints(JsonNode a) { return GoldenFiles.ints(a); }

    static double[] doubles(JsonNode a) { return GoldenFiles.doubles(a); }
}
