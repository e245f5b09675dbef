package io.lrp.models.decoder;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrp.LrpException;
import io.lrp.io.InputFiles;
import io.lrp.io.SafeTensors;
import io.lrp.tensor.Bf16Matrix;
import io.lrp.tensor.F32Matrix;
import io.lrp.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A Hugging Face checkpoint directory: {@code config.json} and the weights, in one
 * {@code model.safetensors} or in shards listed by {@code model.safetensors.index.json}
 * (every shard memory-mapped and its header validated when the checkpoint opens). Tensors are
 * decoded to float32 when taken (F32, F16, BF16), or kept as BF16 ({@link #takeBf16}); the
 * checkpoint remembers which were taken,
 * so that a model can refuse weights it would silently ignore.
 */
public final class Checkpoint {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final Path dir;
    private final Config config;
    private final Map<String, SafeTensors> byName;   // tensor name -> file holding it
    private final Set<String> taken = new LinkedHashSet<>();
    private final String source;

    private Checkpoint(Path dir, Config config, Map<String, SafeTensors> byName, String source) {
        this.dir = dir;
        this.config = config;
        this.byName = byName;
        this.source = source;
    }

    /** Opens {@code dir}: reads config.json and maps the weight files; every problem is an LrpException naming the file. */
    public static Checkpoint open(Path dir) {
        if (!Files.isDirectory(dir)) throw new LrpException(dir + ": not a directory (expected a Hugging Face model directory)");
        Config config = new Config(dir.resolve("config.json"), readJson(dir.resolve("config.json")));
        Path single = dir.resolve("model.safetensors"), index = dir.resolve("model.safetensors.index.json");
        Map<String, SafeTensors> byName = new TreeMap<>();
        String source;
        if (Files.exists(single)) {
            SafeTensors st = SafeTensors.open(single);
            for (String n : st.names()) byName.put(n, st);
            source = single.toString();
        } else if (Files.exists(index)) {
            JsonNode map = readJson(index).get("weight_map");
            if (map == null || !map.isObject() || map.isEmpty()) {
                throw new LrpException(index + ": no weight_map object (expected {\"weight_map\": {tensor: shard file}})");
            }
            Map<String, SafeTensors> shards = new LinkedHashMap<>();
            for (var e : map.properties()) {
                if (!e.getValue().isTextual()) throw new LrpException(index + ": weight_map value for " + e.getKey() + " is not a file name");
                String file = e.getValue().textValue();
                Path shard = dir.resolve(file).normalize();
                if (!shard.getParent().equals(dir.normalize()) || file.contains("/") || file.contains("\\")) {
                    throw new LrpException(index + ": shard '" + file + "' is not a file of the model directory");
                }
                SafeTensors st = shards.get(file);
                if (st == null) {
                    if (!Files.exists(shard)) {
                        throw new LrpException(index + " names shard " + file + ", which is missing from " + dir);
                    }
                    st = SafeTensors.open(shard);
                    shards.put(file, st);
                }
                if (!st.contains(e.getKey())) {
                    throw new LrpException(index + " puts tensor '" + e.getKey() + "' in " + file + ", which does not hold it");
                }
                byName.put(e.getKey(), st);
            }
            source = dir + " (" + shards.size() + " shards)";
        } else {
            throw new LrpException(dir + ": no model.safetensors or model.safetensors.index.json (only safetensors weights are read)");
        }
        return new Checkpoint(dir, config, byName, source);
    }

    /** A JSON object file, refused when it is not a regular file or larger than the shared limits (tokenizer.json: 256 MB, others 4 MB). */
    static JsonNode readJson(Path f) {
        boolean tokenizer = f.getFileName().toString().equals("tokenizer.json");
        byte[] bytes = InputFiles.readBounded(f, tokenizer ? InputFiles.TOKENIZER_LIMIT : InputFiles.CONFIG_LIMIT,
                tokenizer ? "tokenizer" : "JSON file");
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
        if (root == null || !root.isObject()) throw new LrpException(f + ": top level is not a JSON object");
        return root;
    }

    public Path dir() { return dir; }
    public Config config() { return config; }
    public String source() { return source; }
    public Set<String> names() { return byName.keySet(); }
    public boolean has(String name) { return byName.containsKey(name); }

    /** The dtypes of the weights, e.g. "BF16" or "F32+F16". */
    public String dtypes() {
        Set<String> d = new TreeSet<>();
        for (var e : byName.entrySet()) d.add(e.getValue().dtype(e.getKey()));
        return String.join("+", d);
    }

    /** The tensor called name with the shape the config implies, decoded to float32. */
    public Tensor take(String name, int... shape) {
        SafeTensors st = byName.get(name);
        if (st == null) throw new LrpException(source + ": missing tensor '" + name + "'");
        int[] actual = st.shape(name);
        if (!Arrays.equals(actual, shape)) {
            throw new LrpException(source + ": tensor '" + name + "' has shape " + Arrays.toString(actual)
                    + ", but " + config.file() + " implies " + Arrays.toString(shape));
        }
        taken.add(name);
        return st.get(name);
    }

    /** A matrix [rows, cols] decoded to float32 straight into an {@link F32Matrix} (see {@link #take} for the checks). */
    public F32Matrix takeF32Matrix(String name, int rows, int cols) {
        SafeTensors st = checkedShape(name, rows, cols);
        taken.add(name);
        F32Matrix m = F32Matrix.allocate(rows, cols);
        st.getInto(name, m);
        return m;
    }

    /** The shape of a tensor in its file. */
    public int[] shape(String name) {
        SafeTensors st = byName.get(name);
        if (st == null) throw new LrpException(source + ": missing tensor '" + name + "'");
        return st.shape(name);
    }

    /** The dtype of a tensor in its file (F32, F16, BF16, ...). */
    public String dtype(String name) {
        SafeTensors st = byName.get(name);
        if (st == null) throw new LrpException(source + ": missing tensor '" + name + "'");
        return st.dtype(name);
    }

    /** A BF16 matrix [rows, cols] as stored, 2 bytes a value (see {@link #take} for the checks). */
    public Bf16Matrix takeBf16(String name, int rows, int cols) {
        SafeTensors st = checkedShape(name, rows, cols);
        taken.add(name);
        return new Bf16Matrix(st.getBf16(name), rows, cols);
    }

    private SafeTensors checkedShape(String name, int rows, int cols) {
        SafeTensors st = byName.get(name);
        if (st == null) throw new LrpException(source + ": missing tensor '" + name + "'");
        int[] actual = st.shape(name);
        if (!Arrays.equals(actual, new int[] {rows, cols})) {
            throw new LrpException(source + ": tensor '" + name + "' has shape " + Arrays.toString(actual)
                    + ", but " + config.file() + " implies " + Arrays.toString(new int[] {rows, cols}));
        }
        return st;
    }

    /** Marks a tensor as known and deliberately unused (a duplicate of a tied weight, a cached buffer). */
    public void ignore(String name) { if (byName.containsKey(name)) taken.add(name); }

    /** Refuses tensors nobody took: a model that ignored weights would not be the one in the file. */
    public void requireAllTaken(String family) {
        for (String n : byName.keySet()) {
            if (!taken.contains(n)) {
                throw new LrpException(source + ": tensor '" + n + "' is not part of a " + family
                        + " model as " + config.file() + " describes it (refusing to ignore weights)");
            }
        }
    }

    /** Typed, validated reads of config.json; every problem names the file and the key. */
    public record Config(Path file, JsonNode root) {

        public String string(String key, String dflt) {
            JsonNode v = root.get(key);
            if (v == null || v.isNull()) return dflt;
            if (!v.isTextual()) throw err(key + " must be a string, got " + v);
            return v.textValue();
        }

        public int requiredInt(String key, int min) {
            JsonNode v = root.get(key);
            if (v == null || v.isNull()) throw err("missing required integer " + key);
            return toInt(key, v, min);
        }

        public int optionalInt(String key, int dflt, int min) {
            JsonNode v = root.get(key);
            if (v == null || v.isNull()) return dflt;
            return toInt(key, v, min);
        }

        /** An integer that may be absent (null), e.g. n_inner. */
        public Integer nullableInt(String key, int min) {
            JsonNode v = root.get(key);
            if (v == null || v.isNull()) return null;
            return toInt(key, v, min);
        }

        private int toInt(String key, JsonNode v, int min) {
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < min) {
                throw err(key + " must be an integer >= " + min + ", got " + v);
            }
            return v.intValue();
        }

        public double positive(String key, double dflt) {
            JsonNode v = root.get(key);
            if (v == null || v.isNull()) return dflt;
            return positive(key, v);
        }

        public double positive(String key, JsonNode v) {
            if (!v.isNumber() || !(v.doubleValue() > 0) || Double.isInfinite(v.doubleValue())) {
                throw err(key + " must be a positive number, got " + v);
            }
            return v.doubleValue();
        }

        public boolean bool(String key, boolean dflt) {
            JsonNode v = root.get(key);
            if (v == null || v.isNull()) return dflt;
            if (!v.isBoolean()) throw err(key + " must be true or false, got " + v);
            return v.booleanValue();
        }

        /** Token ids of a key that holds one id or a list of them (eos_token_id in Llama 3); empty when absent. */
        public int[] ids(String key) {
            JsonNode v = root.get(key);
            if (v == null || v.isNull()) return new int[0];
            if (v.isArray()) {
                int[] r = new int[v.size()];
                for (int i = 0; i < r.length; i++) r[i] = toInt(key, v.get(i), 0);
                return r;
            }
            return new int[] {toInt(key, v, 0)};
        }

        public String modelType() { return string("model_type", null); }

        public LrpException err(String problem) { return new LrpException(file + ": " + problem); }
    }
}
