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

    public Weights(Map<String, Tensor> tensors, String source, String... prefixes) {
        this(tensors, source, "the model configuration", prefixes);
    }

    private Weights(Map<String, Tensor> tensors, String source, String configSource, String[] prefixes) {
        this.tensors = new TreeMap<>(tensors);
        this.source = source;
        this.configSource = configSource;
        this.prefixes = prefixes;
    }

    /** The same weights; shape errors name {@code configSource} (e.g. the config.json path) as what implies the shape. */
    public Weights withConfigSource(String configSource) {
        return new Weights(tensors, source, configSource, prefixes);
    }

    /** The same tensors, names also tried with these prefixes (a family's, e.g. "roberta."). */
    public Weights withPrefixes(String... prefixes) {
        return new Weights(tensors, source, configSource, prefixes);
    }

    public String source() { return source; }

    public Map<String, Tensor> all() { return tensors; }

    public boolean has(String name) { return find(name) != null; }

    private Tensor find(String name) {
        Tensor t = tensors.get(name);
        for (int i = 0; t == null && i < prefixes.length; i++) t = tensors.get(prefixes[i] + name);
        return t;
    }

    /** The tensor called name, which must have the given shape. */
    public Tensor get(String name, int... shape) {
        Tensor t = find(name);
        if (t == null) throw new LrpException(source + ": missing tensor '" + name + "'");
        if (!Arrays.equals(t.shape(), shape)) {
            throw new LrpException(source + ": tensor '" + name + "' has shape " + t.shapeString()
                    + ", but " + configSource + " implies " + Arrays.toString(shape));
        }
        return t;
    }
}
