package io.lrp.io.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.lrp.LrpException;
import io.lrp.io.onnx.proto.OnnxMin.GraphProto;
import io.lrp.io.onnx.proto.OnnxMin.ModelProto;
import io.lrp.io.onnx.proto.OnnxMin.NodeProto;
import io.lrp.io.onnx.proto.OnnxMin.OperatorSetIdProto;
import io.lrp.io.onnx.proto.OnnxMin.TensorProto;
import io.lrp.io.onnx.proto.OnnxMin.ValueInfoProto;
import io.lrp.tensor.Tensor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The weights of an ONNX export of a BERT-family encoder, under Hugging Face parameter names.
 *
 * <p>Named initializers keep their names. A PyTorch export stores each {@code nn.Linear} weight as
 * an anonymous initializer (e.g. {@code onnx::MatMul_787}) of layout {@code [in, out]} feeding a
 * {@code MatMul}, whose output goes to an {@code Add} with the named bias {@code <prefix>.bias}
 * (in either input slot). Such a weight is renamed {@code <prefix>.weight} and transposed to the
 * HF layout {@code [out, in]}, so that {@code y = x W^T + b}. A MatMul weight that cannot be named
 * this way stays under its ONNX name, untransposed, with a warning.
 *
 * <p>Floating initializers (FLOAT, FLOAT16, BFLOAT16, DOUBLE) become float32 {@link Tensor}s;
 * INT32/INT64 initializers (e.g. {@code embeddings.position_ids}) are kept apart in
 * {@link #integerTensors()}. Weights in external data files are refused.
 *
 * <p>Observed in the embedded all-MiniLM-L6-v2 export (pytorch, opset 11): HF names without a
 * {@code bert.} prefix ({@code embeddings.*}, {@code encoder.layer.N.*}); the 36 linear weights are
 * {@code onnx::MatMul_NNN} [in, out]; each bias Add has the bias as input 0 and the MatMul output
 * as input 1; LayerNorm is decomposed but its weight/bias initializers are named;
 * {@code embeddings.position_ids} is an INT64 [1, 512] initializer.
 */
public final class OnnxWeights {

    /** An integer initializer, widened to long, row-major. */
    public record IntTensor(long[] data, int[] shape) {}

    private final String source;
    private final String producer;
    private final long opsetVersion;
    private final List<String> graphInputs;
    private final Map<String, Tensor> tensors;
    private final Map<String, IntTensor> integerTensors;
    private final Map<String, String> onnxNames;
    private final List<String> warnings;

    private OnnxWeights(String source, String producer, long opsetVersion, List<String> graphInputs,
                        Map<String, Tensor> tensors, Map<String, IntTensor> integerTensors,
                        Map<String, String> onnxNames, List<String> warnings) {
        this.source = source;
        this.producer = producer;
        this.opsetVersion = opsetVersion;
        this.graphInputs = Collections.unmodifiableList(graphInputs);
        this.tensors = Collections.unmodifiableMap(tensors);
        this.integerTensors = Collections.unmodifiableMap(integerTensors);
        this.onnxNames = Collections.unmodifiableMap(onnxNames);
        this.warnings = Collections.unmodifiableList(warnings);
    }

    /** Reads a {@code .onnx} file. The file is memory-mapped; only the decoded weights use heap. */
    public static OnnxWeights read(Path file) {
        String src = file.toString();
        if (java.nio.file.Files.exists(file) || java.nio.file.Files.isSymbolicLink(file)) io.lrp.io.InputFiles.requireRegular(file, "ONNX model");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            checkSize(src, size);
            ByteBuffer buf = size == 0 ? ByteBuffer.allocate(0) : ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            CodedInputStream in = CodedInputStream.newInstance(buf);
            return parse(in, (int) size, src);
        } catch (NoSuchFileException e) {
            throw new LrpException(src + ": file not found", e);
        } catch (IOException e) {
            throw new LrpException(src + ": cannot read the file: " + e.getMessage(), e);
        }
    }

    /** Reads a model from a stream (read to its end, not closed); {@code sourceName} names it in errors. */
    public static OnnxWeights read(InputStream in, String sourceName) {
        byte[] bytes;
        int size;
        try {
            byte[] buf = new byte[1 << 16];
            size = 0;
            while (true) {
                if (size == buf.length) {
                    if (buf.length >= TensorDecoder.MAX_ELEMENTS) checkSize(sourceName, Long.MAX_VALUE);
                    buf = Arrays.copyOf(buf, (int) Math.min(TensorDecoder.MAX_ELEMENTS, 2L * buf.length));
                }
                int r = in.read(buf, size, buf.length - size);
                if (r < 0) break;
                size += r;
            }
            bytes = buf;
        } catch (IOException e) {
            throw new LrpException(sourceName + ": cannot read the model: " + e.getMessage(), e);
        }
        return parse(CodedInputStream.newInstance(bytes, 0, size), size, sourceName);
    }

    /** Reads a model that is a class-path resource, e.g. {@code all-minilm-l6-v2.onnx}. */
    public static OnnxWeights readClasspath(String resource) {
        String src = "classpath:" + resource;
        String path = resource.startsWith("/") ? resource.substring(1) : resource;
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        if (cl == null || cl.getResource(path) == null) cl = OnnxWeights.class.getClassLoader();
        InputStream in = cl == null ? null : cl.getResourceAsStream(path);
        if (in == null) {
            throw new LrpException(src + ": resource not found on the class path");
        }
        try (InputStream s = in) {
            return read(s, src);
        } catch (IOException e) {
            throw new LrpException(src + ": cannot read the resource: " + e.getMessage(), e);
        }
    }

    private static void checkSize(String src, long size) {
        if (size > TensorDecoder.MAX_ELEMENTS) {
            throw new LrpException(src + ": not a valid single-file ONNX model: larger than 2 GB "
                    + "(such models keep their weights in external files, which is not supported)");
        }
    }

    private static OnnxWeights parse(CodedInputStream in, int size, String src) {
        if (size == 0) throw new LrpException(src + ": not a valid ONNX model: the file is empty");
        ModelProto model;
        try {
            in.setSizeLimit(Math.max(size, 1));
            in.enableAliasing(true);        // raw_data views the input instead of copying it
            model = ModelProto.parseFrom(in);
        } catch (InvalidProtocolBufferException e) {
            throw new LrpException(src + ": not a valid ONNX model (truncated or corrupted protobuf: "
                    + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new LrpException(src + ": cannot read the model: " + e.getMessage(), e);
        }
        return fromModel(model, src);
    }

    private static OnnxWeights fromModel(ModelProto model, String src) {
        if (!model.hasGraph()) {
            throw new LrpException(src + ": not a valid ONNX model: it has no graph");
        }
        GraphProto g = model.getGraph();
        if (g.getInitializerCount() == 0) {
            throw new LrpException(src + ": the ONNX graph has no initializers, so there are no "
                    + "weights to import");
        }
        TensorDecoder dec = new TensorDecoder(src);
        Map<String, TensorProto> inits = new LinkedHashMap<>();
        for (TensorProto t : g.getInitializerList()) {
            if (t.getName().isEmpty()) throw new LrpException(src + ": an initializer has no name");
            if (t.getDataLocation() == 1 || t.getExternalDataCount() > 0) {
                throw dec.fail(t, "is stored in an external data file; weights stored in external "
                        + "files are not supported (re-export the model as one .onnx file under 2 GB)");
            }
            int type = t.getDataType();
            if (!TensorDecoder.isFloating(type) && !TensorDecoder.isInteger(type)) {
                throw dec.fail(t, "has unsupported data type " + TensorDecoder.typeName(type)
                        + " (supported: FLOAT, FLOAT16, BFLOAT16, DOUBLE, INT32, INT64)");
            }
            if (inits.put(t.getName(), t) != null) {
                throw dec.fail(t, "appears twice in the graph");
            }
        }

        List<String> warnings = new ArrayList<>();
        Map<String, String> rename = linearWeightNames(g, inits, warnings);

        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, IntTensor> ints = new LinkedHashMap<>();
        Map<String, String> onnxNames = new LinkedHashMap<>();
        for (TensorProto t : inits.values()) {
            if (TensorDecoder.isInteger(t.getDataType())) {
                ints.put(t.getName(), dec.decodeInteger(t));
                continue;
            }
            Tensor x = dec.decodeFloating(t);
            String hf = rename.get(t.getName());
            if (hf != null) {
                tensors.put(hf, transpose(x));
                onnxNames.put(hf, t.getName());
            } else {
                tensors.put(t.getName(), x);
            }
        }

        long opset = 0;
        for (OperatorSetIdProto o : model.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) opset = o.getVersion();
        }
        List<String> inputs = new ArrayList<>();
        for (ValueInfoProto v : g.getInputList()) {
            if (!inits.containsKey(v.getName())) inputs.add(v.getName());  // IR < 4 lists weights too
        }
        return new OnnxWeights(src, model.getProducerName(), opset, inputs, tensors, ints, onnxNames,
                warnings);
    }

    /**
     * ONNX name -> HF name for each anonymous floating rank-2 MatMul weight whose MatMul output
     * feeds exactly one node, an Add whose other input is an initializer {@code <prefix>.bias}.
     */
    private static Map<String, String> linearWeightNames(GraphProto g, Map<String, TensorProto> inits,
                                                         List<String> warnings) {
        Map<String, List<NodeProto>> consumers = new HashMap<>();
        for (NodeProto n : g.getNodeList()) {
            for (String in : n.getInputList()) {
                consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
            }
        }
        Map<String, String> rename = new LinkedHashMap<>();
        Set<String> taken = new HashSet<>(inits.keySet());
        for (NodeProto mm : g.getNodeList()) {
            if (!mm.getOpType().equals("MatMul") || mm.getInputCount() != 2) continue;
            String w = mm.getInput(1);
            TensorProto t = inits.get(w);
            if (t == null || w.endsWith(".weight") || !TensorDecoder.isFloating(t.getDataType())
                    || rename.containsKey(w)) {
                continue;
            }
            String where = "MatMul weight '" + w + "' (node '" + mm.getName() + "')";
            if (t.getDimsCount() != 2) {
                warnings.add(where + " has rank " + t.getDimsCount() + ", not 2; kept under its ONNX name");
                continue;
            }
            String bias = mm.getOutputCount() == 1 ? biasOf(mm.getOutput(0), consumers, inits) : null;
            if (bias == null) {
                warnings.add(where + " does not feed an Add with a named '<prefix>.bias' initializer; "
                        + "kept under its ONNX name in ONNX layout [in, out]");
                continue;
            }
            String name = bias.substring(0, bias.length() - ".bias".length()) + ".weight";
            if (!taken.add(name)) {
                warnings.add(where + " would be named '" + name + "', which already exists; kept under "
                        + "its ONNX name in ONNX layout [in, out]");
                continue;
            }
            rename.put(w, name);
        }
        return rename;
    }

    private static String biasOf(String out, Map<String, List<NodeProto>> consumers,
                                 Map<String, TensorProto> inits) {
        List<NodeProto> users = consumers.getOrDefault(out, List.of());
        if (users.size() != 1) return null;
        NodeProto add = users.get(0);
        if (!add.getOpType().equals("Add") || add.getInputCount() != 2) return null;
        String other = add.getInput(0).equals(out) ? add.getInput(1) : add.getInput(0);
        TensorProto b = inits.get(other);
        if (b == null || !other.endsWith(".bias") || other.length() == ".bias".length()
                || !TensorDecoder.isFloating(b.getDataType())) {
            return null;
        }
        return other;
    }

    /** [in, out] -> [out, in]. */
    private static Tensor transpose(Tensor x) {
        int rows = x.dim(0), cols = x.dim(1);
        float[] src = x.data;
        float[] dst = new float[src.length];
        for (int i = 0; i < rows; i++) {
            int base = i * cols;
            for (int j = 0; j < cols; j++) dst[j * rows + i] = src[base + j];
        }
        return new Tensor(dst, cols, rows);
    }

    /** Floating weights under HF names (renamed MatMul weights in layout [out, in]), in file order. */
    public Map<String, Tensor> tensors() { return tensors; }

    /** INT32/INT64 initializers (constants such as position ids), under their ONNX names. */
    public Map<String, IntTensor> integerTensors() { return integerTensors; }

    /** For each renamed (and transposed) MatMul weight: HF name -> original ONNX initializer name. */
    public Map<String, String> onnxNames() { return onnxNames; }

    /** Problems that did not stop the import, e.g. a MatMul weight that could not be named. */
    public List<String> warnings() { return warnings; }

    /** The file path or the source name given to {@link #read(InputStream, String)}. */
    public String source() { return source; }

    /** Version of the default ("" / ai.onnx) operator set, 0 if the model declares none. */
    public long opsetVersion() { return opsetVersion; }

    /** Names of the graph inputs that are not initializers, e.g. input_ids, attention_mask. */
    public List<String> graphInputs() { return graphInputs; }

    /** producer_name of the model, e.g. "pytorch"; empty if absent. */
    public String producer() { return producer; }
}
