package io.lrp.models.decoder;

import com.fasterxml.jackson.databind.JsonNode;
import io.lrp.LrpException;
import io.lrp.models.Families;
import io.lrp.models.Family;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The decoder families of the registry ({@link DecoderFamily} lines of {@link Families#ALL}, so
 * that a decoder directory also opens like any model), and the typed loader the decoder API
 * starts from.
 */
public final class Decoders {
    private Decoders() {}

    /** The model_type values read as decoders: those of the registry's decoder families. */
    public static List<String> types() {
        List<String> t = new ArrayList<>();
        for (Family f : Families.ALL) if (f instanceof DecoderFamily) t.addAll(f.modelTypes());
        return t;
    }

    /** Whether dir holds a config.json whose model_type is a decoder family here. */
    public static boolean isDecoder(Path dir) {
        Path config = dir.resolve("config.json");
        if (!Files.isRegularFile(config)) return false;
        String type = Checkpoint.readJson(config).path("model_type").asText("");
        return types().contains(type);
    }

    /** Loads a Hugging Face decoder directory (config.json, safetensors weights, tokenizer.json). */
    public static DecoderModel load(Path dir) {
        if (!Files.isDirectory(dir)) throw new LrpException(dir + ": not a directory (expected a Hugging Face model directory)");
        Path config = dir.resolve("config.json");
        JsonNode json = Checkpoint.readJson(config);
        String type = json.path("model_type").asText("");
        for (Family f : Families.ALL) {
            if (f instanceof DecoderFamily d && f.modelTypes().contains(type)) return d.open(dir, config, json);
        }
        throw new LrpException(config + ": model_type '" + type + "' is not a decoder family here (decoders: "
                + String.join(", ", types()) + ")");
    }
}
