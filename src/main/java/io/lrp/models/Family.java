package io.lrp.models;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;

/**
 * A model family: one package under {@code io.lrp.models} that declares the config.json fields it
 * reads, its weight names (once), its forward pass with the rule hooks (roles) the methods need,
 * and its heads. Registered by one line in {@link Families#ALL}.
 */
public interface Family {

    /** The config.json {@code model_type} values it loads, e.g. "roberta", "xlm-roberta". */
    List<String> modelTypes();

    /** The Hugging Face classes (config.json {@code architectures}) whose checkpoints it reads. */
    List<String> architectures();

    /** The model of a checkpoint (config, weights and tokenizer already read and checked by the loader). */
    Model load(Checkpoint checkpoint);

    /**
     * The model of a directory whose config.json (already parsed, model_type checked) names this
     * family: by default the shared reading of weights and tokenizer, then {@link #load}. A family
     * that reads the directory its own way (the decoders map their weights and read their
     * tokenizer themselves) overrides this.
     */
    default Model open(Path dir, Path configFile, JsonNode config) {
        return load(Checkpoint.read(dir, configFile, config));
    }
}
