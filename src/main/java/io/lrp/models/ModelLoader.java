package io.lrp.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrp.LrpException;
import io.lrp.io.HfConfig;
import io.lrp.io.SafeTensors;
import io.lrp.io.onnx.OnnxWeights;
import io.lrp.models.bert.BertConfig;
import io.lrp.models.bert.BertFamily;
import io.lrp.models.bert.BertModel;
import io.lrp.models.paper.PaperFamily;
import io.lrp.models.paper.PaperModel;
import io.lrp.nn.Weights;
import io.lrp.tensor.Tensor;
import io.lrp.text.WordPieceTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Opens a model from what the user names: a built-in name, a Hugging Face directory
 * (config.json + model.safetensors + tokenizer.json), an ONNX export (with config.json beside
 * it), or a paper-model safetensors file whose metadata carries its config.
 */
public final class ModelLoader {
    private ModelLoader() {}

    /** The all-MiniLM-L6-v2 encoder shipped in the langchain4j embeddings artifact. */
    public static final String MINILM_ONNX = "all-minilm-l6-v2.onnx";
    public static final String MINILM_TOKENIZER = "all-minilm-l6-v2-tokenizer.json";

    /** The built-in sentiment classifier: fine-tuned top layer and head, shipped as a classpath resource. */
    public static final String MINILM_SST2 = "models/minilm-sst2.safetensors";

    /** The paper's attention-only model trained on SST-2 over MiniLM's frozen embeddings. */
    public static final String PAPER_SST2 = "models/paper-sst2.safetensors";

    /** The same architecture trained on 3,000 IMDB reviews cut to 512 tokens. */
    public static final String PAPER_IMDB = "models/paper-imdb.safetensors";

    /** The graph Transformer trained on BACE molecules (scaffold split), and the split it was trained on. */
    public static final String BACE_GRAPH = "models/bace-graph.safetensors", BACE_GRAPH_SPLIT = "models/bace-graph-split.tsv";

    /** The graph Transformer trained on MNIST digits as superpixel graphs. */
    public static final String MNIST_GRAPH = "models/mnist-graph.safetensors";

    /** The built-in graph models by name, with their resources. */
    private static final java.util.Map<String, String> BUILT_IN_GRAPHS = java.util.Map.of("bace-graph", BACE_GRAPH, "mnist-graph", MNIST_GRAPH);

    public static final List<String> BUILT_IN = List.of("minilm-sst2", "paper-sst2", "paper-imdb", "bace-graph", "mnist-graph", "minilm");

    /** The scaffold split a built-in graph model was trained on (evaluate --split), or null for other models. */
    public static Path builtInSplit(String spec) {
        return spec.equals("bace-graph") ? classpathFile(BACE_GRAPH_SPLIT) : null;
    }

    public static Model load(String spec) {
        if (spec.equals("minilm")) return miniLm(null);
        if (spec.equals("minilm-sst2")) return builtInMiniLmClassifier("minilm-sst2", MINILM_SST2, ModelCache.dir());
        if (spec.equals("paper-sst2")) return paperModel(classpathFile(PAPER_SST2), null, "paper-sst2", "classpath:" + PAPER_SST2);
        if (spec.equals("paper-imdb")) return paperModel(classpathFile(PAPER_IMDB), null, "paper-imdb", "classpath:" + PAPER_IMDB);
        String graph = BUILT_IN_GRAPHS.get(spec);
        if (graph != null) return io.lrp.models.graph.GraphFamily.fromSafetensors(classpathFile(graph), spec, "classpath:" + graph);
        Path p = Path.of(spec);
        if (!Files.exists(p)) {
            throw new LrpException("model not found: '" + spec + "' is neither a file, a directory, nor a built-in model ("
                    + String.join(", ", BUILT_IN) + ")");
        }
        if (Files.isDirectory(p)) {
            // a directory written by `lrp train` holds model.safetensors whose metadata says what it is
            if (!Files.exists(p.resolve("config.json")) && Files.isRegularFile(p.resolve("model.safetensors"))) {
                return trained(p.resolve("model.safetensors"), p.toAbsolutePath().normalize().getFileName().toString());
            }
            return directory(p);
        }
        String f = p.getFileName().toString().toLowerCase();
        if (f.endsWith(".onnx")) return onnx(p);
        if (f.endsWith(".safetensors")) return trained(p, p.getFileName().toString().replaceFirst("\\.safetensors$", ""));
        throw new LrpException(spec + ": unknown model format: expected a directory with config.json, an .onnx or a .safetensors file");
    }

