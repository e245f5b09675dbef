package io.lrp.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrp.LrpException;
import io.lrp.io.HfConfig;
import io.lrp.io.SafeTensors;
import io.lrp.io.onnx.OnnxWeights;
import io.lrp.models.bert.BertConfig;
import io.lrp.models.bert.BertModel;
import io.lrp.models.paper.PaperConfig;
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

    public static final List<String> BUILT_IN = List.of("minilm-sst2", "paper-sst2", "minilm");

    public static Model load(String spec) {
        if (spec.equals("minilm")) return miniLm(null);
        if (spec.equals("minilm-sst2")) return miniLmClassifier("minilm-sst2", classpathFile(MINILM_SST2), "classpath:" + MINILM_SST2);
        if (spec.equals("paper-sst2")) return paperModel(classpathFile(PAPER_SST2), null, "paper-sst2", "classpath:" + PAPER_SST2);
        Path p = Path.of(spec);
        if (!Files.exists(p)) {
            throw new LrpException("model not found: '" + spec + "' is neither a file, a directory, nor a built-in model ("
                    + String.join(", ", BUILT_IN) + ")");
        }
        if (Files.isDirectory(p)) return huggingFaceDirectory(p);
        String f = p.getFileName().toString().toLowerCase();
        if (f.endsWith(".onnx")) return onnx(p);
        if (f.endsWith(".safetensors")) return paperModel(p, null);
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

    public static BertModel huggingFaceDirectory(Path dir) {
        Path config = dir.resolve("config.json");
        if (!Files.exists(config) && !Files.isSymbolicLink(config)) throw new LrpException(dir + ": not a model directory: config.json is missing");
        HfConfig hf = HfConfig.read(config);
        Path weightsFile = dir.resolve("model.safetensors");
        if (!Files.exists(weightsFile) && !Files.isSymbolicLink(weightsFile)) {
            throw new LrpException(dir + ": model.safetensors is missing (only the safetensors format is read, not pytorch_model.bin)");
        }
        WordPieceTokenizer tok = WordPieceTokenizer.load(dir.resolve("tokenizer.json"));
        SafeTensors st = SafeTensors.open(weightsFile);
        Weights w = new Weights(floatWeights(st), weightsFile.toString(), "bert.").withConfigSource(config.toString());
        return checkedBert(dir.getFileName().toString(), hf, w, tok, config);
    }

    /** A BERT model from checked weights: layer count before any allocation, unused weights and special tokens after. */
    private static BertModel checkedBert(String name, HfConfig hf, Weights w, WordPieceTokenizer tok, Path config) {
        ModelChecks.checkLayerCount(w, hf.numHiddenLayers(), config.toString(), "num_hidden_layers");
        boolean classifier = w.has("classifier.weight");
        BertConfig c = bertConfig(hf, classifier && w.has("pooler.dense.weight") ? BertConfig.Pooling.CLS_POOLER : BertConfig.Pooling.MEAN);
        BertModel m = BertModel.load(name, c, w, classifier ? w : null, tok);
        ModelChecks.checkUnused(w, hf.numHiddenLayers(), config.toString());
        ModelChecks.warnIfNoSpecialTokens(tok, c.pooling() == BertConfig.Pooling.CLS_POOLER, name);
        return m;
    }

    /**
     * All tensors decoded to float32, except integer buffers such as {@code bert.embeddings.position_ids}
     * (I64 in checkpoints of older transformers versions), which are not weights. Any other tensor of
     * a dtype that cannot become float32 is an error naming the file and the tensor.
     */
    private static Map<String, Tensor> floatWeights(SafeTensors st) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String name : st.names()) {
            if (name.endsWith("_ids") && st.dtype(name).matches("[IU](8|16|32|64)")) continue;
            out.put(name, st.get(name));
        }
        return out;
    }

    private static BertConfig bertConfig(HfConfig hf, BertConfig.Pooling pooling) {
        return new BertConfig(hf.vocabSize(), hf.hiddenSize(), hf.numHiddenLayers(), hf.numAttentionHeads(),
                hf.intermediateSize(), hf.maxPositionEmbeddings(), hf.typeVocabSize(), hf.layerNormEps(),
                hf.padTokenId(), hf.id2label(), pooling);
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
        WordPieceTokenizer tok = WordPieceTokenizer.load(dir.resolve("tokenizer.json"));
        Weights w = new Weights(onnx.tensors(), file.toString(), "bert.").withConfigSource(config.toString());
        return checkedBert(file.getFileName().toString(), hf, w, tok, config);
    }

    /** The paper's attention-only model from safetensors whose metadata "config" holds its sizes. */
    public static PaperModel paperModel(Path file, WordPieceTokenizer tokenizer) {
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
    public static PaperModel paperModel(Path file, WordPieceTokenizer tokenizer, String name) {
        return paperModel(file, tokenizer, name, file.toString());
    }

    static PaperModel paperModel(Path file, WordPieceTokenizer tokenizer, String name, String sourceName) {
        SafeTensors st = SafeTensors.open(file);
        String json = st.metadata().get("config");
        if (json == null) throw new LrpException(file + ": no 'config' entry in the safetensors metadata: not a paper-model file");
        JsonNode c;
        try {
            c = new ObjectMapper().readTree(json);
        } catch (java.io.IOException e) {
            throw new LrpException(file + ": malformed 'config' metadata: " + e.getMessage());
        }
        String[] required = {"vocab", "hidden", "heads", "blocks", "n_classes", "max_pos", "type_vocab"};
        for (String k : required) {
            if (!c.path(k).canConvertToInt()) throw new LrpException(file + ": config metadata lacks integer '" + k + "'");
        }
        List<String> labels = new ArrayList<>();
        JsonNode l = c.path("labels");
        if (l.isArray()) l.forEach(n -> labels.add(n.asText()));
        else labels.addAll(labels(c.get("n_classes").asInt()));
        Map<String, Tensor> tensors = new HashMap<>(st.getAll());
        String source = sourceName;
        if ("minilm".equals(st.metadata().get("embeddings"))) {
            OnnxWeights onnx = OnnxWeights.readClasspath(MINILM_ONNX);
            for (var e : onnx.tensors().entrySet()) if (e.getKey().startsWith("embeddings.")) tensors.put(e.getKey(), e.getValue());
            if (tokenizer == null) tokenizer = WordPieceTokenizer.loadClasspath(MINILM_TOKENIZER);
            source += " + embeddings " + onnx.source();
        }
        int unk = c.path("unk_id").asInt(tokenizer != null ? tokenizer.unkId() : 3);
        int pad = c.path("pad_id").asInt(0);
        for (String k : required) {
            if (c.get(k).asInt() < 1) throw new LrpException(file + ": config metadata '" + k + "' must be >= 1, got " + c.get(k));
        }
        int hidden = c.get("hidden").asInt(), heads = c.get("heads").asInt();
        if (hidden % heads != 0) {
            throw new LrpException(file + ": config metadata: hidden " + hidden + " is not divisible by heads " + heads);
        }
        if (labels.size() != c.get("n_classes").asInt()) {
            throw new LrpException(file + ": config metadata: " + labels.size() + " labels for n_classes " + c.get("n_classes"));
        }
        double lnEps = ModelChecks.checkEps(c.path("ln_eps").asDouble(1e-12), file.toString(), "config metadata 'ln_eps'");
        double normEps = ModelChecks.checkEps(c.path("norm_eps").asDouble(1e-12), file.toString(), "config metadata 'norm_eps'");
        Weights w = new Weights(tensors, source);
        ModelChecks.checkLayerCount(w, c.get("blocks").asInt(), file.toString(), "config metadata 'blocks'");
        PaperConfig pc = new PaperConfig(c.get("vocab").asInt(), hidden, heads,
                c.get("blocks").asInt(), c.get("max_pos").asInt(), c.get("type_vocab").asInt(),
                lnEps, normEps, pad, unk, labels);
        PaperModel m = PaperModel.load(name, pc, w, tokenizer);
        ModelChecks.checkUnused(w, pc.blocks(), file.toString());
        ModelChecks.warnIfNoSpecialTokens(tokenizer, true, name);
        return m;
    }
}
