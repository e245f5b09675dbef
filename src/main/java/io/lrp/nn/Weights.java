package io.lrp.nn;

import io.lrp.LrpException;
import io.lrp.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Named float32 tensors from one source (a safetensors file, an ONNX export, ...), looked up by
 * their Hugging Face names. A name is tried as given and with each of the optional prefixes
 * (e.g. "bert."), and every tensor is checked against the shape the config implies.
 */
public final class Weights {
    private final Map<String, Tensor> tensors;
    private final String source;
    private final String[] prefixes;
    private final String configSource;
    private final java.util.Set<String> used;   // names handed out by get (shared by copies)
    private final boolean knownFinite;          // read back from a file written after the check

    public Weights(Map<String, Tensor> tensors, String source, String... prefixes) {
        this(tensors, source, "the model configuration", prefixes);
    }

    private Weights(Map<String, Tensor> tensors, String source, String configSource, String[] prefixes) {
        this.tensors = new TreeMap<>(tensors);
        this.source = source;
        this.configSource = configSource;
        this.prefixes = prefixes;
        this.used = java.util.concurrent.ConcurrentHashMap.newKeySet();
        this.knownFinite = false;
    }

    private Weights(Weights w, String configSource, boolean knownFinite) {
        this.tensors = w.tensors;
        this.source = w.source;
        this.configSource = configSource;
        this.prefixes = w.prefixes;
        this.used = w.used;
        this.knownFinite = knownFinite;
    }

    /** The same weights; shape errors name {@code configSource} (e.g. the config.json path) as what implies the shape. */
    public Weights withConfigSource(String configSource) {
        return new Weights(this, configSource, knownFinite);
    }

    /**
     * The same weights, whose values are known to be finite: tensors written by this library after
     * a model was built from them and read back intact (io.lrp.models.ModelCache); get skips the check.
     */
    public Weights knownFinite() {
        return new Weights(this, configSource, true);
    }

    /** The same tensors, names also tried with these prefixes (a family's, e.g. "roberta."). */
    public Weights withPrefixes(String... prefixes) {
        return new Weights(tensors, source, configSource, prefixes);
    }

    public String source() { return source; }

    /** What implies the tensors' shapes (the config.json path), for messages. */
    public String configSource() { return configSource; }

    public Map<String, Tensor> all() { return tensors; }

    public boolean has(String name) { return find(name) != null; }

    private Tensor find(String name) { return tensors.get(key(name)); }

    /** The stored name of name: as given, or with the first prefix under which it exists. */
    private String key(String name) {
        if (tensors.containsKey(name)) return name;
        for (String p : prefixes) if (tensors.containsKey(p + name)) return p + name;
        return name;
    }

    /** Stored names never handed out by {@link #get}: weights the model built from them does not use. */
    public java.util.List<String> unused() {
        return tensors.keySet().stream().filter(n -> !used.contains(n)).toList();
    }

    /** The number of encoder layers the tensors hold: one more than the largest N in "encoder.layer.N." (0 if none). */
    public int layerCount() {
        int n = 0;
        java.util.regex.Pattern p = java.util.regex.Pattern.compile("(?:^|\\.)encoder\\.layers?\\.(\\d{1,9})\\.");
        for (String k : tensors.keySet()) {
            java.util.regex.Matcher m = p.matcher(k);
            if (m.find()) n = Math.max(n, Integer.parseInt(m.group(1)) + 1);
        }
        return n;
    }

    /** The tensor called name, which must have the given shape. */
    public Tensor get(String name, int... shape) {
        Tensor t = find(name);
        if (t == null) throw new LrpException(source + ": missing tensor '" + name + "'");
        if (!Arrays.equals(t.shape(), shape)) {
            throw new LrpException(source + ": tensor '" + name + "' has shape " + t.shapeString()
                    + ", but " + configSource + " implies " + Arrays.toString(shape));
        }
        if (used.add(key(name)) && !knownFinite) checkFinite(source, key(name), t);
        return t;
    }

    /** An LrpException naming the tensor and the first element that is NaN or infinite. */
    public static void checkFinite(String source, String name, Tensor t) {
        float[] d = t.data;
        for (int i = 0; i < d.length; i++) {
            if (!Float.isFinite(d[i])) {
                throw new LrpException(source + ": tensor '" + name + "' holds " + d[i] + " at element " + i
                        + " (of " + d.length + "): a model with NaN or infinite weights gives meaningless explanations");
            }
        }
    }
}