    /**
     * The embedded MiniLM encoder with mean pooling. With head weights (classifier.weight/bias,
     * and optionally fine-tuned encoder tensors that replace the ONNX ones) it is a classifier.
     */
    public static BertModel miniLm(Weights head) { return miniLm("minilm", head, null); }

    public static BertModel miniLm(String name, Weights head, List<String> labels) {
        return miniLm(name, miniLmEncoder(head), head, labels);
    }

    /** The embedded encoder's tensors with the fine-tuned ones of head (if any) in their place. */
    private static Weights miniLmEncoder(Weights head) {
        OnnxWeights onnx = OnnxWeights.readClasspath(MINILM_ONNX);
        Map<String, Tensor> tensors = new HashMap<>(onnx.tensors());
        if (head != null) {
            for (var e : head.all().entrySet()) {
                if (e.getKey().startsWith("classifier.")) continue;
                if (!tensors.containsKey(e.getKey())) throw new LrpException(head.source() + ": unexpected tensor '" + e.getKey() + "' for MiniLM");
                tensors.put(e.getKey(), e.getValue());
            }
            if (!head.has("classifier.bias")) throw new LrpException(head.source() + ": missing tensor 'classifier.bias'");
        }
        return new Weights(tensors, onnx.source());
    }

    private static BertModel miniLm(String name, Weights encoder, Weights head, List<String> labels) {
        WordPieceTokenizer tok = WordPieceTokenizer.loadClasspath(MINILM_TOKENIZER);
        if (head != null && labels == null) labels = labels(head.all().get("classifier.bias").size());
        BertConfig c = new BertConfig(30522, 384, 6, 12, 1536, 512, 2, 1e-12, 0, labels == null ? List.of() : labels, BertConfig.Pooling.MEAN);
        return BertModel.load(name, c, encoder, head, tok);
    }

    /**
     * A built-in MiniLM classifier (a classpath resource holding its head and fine-tuned layers),
     * through the cache in cacheDir (null: none) under the identity of its resources.
     */
    static BertModel builtInMiniLmClassifier(String name, String resource, Path cacheDir) {
        String headSource = "classpath:" + resource;
        if (cacheDir == null) return miniLmClassifier(name, classpathFile(resource), headSource);
        String key = name + " head " + resourceIdentity(resource) + " encoder " + resourceIdentity(MINILM_ONNX);
        return cachedMiniLm(name, key, cacheDir, () -> {
            SafeTensors st = SafeTensors.open(classpathFile(resource));
            String l = st.metadata().get("labels");
            return new Head(new Weights(st.getAll(), headSource), l == null ? null : List.of(l.split(",")));
        });
    }

    /** A classifier head (and fine-tuned encoder tensors) over the embedded MiniLM; labels null: LABEL_i. */
    record Head(Weights weights, List<String> labels) {}

