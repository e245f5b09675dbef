package io.lrp.models;

import io.lrp.LrpException;
import io.lrp.io.SafeTensors;
import io.lrp.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * A built-in model in its ready-to-use form: the tensors it is assembled from (the ONNX encoder
 * parsed and transposed, fine-tuned layers already in place) in one F32 safetensors file, so that
 * a later start maps that file instead of parsing the ONNX export again.
 *
 * <p>The directory comes from the system property {@code lrp.cache.dir} (the launcher sets its
 * per-build run directory); without it nothing is cached. A file is named by the hash of its key
 * (what the model is built from: the resources' content hashes and this format's version) and
 * carries the key, the data size and a CRC-32C of its data in its metadata: a file of another key,
 * of the wrong size or with altered bytes is not used (the model is built from its resources and
 * the file written again). Files are written to a temporary name and moved into place, so a
 * reader never sees half a file; a failed write only costs the next start its speed.
 */
public final class ModelCache {
    private ModelCache() {}

    /** The system property naming the cache directory. */
    public static final String DIR_PROPERTY = "lrp.cache.dir";

    /** Bumped whenever what a cache file holds or how a model is assembled from it changes. */
    static final String FORMAT = "lrp-model-cache 1";

    /** A valid cache file's tensors and metadata. */
    public record Entry(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    /** The cache directory, or null (no cache). */
    public static Path dir() {
        String d = System.getProperty(DIR_PROPERTY);
        return d == null || d.isBlank() ? null : Path.of(d);
    }

    /** The file holding model name under key in dir. */
    public static Path file(Path dir, String name, String key) {
        return dir.resolve(name + "." + sha256(key.getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 24) + ".safetensors");
    }

    /** The entry in file if it is whole and was written for key; null otherwise (absent, damaged, another key). */
    public static Entry read(Path file, String key) {
        if (!Files.isRegularFile(file)) return null;
        try {
            SafeTensors st = SafeTensors.open(file);
            Map<String, String> meta = st.metadata();
            if (!FORMAT.equals(meta.get("format")) || !key.equals(meta.get("key"))) return null;
            long bytes = Long.parseLong(meta.getOrDefault("data_bytes", "-1"));
            if (!String.valueOf(bytes).equals(meta.get("data_bytes")) || !checksum(file, bytes).equals(meta.get("data_crc32c"))) return null;
            return new Entry(st.getAll(), meta);
        } catch (RuntimeException e) {
            return null; // whatever is wrong with a cache file, the caller builds the model again
        }
    }

    /**
     * Writes tensors and metadata (plus the key, the data size and checksum) to file; false when it
     * could not be written (a read-only or full disk), which leaves no file behind.
     */
    public static boolean write(Path file, String key, Map<String, Tensor> tensors, Map<String, String> metadata) {
        Map<String, String> meta = new HashMap<>(metadata);
        meta.put("format", FORMAT);
        meta.put("key", key);
        // the writer lays the tensors out in sorted name order, as F32 little-endian, without gaps
        CRC32C crc = new CRC32C();
        long bytes = 0;
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        int perBuf = buf.capacity() / 4;
        for (Tensor t : new TreeMap<>(tensors).values()) {
            for (int i = 0; i < t.data.length; i += perBuf) {
                int n = Math.min(perBuf, t.data.length - i);
                buf.clear();
                buf.asFloatBuffer().put(t.data, i, n);
                buf.limit(4 * n);
                crc.update(buf);
            }
            bytes += 4L * t.data.length;
        }
        meta.put("data_bytes", String.valueOf(bytes));
        meta.put("data_crc32c", Long.toHexString(crc.getValue()));
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            SafeTensors.write(file, tensors, meta);
            return true;
        } catch (LrpException | IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /** CRC-32C of the data section (after the header), which must be exactly bytes long; "" if it is not. */
    private static String checksum(Path file, long bytes) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            while (len.hasRemaining() && ch.read(len, len.position()) > 0) { /* read the 8-byte header length */ }
            if (len.hasRemaining()) return "";
            long start = 8 + len.flip().getLong();
            if (start < 8 || size - start != bytes) return "";
            CRC32C crc = new CRC32C();
            for (long pos = start; pos < size; ) {
                long n = Math.min(size - pos, 1L << 30);
                MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, pos, n);
                crc.update(m);
                pos += n;
            }
            return Long.toHexString(crc.getValue());
        } catch (IOException e) {
            return "";
        }
    }

    /** SHA-256 of bytes, in hex. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
