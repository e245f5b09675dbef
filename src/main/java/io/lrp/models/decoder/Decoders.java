package io.lrp.models.decoder;

import io.lrp.LrpException;
import io.lrp.models.gpt2.Gpt2Model;
import io.lrp.models.llama.LlamaModel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The decoder families by config.json model_type (registered in {@link io.lrp.models.Families} as
 * gpt2 and llama, so that a decoder directory opens like any model), and the typed loader the
 * decoder API starts from.
 */
public final class Decoders {
    private Decoders() {}

    /** The model_type values read as decoders. */
    public static List<String> types() {
        List<String> t = new ArrayList<>(List.of("gpt2"));
        t.addAll(LlamaModel.TYPES);
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
        String type = Checkpoint.readJson(dir.resolve("config.json")).path("model_type").asText("");
        if (type.equals("gpt2")) return Gpt2Model.load(dir);
        if (LlamaModel.TYPES.contains(type)) return LlamaModel.load(dir);
        throw new LrpException(dir.resolve("config.json") + ": model_type '" + type + "' is not a decoder family here (decoders: "
                + String.join(", ", types()) + ")");
    }
}