    /**
     * MiniLM with a head: from the cache file of key in cacheDir when it is valid, else assembled
     * from the head the supplier gives (read only then) and written to the cache for the next start.
     */
    static BertModel cachedMiniLm(String name, String key, Path cacheDir, java.util.function.Supplier<Head> head) {
        Path file = ModelCache.file(cacheDir, name, key);
        ModelCache.Entry cached = ModelCache.read(file, key);
        if (cached != null) {
            Map<String, String> meta = cached.metadata();
            try {
                List<String> labels = List.of(JSON.readValue(meta.get("labels"), String[].class));
                // written after this model was built from them (every weight checked) and intact (checksum)
                BertModel m = miniLm(name, new Weights(cached.tensors(), meta.get("encoder_source")).knownFinite(),
                        new Weights(cached.tensors(), meta.get("head_source")).knownFinite(), labels);
                io.lrp.explain.Provenance.remember(m, meta.get("fingerprint"));
                return m;
            } catch (java.io.IOException | IllegalArgumentException | NullPointerException | LrpException e) {
                // metadata that does not assemble a model (written by another version): rebuilt below
            }
        }
        Head h = head.get();
        Weights encoder = miniLmEncoder(h.weights());
        BertModel m = miniLm(name, encoder, h.weights(), h.labels());
        Map<String, Tensor> tensors = new HashMap<>(encoder.all());
        tensors.put("classifier.weight", h.weights().get("classifier.weight", m.labels().size(), 384));
        tensors.put("classifier.bias", h.weights().get("classifier.bias", m.labels().size()));
        Map<String, String> meta = new HashMap<>();
        meta.put("encoder_source", encoder.source());
        meta.put("head_source", h.weights().source());
        try {
            meta.put("labels", JSON.writeValueAsString(m.labels()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return m; // (a list of strings always serializes)
        }
        meta.put("fingerprint", io.lrp.explain.Provenance.fingerprint(m));
        ModelCache.write(file, key, tensors, meta);
        return m;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private static byte[] resourceBytes(String resource) {
        try (var in = ModelLoader.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) throw new LrpException("built-in model resource missing from the classpath: " + resource);
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new LrpException("cannot read built-in model resource " + resource + ": " + e.getMessage());
        }
    }

    /**
     * What identifies a resource's content without reading it: inside a jar, the jar's name and the
     * entry's size and CRC-32 from the jar's directory (the 90 MB ONNX export is not read for a
     * key); otherwise the SHA-256 of its bytes.
     */
    static String resourceIdentity(String resource) {
        java.net.URL url = ModelLoader.class.getClassLoader().getResource(resource);
        if (url == null) throw new LrpException("built-in model resource missing from the classpath: " + resource);
        try {
            if (url.openConnection() instanceof java.net.JarURLConnection j) {
                j.setUseCaches(false);
                var e = j.getJarEntry();
                if (e != null && e.getCrc() != -1 && e.getSize() != -1) {
                    String jar = Path.of(j.getJarFileURL().toURI()).getFileName().toString();
                    try { j.getJarFile().close(); } catch (java.io.IOException ignored) { /* read-only */ }
                    return jar + "!" + resource + " size " + e.getSize() + " crc32 " + Long.toHexString(e.getCrc());
                }
            }
        } catch (java.io.IOException | java.net.URISyntaxException | IllegalArgumentException e) {
            // no jar directory to consult: hash the bytes
        }
        return resource + " sha256:" + ModelCache.sha256(resourceBytes(resource));
    }

    /** MiniLM with a head (and fine-tuned layers) from a safetensors file; labels from its metadata. */
    public static BertModel miniLmClassifier(String name, Path file) { return miniLmClassifier(name, file, file.toString()); }

    /** As above; sourceName says where the file came from (for a built-in model, its classpath resource). */
    public static BertModel miniLmClassifier(String name, Path file, String sourceName) {
        SafeTensors st = SafeTensors.open(file);
        String l = st.metadata().get("labels");
        List<String> labels = l == null ? null : List.of(l.split(","));
        return miniLm(name, new Weights(st.getAll(), sourceName), labels);
    }

    /**
     * A safetensors file written by {@code lrp train}: a paper model (metadata "config") or a MiniLM
     * classifier (metadata "base" naming all-MiniLM-L6-v2: fine-tuned layers and head over the embedded encoder).
     */
    static Model trained(Path file, String name) {
        Map<String, String> meta = SafeTensors.open(file).metadata();
        if (io.lrp.models.graph.GraphFamily.isGraphFile(meta)) return io.lrp.models.graph.GraphFamily.fromSafetensors(file, name);
        if (meta.containsKey("config")) return paperModel(file, null, name);
        String base = meta.get("base");
        if (base != null && base.startsWith("all-MiniLM-L6-v2")) return miniLmClassifier(name, file);
        throw new LrpException(file + ": not a model this tool can load: its metadata has neither 'config' (a paper model)"
                + " nor 'base' naming all-MiniLM-L6-v2 (a minilm-head model from lrp train); a Hugging Face model is a directory"
                + " with config.json, model.safetensors and tokenizer.json");
    }

    /** A classpath resource as a file (extracted to a temporary file when inside a jar). */
    static Path classpathFile(String resource) {
        java.net.URL url = ModelLoader.class.getClassLoader().getResource(resource);
        if (url == null) throw new LrpException("built-in model resource missing from the classpath: " + resource);
        try {
            if (url.getProtocol().equals("file")) return Path.of(url.toURI());
            Path tmp = Files.createTempFile("lrp-", resource.substring(resource.lastIndexOf('.')));
            tmp.toFile().deleteOnExit();
            try (var in = url.openStream()) {
                Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            return tmp;
        } catch (Exception e) {
            throw new LrpException("cannot read built-in model resource " + resource + ": " + e.getMessage());
        }
    }

    private static List<String> labels(int n) {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < n; i++) l.add("LABEL_" + i);
        return l;
    }

    /** A Hugging Face model directory, by the family registered for its config.json model_type ({@link Families}). */
    public static Model directory(Path dir) { return Checkpoint.loadDirectory(dir); }

    /** A BERT directory (kept for callers that need the BertModel type); other families: {@link #directory}. */
    public static BertModel huggingFaceDirectory(Path dir) {
        Model m = directory(dir);
        if (m instanceof BertModel b) return b;
        throw new LrpException(dir + ": a " + m.family() + " model, not BERT");
    }

    /** An ONNX encoder export, with config.json (and tokenizer.json) in the same directory. */
    public static BertModel onnx(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        Path config = dir.resolve("config.json");
        if (!Files.exists(config) && !Files.isSymbolicLink(config)) {
            throw new LrpException(file + ": an ONNX export needs its config.json in the same directory (for the number of heads and the labels)");
        }
        HfConfig hf = HfConfig.read(config);
        OnnxWeights onnx = OnnxWeights.read(file);
        if (!hf.modelType().equals("bert")) throw new LrpException(file + ": ONNX exports are read for model_type bert only, not " + hf.modelType());
        io.lrp.text.Tokenizer tok = io.lrp.text.Tokenizers.forDirectory(dir);
        Weights w = new Weights(onnx.tensors(), file.toString()).withConfigSource(config.toString());
        return BertFamily.load(file.getFileName().toString(), hf, w, tok);
    }

    /** The paper's attention-only model from safetensors whose metadata "config" holds its sizes. */
    public static PaperModel paperModel(Path file, io.lrp.text.Tokenizer tokenizer) {
        return paperModel(file, tokenizer, file.getFileName().toString().replaceFirst("\\.safetensors$", ""));
    }

    /** The MiniLM embedding module (word, position, type embeddings and their LayerNorm), frozen. */
    public static io.lrp.nn.Embeddings miniLmEmbeddings() {
        return io.lrp.nn.Embeddings.load(new Weights(miniLmEmbeddingTensors(), "classpath:" + MINILM_ONNX), 30522, 512, 2, 384, 1e-12);
    }

    /**
     * The embedded MiniLM's embedding tensors ("embeddings.*"; the paper models use them frozen),
     * from the cache in {@code lrp.cache.dir} when it holds them ({@link ModelCache}), else from
     * the ONNX export (and then written there).
     */
    public static Map<String, Tensor> miniLmEmbeddingTensors() { return miniLmEmbeddingTensors(ModelCache.dir()); }

    static Map<String, Tensor> miniLmEmbeddingTensors(Path cacheDir) {
        String key = cacheDir == null ? null : "minilm-embeddings encoder " + resourceIdentity(MINILM_ONNX);
        Path file = key == null ? null : ModelCache.file(cacheDir, "minilm-embeddings", key);
        if (file != null) {
            ModelCache.Entry cached = ModelCache.read(file, key);
            if (cached != null) return cached.tensors();
        }
        Map<String, Tensor> t = new java.util.TreeMap<>();
        for (var e : OnnxWeights.readClasspath(MINILM_ONNX).tensors().entrySet()) {
            if (e.getKey().startsWith("embeddings.")) t.put(e.getKey(), e.getValue());
        }
        if (file != null) ModelCache.write(file, key, t, Map.of());
        return t;
    }

    /**
     * A paper model from safetensors. When its metadata says embeddings=minilm, the embedding
     * module and the tokenizer come from the embedded MiniLM (they are frozen, so not shipped).
     */
    public static PaperModel paperModel(Path file, io.lrp.text.Tokenizer tokenizer, String name) {
        return paperModel(file, tokenizer, name, file.toString());
    }

    static PaperModel paperModel(Path file, io.lrp.text.Tokenizer tokenizer, String name, String sourceName) {
        return PaperFamily.fromSafetensors(file, tokenizer, name, sourceName);
    }
}
