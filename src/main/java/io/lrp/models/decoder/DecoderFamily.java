package io.lrp.models.decoder;

import com.fasterxml.jackson.databind.JsonNode;
import io.lrp.models.Family;
import java.nio.file.Path;

/**
 * A family of decoder language models: it reads its directory itself (memory-mapped weights,
 * its tokenizer) and opens a {@link DecoderModel}. {@link Decoders} finds these in the registry.
 */
public interface DecoderFamily extends Family {
    @Override DecoderModel open(Path dir, Path configFile, JsonNode config);
}
