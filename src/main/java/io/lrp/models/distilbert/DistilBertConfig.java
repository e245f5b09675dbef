package io.lrp.models.distilbert;

import io.lrp.LrpException;
import io.lrp.io.HfConfig;
import java.nio.file.Path;
import java.util.List;

/**
 * The config.json fields of DistilBERT ({@code model_type: distilbert}): vocab_size, dim,
 * n_layers, n_heads, hidden_dim, max_position_embeddings (required); activation "gelu",
 * pad_token_id 0, sinusoidal_pos_embds false (only learned positions are read), labels from
 * id2label / num_labels. The LayerNorm eps is 1e-12, fixed in the Hugging Face implementation.
 */
public record DistilBertConfig(int vocabSize, int dim, int layers, int heads, int hiddenDim, int maxPositions,
                               int padId, List<String> labels) {

    public static final double LAYER_NORM_EPS = 1e-12;

    public DistilBertConfig {
        if (dim % heads != 0) throw new IllegalArgumentException("dim " + dim + " not divisible by n_heads " + heads);
        labels = List.copyOf(labels);
    }

    public int headDim() { return dim / heads; }

    public static DistilBertConfig read(Path f) {
        var root = HfConfig.readJson(f);
        int dim = HfConfig.requiredInt(f, root, "dim", 1), heads = HfConfig.requiredInt(f, root, "n_heads", 1);
        if (dim % heads != 0) throw new LrpException(f + ": dim " + dim + " is not divisible by n_heads " + heads);
        String act = HfConfig.optionalString(f, root, "activation", "gelu");
        if (!act.equals("gelu")) throw new LrpException(f + ": unsupported activation '" + act + "': supported: gelu");
        if (root.path("sinusoidal_pos_embds").asBoolean(false)) {
            throw new LrpException(f + ": sinusoidal_pos_embds true is not supported (only learned position embeddings)");
        }
        int vocab = HfConfig.requiredInt(f, root, "vocab_size", 1);
        int pad = HfConfig.optionalInt(f, root, "pad_token_id", 0, 0);
        if (pad >= vocab) throw new LrpException(f + ": pad_token_id " + pad + " is not below vocab_size " + vocab);
        return new DistilBertConfig(vocab, dim, HfConfig.requiredInt(f, root, "n_layers", 1), heads,
                HfConfig.requiredInt(f, root, "hidden_dim", 1), HfConfig.requiredInt(f, root, "max_position_embeddings", 1),
                pad, HfConfig.readLabels(f, root));
    }
}
