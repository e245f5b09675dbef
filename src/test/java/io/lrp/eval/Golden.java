package io.lrp.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrp.models.ModelLoader;
import io.lrp.models.bert.BertModel;
import io.lrp.nn.Weights;
import io.lrp.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/** The golden files and the golden MiniLM + random head model (as in MiniLmParityTest), loaded once. */
final class Golden {
    private Golden() {}

    private static BertModel model;

    static JsonNode json(String name) {
        try (InputStream in = Golden.class.getResourceAsStream("/golden/" + name)) {
            if (in == null) throw new IllegalStateException("missing test resource golden/" + name);
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static synchronized BertModel miniLmHead() {
        if (model == null) {
            JsonNode cls = json("minilm_explanations.json").get("classifier");
            Tensor wt = Tensor.zeros(2, 384), bt = Tensor.zeros(2);
            for (int i = 0; i < 2; i++) for (int j = 0; j < 384; j++) wt.data[i * 384 + j] = (float) cls.get("W").get(i).get(j).asDouble();
            for (int i = 0; i < 2; i++) bt.data[i] = (float) cls.get("b").get(i).asDouble();
            model = ModelLoader.miniLm(new Weights(Map.of("classifier.weight", wt, "classifier.bias", bt), "golden head"));
        }
        return model;
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
}
