package io.lrp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrp.models.ModelLoader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A model's class labels read without loading it (the safetensors header's metadata, or
 * config.json's id2label), so that a wrong --target is reported before the load. Null when
 * they cannot be told this way; the command then checks after loading, as before.
 */
final class ModelLabels {
    private ModelLabels() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    static List<String> peek(String spec) {
        try {
            if (spec.equals("minilm-sst2")) return fromHeader(resource(ModelLoader.MINILM_SST2));
            if (spec.equals("paper-sst2")) return fromHeader(resource(ModelLoader.PAPER_SST2));
            if (spec.equals("minilm")) return List.of();
            Path p = Path.of(spec);
            if (Files.isDirectory(p)) {
                if (io.lrp.models.decoder.Decoders.isDecoder(p)) return null;   // a decoder's target is a token, read after the load
                Path config = p.resolve("config.json");
                if (Files.isRegularFile(config)) {
                    JsonNode id2label = JSON.readTree(config.toFile()).path("id2label");
                    if (!id2label.isObject() || id2label.size() == 0) return null;
                    List<String> l = new ArrayList<>();
                    for (int i = 0; i < id2label.size(); i++) {
                        JsonNode n = id2label.get(Integer.toString(i));
                        if (n == null) return null;
                        l.add(n.asText());
                    }
                    return l;
                }
                p = p.resolve("model.safetensors");
            }
            if (Files.isRegularFile(p) && p.getFileName().toString().endsWith(".safetensors")) {
                try (InputStream in = Files.newInputStream(p)) { return fromHeader(in); }
            }
        } catch (IOException | RuntimeException e) {
            return null; // the load reports what is wrong with the model
        }
        return null;
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = ModelLabels.class.getClassLoader().getResourceAsStream(name);
        if (in == null) throw new IOException("missing " + name);
        return in;
    }

    /** The "labels" metadata (comma-separated) of a safetensors stream, read from its header only. */
    private static List<String> fromHeader(InputStream stream) throws IOException {
        try (DataInputStream in = new DataInputStream(stream)) {
            long n = Long.reverseBytes(in.readLong());
            if (n <= 0 || n > 100_000_000) return null;
            byte[] header = in.readNBytes((int) n);
            String labels = JSON.readTree(header).path("__metadata__").path("labels").asText(null);
            return labels == null ? null : List.of(labels.split(","));
        }
    }
}
