package io.lrp.models.paper;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrp.LrpException;
import io.lrp.models.ModelChecks;
import io.lrp.io.SafeTensors;
import io.lrp.models.Checkpoint;
import io.lrp.models.Family;
import io.lrp.models.Model;
import io.lrp.models.ModelLoader;
import io.lrp.nn.Weights;
import io.lrp.tensor.Tensor;
import io.lrp.text.Tokenizer;
import io.lrp.text.WordPieceTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The paper's attention-only model (methods.md section 5), {@code model_type: lrp-paper}. Its
 * config (vocab, hidden, heads, blocks, n_classes, max_pos, type_vocab; optional labels, ln_eps,
 * norm_eps, pad_id, unk_id) is config.json in a directory, or the "config" entry of a single
 * safetensors file's metadata (how {@code lrp train --arch paper} writes it). Weight names: see
 * {@link PaperModel#load}.
 */
public final class PaperFamily implements Family {
    @Override public List<String> modelTypes() { return List.of("lrp-paper"); }
    @Override public List<String> architectures() { return List.of("attention-only encoder (Ali et al. 2022)"); }

    @Override public Model load(Checkpoint c) {
        return build(c.configFile().toString(), c.config(), c.weights().all(), c.tokenizer(), c.name(), c.weights().source());
    }

    /**
     * A paper model from safetensors whose metadata "config" holds its sizes. When the metadata
     * says embeddings=minilm, the embedding module and the tokenizer come from the embedded MiniLM
     * (they are frozen, so not shipped).
     */
    public static PaperModel fromSafetensors(Path file, Tokenizer tokenizer, String name, String sourceName) {
        SafeTensors st = SafeTensors.open(file);
        String json = st.metadata().get("config");
        if (json == null) throw new LrpException(file + ": no 'config' entry in the safetensors metadata: not a paper-model file");
        JsonNode c;
        try {
            c = new ObjectMapper().readTree(json);
        } catch (java.io.IOException e) {
            throw new LrpException(file + ": malformed 'config' metadata: " + e.getMessage());
        }
        Map<String, Tensor> tensors = new HashMap<>(st.getAll());
        String source = sourceName;
        if ("minilm".equals(st.metadata().get("embeddings"))) {
            tensors.putAll(ModelLoader.miniLmEmbeddingTensors());
            if (tokenizer == null) tokenizer = WordPieceTokenizer.loadClasspath(ModelLoader.MINILM_TOKENIZER);
            source += " + embeddings classpath:" + ModelLoader.MINILM_ONNX;
        }
        return build(file + " config metadata", c, tensors, tokenizer, name, source);
    }

    private static PaperModel build(String where, JsonNode c, Map<String, Tensor> tensors, Tokenizer tokenizer, String name, String source) {
        String[] required = {"vocab", "hidden", "heads", "blocks", "n_classes", "max_pos", "type_vocab"};
        for (String k : required) {
            if (!c.path(k).canConvertToInt()) throw new LrpException(where + " lacks integer '" + k + "'");
        }
        List<String> labels = new ArrayList<>();
        JsonNode l = c.path("labels");
        if (l.isArray()) l.forEach(n -> labels.add(n.asText()));
        else for (int i = 0; i < c.get("n_classes").asInt(); i++) labels.add("LABEL_" + i);
        int unk = c.path("unk_id").asInt(tokenizer != null ? tokenizer.unkId() : 3);
        int pad = c.path("pad_id").asInt(0);
        for (String k : required) {
            if (c.get(k).asInt() < 1) throw new LrpException(where + ": '" + k + "' must be >= 1, got " + c.get(k));
        }
        int hidden = c.get("hidden").asInt(), heads = c.get("heads").asInt();
        if (hidden % heads != 0) throw new LrpException(where + ": hidden " + hidden + " is not divisible by heads " + heads);
        if (labels.size() != c.get("n_classes").asInt()) {
            throw new LrpException(where + ": " + labels.size() + " labels for n_classes " + c.get("n_classes"));
        }
        double lnEps = ModelChecks.checkEps(c.path("ln_eps").asDouble(1e-12), where, "'ln_eps'");
        double normEps = ModelChecks.checkEps(c.path("norm_eps").asDouble(1e-12), where, "'norm_eps'");
        Weights w = new Weights(tensors, source);
        // the block count before anything is allocated; unused weights and special tokens after
        ModelChecks.checkLayerCount(w, c.get("blocks").asInt(), where, "'blocks'");
        PaperConfig pc = new PaperConfig(c.get("vocab").asInt(), hidden, heads,
                c.get("blocks").asInt(), c.get("max_pos").asInt(), c.get("type_vocab").asInt(),
                lnEps, normEps, pad, unk, labels);
        PaperModel m = PaperModel.load(name, pc, w, tokenizer);
        ModelChecks.checkUnused(w, pc.blocks(), where);
        ModelChecks.warnIfNoSpecialTokens(tokenizer, true, name);
        return m;
    }
}
