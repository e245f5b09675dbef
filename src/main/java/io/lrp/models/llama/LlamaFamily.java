package io.lrp.models.llama;

import com.fasterxml.jackson.databind.JsonNode;
import io.lrp.models.Checkpoint;
import io.lrp.models.Model;
import io.lrp.models.decoder.DecoderFamily;
import io.lrp.models.decoder.DecoderModel;
import java.nio.file.Path;
import java.util.List;

/**
 * The LLaMA layout ({@code model_type: llama, mistral, qwen2}): a decoder that maps its
 * safetensors and reads its tokenizer itself ({@link LlamaModel#load}).
 */
public final class LlamaFamily implements DecoderFamily {
    @Override public List<String> modelTypes() { return LlamaModel.TYPES; }
    @Override public List<String> architectures() { return List.of("LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM"); }

    @Override public DecoderModel open(Path dir, Path configFile, JsonNode config) { return LlamaModel.load(dir); }

    @Override public Model load(Checkpoint c) { return LlamaModel.load(c.dir()); }
}
