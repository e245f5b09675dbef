package io.lrp.models.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lrp.LrpException;
import io.lrp.io.SafeTensors;
import io.lrp.models.Checkpoint;
import io.lrp.models.Family;
import io.lrp.models.Model;
import io.lrp.models.ModelChecks;
import io.lrp.nn.Weights;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The graph family, {@code model_type: lrp-graph}: {@link GraphModel}. Its config (node_cardinalities,
 * continuous, max_degree, edge_cardinalities, max_distance, hidden, heads, blocks, ffn, ln_eps,
 * max_nodes, featurizer, labels) is config.json in a directory or the "config" entry of a
 * safetensors file's metadata, which then also says family=lrp-graph (how {@code lrp train --arch graph} writes it).
 */
public final class GraphFamily implements Family {
    public static final String MODEL_TYPE = "lrp-graph";

    @Override public List<String> modelTypes() { return List.of(MODEL_TYPE); }
    @Override public List<String> architectures() { return List.of("Graphormer-style graph Transformer"); }

    @Override public Model load(Checkpoint c) {
        return GraphModel.load(c.name(), c.weights().source(), config(c.config(), c.configFile().toString()), c.weights());
    }

    /** Whether a safetensors file's metadata marks a graph model. */
    public static boolean isGraphFile(java.util.Map<String, String> metadata) { return MODEL_TYPE.equals(metadata.get("family")); }

    /** A graph model from a safetensors file written by {@link #save}. */
    public static GraphModel fromSafetensors(Path file, String name) { return fromSafetensors(file, name, file.toString()); }

    /** The same, naming the weights' source as given (a built-in's classpath resource). */
    public static GraphModel fromSafetensors(Path file, String name, String source) {
        SafeTensors st = SafeTensors.open(file);
        String json = st.metadata().get("config");
        if (json == null) throw new LrpException(file + ": no 'config' entry in the safetensors metadata: not a graph-model file");
        JsonNode c;
        try {
            c = new ObjectMapper().readTree(json);
        } catch (java.io.IOException e) {
            throw new LrpException(file + ": malformed 'config' metadata: " + e.getMessage());
        }
        return GraphModel.load(name, source, config(c, file + " config metadata"), new Weights(st.getAll(), source));
    }

    /** The metadata that {@link #fromSafetensors} reads back. */
    public static java.util.Map<String, String> metadata(GraphConfig c) {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("family", MODEL_TYPE);
        m.put("config", json(c));
        m.put("labels", String.join(",", c.labels()));
        return m;
    }

    static String json(GraphConfig c) {
        ObjectMapper om = new ObjectMapper();
        ObjectNode o = om.createObjectNode();
        o.put("model_type", MODEL_TYPE);
        ArrayNode nc = o.putArray("node_cardinalities");
        for (int v : c.nodeCardinalities()) nc.add(v);
        o.put("continuous", c.continuous());
        o.put("max_degree", c.maxDegree());
        ArrayNode ec = o.putArray("edge_cardinalities");
        for (int v : c.edgeCardinalities()) ec.add(v);
        o.put("max_distance", c.maxDistance());
        o.put("hidden", c.hidden());
        o.put("heads", c.heads());
        o.put("blocks", c.blocks());
        o.put("ffn", c.ffn());
        o.put("ln_eps", c.lnEps());
        o.put("max_nodes", c.maxNodes());
        o.put("featurizer", c.featurizer());
        ArrayNode l = o.putArray("labels");
        c.labels().forEach(l::add);
        return o.toString();
    }

    static GraphConfig config(JsonNode c, String where) {
        for (String k : new String[] {"continuous", "max_degree", "max_distance", "hidden", "heads", "blocks", "ffn", "max_nodes"}) {
            if (!c.path(k).canConvertToInt()) throw new LrpException(where + " lacks integer '" + k + "'");
        }
        for (String k : new String[] {"node_cardinalities", "edge_cardinalities", "labels"}) {
            if (!c.path(k).isArray()) throw new LrpException(where + " lacks array '" + k + "'");
        }
        List<String> labels = new ArrayList<>();
        c.get("labels").forEach(n -> labels.add(n.asText()));
        if (labels.isEmpty()) throw new LrpException(where + ": no labels");
        double eps = ModelChecks.checkEps(c.path("ln_eps").asDouble(1e-5), where, "'ln_eps'");
        try {
            return new GraphConfig(ints(c.get("node_cardinalities")), c.get("continuous").asInt(), c.get("max_degree").asInt(),
                    ints(c.get("edge_cardinalities")), c.get("max_distance").asInt(), c.get("hidden").asInt(), c.get("heads").asInt(),
                    c.get("blocks").asInt(), c.get("ffn").asInt(), eps, c.get("max_nodes").asInt(), c.path("featurizer").asText("none"), labels);
        } catch (IllegalArgumentException e) {
            throw new LrpException(where + ": " + e.getMessage());
        }
    }

    private static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }
}
