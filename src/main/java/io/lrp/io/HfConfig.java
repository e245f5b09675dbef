package io.lrp.io;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrp.LrpException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The fields of a Hugging Face {@code config.json} of the BERT layout (model_type bert, roberta,
 * xlm-roberta), and the checked readers every family's config uses ({@link #readJson},
 * {@link #requiredInt}, ...).
 * Required integers: vocab_size, hidden_size, num_hidden_layers, num_attention_heads,
 * intermediate_size, max_position_embeddings. Optional, with the defaults of transformers'
 * BertConfig: type_vocab_size 2, layer_norm_eps 1e-12, pad_token_id 0, hidden_act "gelu",
 * position_embedding_type "absolute". Labels come from id2label, else num_labels, else two labels.
 */
public record HfConfig(
        String modelType,
        List<String> architectures,
        int vocabSize,
        int hiddenSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int intermediateSize,
        String hiddenAct,
        int maxPositionEmbeddings,
        int typeVocabSize,
        double layerNormEps,
        int padTokenId,
        String positionEmbeddingType,
        List<String> id2label,
        JsonNode raw) {

    public static final List<String> SUPPORTED_MODEL_TYPES = List.of("bert", "roberta", "xlm-roberta");
    public static final List<String> SUPPORTED_ACTIVATIONS = List.of("gelu");

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    public HfConfig {
        architectures = List.copyOf(architectures);
        id2label = List.copyOf(id2label);
    }

    public int numLabels() { return id2label.size(); }

    public int headDim() { return hiddenSize / numAttentionHeads; }

    /** Reads and validates {@code configJson}; every problem is an LrpException naming the file. */
    public static HfConfig read(Path configJson) {
        Path f = configJson;
        JsonNode root = readJson(f);

        JsonNode mt = root.get("model_type");
        if (mt == null || mt.isNull()) {
            throw err(f, "missing model_type (supported model_type values: " + String.join(", ", SUPPORTED_MODEL_TYPES) + ")");
        }
        if (!mt.isTextual()) throw err(f, "model_type must be a string, got " + mt);
        String modelType = mt.textValue();
        if (!SUPPORTED_MODEL_TYPES.contains(modelType)) {
            throw new LrpException("unsupported architecture '" + modelType + "' in " + f
                    + ": supported model_type values: " + String.join(", ", SUPPORTED_MODEL_TYPES));
        }

        List<String> architectures = new ArrayList<>();
        JsonNode arch = root.get("architectures");
        if (arch != null && !arch.isNull()) {
            if (!arch.isArray()) throw err(f, "architectures must be a list of strings, got " + arch);
            for (JsonNode a : arch) {
                if (!a.isTextual()) throw err(f, "architectures must be a list of strings, got " + arch);
                architectures.add(a.textValue());
            }
        }

        int vocab = requiredInt(f, root, "vocab_size", 1);
        int hidden = requiredInt(f, root, "hidden_size", 1);
        int layers = requiredInt(f, root, "num_hidden_layers", 1);
        int heads = requiredInt(f, root, "num_attention_heads", 1);
        int inter = requiredInt(f, root, "intermediate_size", 1);
        int maxPos = requiredInt(f, root, "max_position_embeddings", 1);
        int typeVocab = optionalInt(f, root, "type_vocab_size", 2, 1);
        int pad = optionalInt(f, root, "pad_token_id", 0, 0);
        if (hidden % heads != 0) {
            throw err(f, "hidden_size " + hidden + " is not divisible by num_attention_heads " + heads);
        }
        if (pad >= vocab) throw err(f, "pad_token_id " + pad + " is not below vocab_size " + vocab);

        double eps = 1e-12;
        JsonNode epsNode = root.get("layer_norm_eps");
        if (epsNode != null && !epsNode.isNull()) {
            if (!epsNode.isNumber()) throw err(f, "layer_norm_eps must be a small positive number, got " + epsNode);
            eps = io.lrp.models.ModelChecks.checkEps(epsNode.doubleValue(), f.toString(), "layer_norm_eps");
        }

        String act = optionalString(f, root, "hidden_act", "gelu");
        if (!SUPPORTED_ACTIVATIONS.contains(act)) {
            throw err(f, "unsupported hidden_act '" + act + "': supported: " + String.join(", ", SUPPORTED_ACTIVATIONS));
        }
        String posType = optionalString(f, root, "position_embedding_type", "absolute");
        if (!posType.equals("absolute")) {
            throw err(f, "unsupported position_embedding_type '" + posType + "': only 'absolute' is supported");
        }

        List<String> labels = readLabels(f, root);
        return new HfConfig(modelType, architectures, vocab, hidden, layers, heads, inter, act, maxPos,
                typeVocab, eps, pad, posType, labels, root);
    }

    /** config.json as a JSON object; unreadable or malformed files are an LrpException naming the file. */
    public static JsonNode readJson(Path f) {
        if (Files.isDirectory(f)) throw err(f, "is a directory, expected config.json");
        if (!Files.exists(f) && !Files.isSymbolicLink(f)) throw err(f, "file not found");
        byte[] bytes = InputFiles.readBounded(f, InputFiles.CONFIG_LIMIT, "config.json");
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            String at = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
            throw new LrpException(f + ": malformed JSON" + at + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new LrpException(f + ": cannot parse JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw err(f, "top level is not a JSON object");

        return root;
    }

    /** The labels: id2label, else num_labels generic names, else two. */
    public static List<String> readLabels(Path f, JsonNode root) {
        JsonNode numNode = root.get("num_labels");
        Integer numLabels = null;
        if (numNode != null && !numNode.isNull()) numLabels = optionalInt(f, root, "num_labels", 0, 1);
        JsonNode map = root.get("id2label");
        if (map == null || map.isNull()) {
            int n = numLabels == null ? 2 : numLabels;
            List<String> labels = new ArrayList<>(n);
            for (int i = 0; i < n; i++) labels.add("LABEL_" + i);
            return labels;
        }
        if (!map.isObject() || map.isEmpty()) {
            throw err(f, "id2label must be a non-empty object {\"0\": label, ...}, got " + map);
        }
        int n = map.size();
        String[] labels = new String[n];
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int idx;
            try {
                idx = Integer.parseInt(e.getKey());
            } catch (NumberFormatException ex) {
                idx = -1;
            }
            if (idx < 0 || idx >= n || !e.getKey().equals(Integer.toString(idx)) || labels[idx] != null) {
                throw err(f, "id2label keys must be 0.." + (n - 1) + ", found key '" + e.getKey() + "'");
            }
            if (!e.getValue().isTextual()) {
                throw err(f, "id2label value for key " + e.getKey() + " must be a string, got " + e.getValue());
            }
            labels[idx] = e.getValue().textValue();
        }
        if (numLabels != null && numLabels != n) {
            throw err(f, "num_labels " + numLabels + " disagrees with id2label, which has " + n + " entries");
        }
        return List.of(labels);
    }

    public static int requiredInt(Path f, JsonNode root, String key, int min) {
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) throw err(f, "missing required integer " + key);
        return toInt(f, key, v, min);
    }

    public static int optionalInt(Path f, JsonNode root, String key, int dflt, int min) {
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) return dflt;
        return toInt(f, key, v, min);
    }

    private static int toInt(Path f, String key, JsonNode v, int min) {
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < min) {
            throw err(f, key + " must be an integer >= " + min + ", got " + v);
        }
        return v.intValue();
    }

    public static String optionalString(Path f, JsonNode root, String key, String dflt) {
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) return dflt;
        if (!v.isTextual()) throw err(f, key + " must be a string, got " + v);
        return v.textValue();
    }

    /** An optional positive finite number (e.g. layer_norm_eps). */
    public static double positiveDouble(Path f, JsonNode root, String key, double dflt) {
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) return dflt;
        if (!v.isNumber() || !(v.doubleValue() > 0) || Double.isInfinite(v.doubleValue())) {
            throw err(f, key + " must be a positive number, got " + v);
        }
        return v.doubleValue();
    }

    private static LrpException err(Path file, String problem) {
        return new LrpException(file + ": " + problem);
    }
}
