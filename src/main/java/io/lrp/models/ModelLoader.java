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

    public static final List<String> BUILT_IN = List.of("minilm-sst2", "paper-sst2", "paper-imdb", "minilm");

    public static Model load(String spec) {
        if (spec.equals("minilm")) return miniLm(null);
        if (spec.equals("minilm-sst2")) return miniLmClassifier("minilm-sst2", classpathFile(MINILM_SST2), "classpath:" + MINILM_SST2);
        if (spec.equals("paper-sst2")) return paperModel(classpathFile(PAPER_SST2), null, "paper-sst2", "classpath:" + PAPER_SST2);
        if (spec.equals("paper-imdb")) return paperModel(classpathFile(PAPER_IMDB), null, "paper-imdb", "classpath:" + PAPER_IMDB);
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
        OnnxWeights onnx = OnnxWeights.readClasspath(MINILM_ONNX);
        WordPieceTokenizer tok = WordPieceTokenizer.loadClasspath(MINILM_TOKENIZER);
        Map<String, Tensor> tensors = new HashMap<>(onnx.tensors());
        String source = onnx.source();
        if (head != null) {
            for (var e : head.all().entrySet()) {
                if (e.getKey().startsWith("classifier.")) continue;
                if (!tensors.containsKey(e.getKey())) throw new LrpException(head.source() + ": unexpected tensor '" + e.getKey() + "' for MiniLM");
                tensors.put(e.getKey(), e.getValue());
            }
            if (!head.has("classifier.bias")) throw new LrpException(head.source() + ": missing tensor 'classifier.bias'");
            if (labels == null) labels = labels(head.all().get("classifier.bias").size());
        }
        BertConfig c = new BertConfig(30522, 384, 6, 12, 1536, 512, 2, 1e-12, 0, labels == null ? List.of() : labels, BertConfig.Pooling.MEAN);
        return BertModel.load(name, c, new Weights(tensors, source), head, tok);
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
            Path tmp = Files.createTempFile("lrp-", ".safetensors");
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
        OnnxWeights onnx = OnnxWeights.readClasspath(MINILM_ONNX);
        return io.lrp.nn.Embeddings.load(new Weights(onnx.tensors(), onnx.source()), 30522, 512, 2, 384, 1e-12);
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
