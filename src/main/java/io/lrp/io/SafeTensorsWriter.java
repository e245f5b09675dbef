package io.lrp.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lrp.LrpException;
import io.lrp.tensor.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** The F32 safetensors writer behind {@link SafeTensors#write}. */
final class SafeTensorsWriter {
    private static final String METADATA_KEY = "__metadata__";
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafeTensorsWriter() {}

    /**
     * Writes tensors as F32 in sorted name order, the header padded with spaces to a multiple of
     * 8 bytes and {@code __metadata__} last (omitted if empty). The file is written to a temporary
     * file in the same directory and moved into place atomically.
     */
    static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(tensors, "tensors");
        Map<String, Tensor> sorted = new TreeMap<>(tensors);
        ObjectNode header = JSON.createObjectNode();
        long offset = 0;
        for (Map.Entry<String, Tensor> t : sorted.entrySet()) {
            if (METADATA_KEY.equals(t.getKey())) throw new IllegalArgumentException("reserved tensor name " + METADATA_KEY);
            Objects.requireNonNull(t.getValue(), t.getKey());
            ObjectNode e = header.putObject(t.getKey());
            e.put("dtype", "F32");
            ArrayNode shape = e.putArray("shape");
            for (int d : t.getValue().shape()) shape.add(d);
            long bytes = 4L * t.getValue().data.length;
            e.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = header.putObject(METADATA_KEY);
            metadata.forEach((k, v) -> m.put(Objects.requireNonNull(k), Objects.requireNonNull(v, k)));
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(header);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        int padded = (json.length + 7) / 8 * 8;

        Path target = file.toAbsolutePath();
        Path tmp = null;
        try {
            tmp = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
                head.putLong(padded).put(json);
                while (head.hasRemaining()) head.put((byte) ' ');
                writeFully(ch, head.flip());
                ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
                int perBuf = buf.capacity() / 4;
                for (Tensor t : sorted.values()) {
                    for (int i = 0; i < t.data.length; i += perBuf) {
                        int n = Math.min(perBuf, t.data.length - i);
                        buf.clear();
                        buf.asFloatBuffer().put(t.data, i, n);
                        buf.limit(4 * n);
                        writeFully(ch, buf);
                    }
                }
                ch.force(true);
            }
            try { // createTempFile makes the file owner-only; a model file is for everyone to read
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw new LrpException(file + ": cannot write safetensors file: " + e, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort cleanup of the temporary file
                }
            }
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }
}
