package io.lrp.models.gpt2;

import com.fasterxml.jackson.databind.JsonNode;
import io.lrp.models.Checkpoint;
import io.lrp.models.Model;
import io.lrp.models.decoder.DecoderFamily;
import io.lrp.models.decoder.DecoderModel;
import java.nio.file.Path;
import java.util.List;

/** GPT-2 ({@code model_type: gpt2}): a decoder that maps its safetensors and reads its tokenizer itself ({@link Gpt2Model#load}). */
public final class Gpt2Family implements DecoderFamily {
    @Override public List<String> modelTypes() { return List.of("gpt2"); }
    @Override public List<String> architectures() { return List.of("GPT2LMHeadModel"); }

    @Override public DecoderModel open(Path dir, Path configFile, JsonNode config) { return Gpt2Model.load(dir); }

    @Override public Model load(Checkpoint c) { return Gpt2Model.load(c.dir()); }
}
