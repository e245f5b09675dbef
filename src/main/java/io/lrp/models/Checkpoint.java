package io.lrp.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrp.LrpException;
import io.lrp.io.HfConfig;
import io.lrp.io.SafeTensors;
import io.lrp.nn.Weights;
import io.lrp.tensor.Tensor;
import io.lrp.text.Tokenizer;
import io.lrp.text.Tokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * What a Hugging Face model directory holds, read and checked before a family builds its model:
 * config.json (parsed JSON; each family reads its own fields), the weights (model.safetensors,
 * or the shards a model.safetensors.index.json names; a PyTorch pickle is refused, never
 * unpickled) and the tokenizer (tokenizer.json, or a BERT vocab.txt).
 */
public record Checkpoint(Path dir, String name, Path configFile, JsonNode config, Weights weights, Tokenizer tokenizer) {

    /** The family registered for the directory's model_type, then its model. */
    public static Model loadDirectory(Path dir) {
        Path config = dir.resolve("config.json");
        if (!Files.exists(config) && !Files.isSymbolicLink(config)) throw new LrpException(dir + ": not a model directory: config.json is missing");
        io.lrp.io.InputFiles.requireRegular(config, "config.json");   // a pipe or device is refused, not waited on
        JsonNode json = HfConfig.readJson(config);
        JsonNode mt = json.get("model_type");
        if (mt == null || mt.isNull()) {
            throw new LrpException(config + ": missing model_type (supported model_type values: "
                    + String.join(", ", Families.modelTypes()) + ")");
        }
        if (!mt.isTextual()) throw new LrpException(config + ": model_type must be a string, got " + mt);
        Family family = Families.forModelType(mt.textValue(), config);
        return family.open(dir, config, json);
    }

    /** The weights and tokenizer of a directory whose config.json is already parsed. */
    public static Checkpoint read(Path dir, Path config, JsonNode json) {
        Weights w = readWeights(dir).withConfigSource(config.toString());
        Tokenizer tok = Tokenizers.forDirectory(dir);
        return new Checkpoint(dir, dir.getFileName().toString(), config, json, w, tok);
    }

    /** model.safetensors, else the shards of model.safetensors.index.json; a .bin checkpoint is refused with the way to convert it. */
    public static Weights readWeights(Path dir) {
        Path single = dir.resolve("model.safetensors");
        if (Files.exists(single) || Files.isSymbolicLink(single)) {
            io.lrp.io.InputFiles.requireRegular(single, "model.safetensors");
            return new Weights(floatWeights(SafeTensors.open(single)), single.toString());
        }
        Path index = dir.resolve("model.safetensors.index.json");
        if (Files.isRegularFile(index)) return sharded(dir, index);
        for (String pickle : new String[] {"pytorch_model.bin", "pytorch_model.bin.index.json", "model.bin", "model.pt"}) {
            if (Files.exists(dir.resolve(pickle))) {
                throw new LrpException(dir + ": " + pickle + " is a PyTorch pickle checkpoint, which can run code when loaded and is "
                        + "never read here; convert it once to safetensors, e.g. python -c \"from transformers import "
                        + "AutoModelForSequenceClassification as M; M.from_pretrained('" + dir + "').save_pretrained('" + dir
                        + "', safe_serialization=True)\"");
            }
        }
        throw new LrpException(dir + ": model.safetensors is missing (only the safetensors format is read, not pytorch_model.bin)");
    }

    private static Weights sharded(Path dir, Path index) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(index.toFile());
        } catch (IOException e) {
            throw new LrpException(index + ": malformed JSON: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject() || map.isEmpty()) throw new LrpException(index + ": no weight_map");
        Map<String, String> fileOf = new LinkedHashMap<>();
        for (var e : map.properties()) {
            if (!e.getValue().isTextual()) throw new LrpException(index + ": weight_map entry '" + e.getKey() + "' is not a file name");
            String f = e.getValue().asText();
            if (f.contains("/") || f.contains("\\") || f.startsWith(".")) {
                throw new LrpException(index + ": weight_map names '" + f + "', not a file in the directory");
            }
            fileOf.put(e.getKey(), f);
        }
        Map<String, Tensor> all = new LinkedHashMap<>();
        for (String f : new TreeSet<>(fileOf.values())) {
            Path shard = dir.resolve(f);
            if (!Files.isRegularFile(shard)) throw new LrpException(index + " names shard " + f + ", which is missing from " + dir);
            Map<String, Tensor> part = floatWeights(SafeTensors.open(shard));
            for (var e : part.entrySet()) {
                if (!f.equals(fileOf.get(e.getKey()))) {
                    throw new LrpException(shard + ": tensor '" + e.getKey() + "' is not assigned to this shard by " + index);
                }
                all.put(e.getKey(), e.getValue());
            }
        }
        for (var e : fileOf.entrySet()) {
            if (!all.containsKey(e.getKey()) && !e.getKey().endsWith("_ids")) {
                throw new LrpException(index + ": tensor '" + e.getKey() + "' is missing from its shard " + e.getValue());
            }
        }
        return new Weights(all, index + " (" + new TreeSet<>(fileOf.values()).size() + " shards)");
    }

    /**
     * All tensors decoded to float32, except integer buffers such as {@code bert.embeddings.position_ids}
     * (I64 in checkpoints of older transformers versions), which are not weights. Any other tensor of
     * a dtype that cannot become float32 is an error naming the file and the tensor.
     */
    public static Map<String, Tensor> floatWeights(SafeTensors st) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String name : st.names()) {
            if (name.endsWith("_ids") && st.dtype(name).matches("[IU](8|16|32|64)")) continue;
            out.put(name, st.get(name));
        }
        return out;
    }
}
