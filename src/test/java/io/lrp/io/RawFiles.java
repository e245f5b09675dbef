package io.lrp.io;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds safetensors files byte by byte in tests, independent of the writer under test. */
final class RawFiles {
    private RawFiles() {}

    /** 8-byte LE header length (as given, may lie), header bytes, then data. */
    static Path write(Path file, long declaredHeaderLength, byte[] header, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredHeaderLength).put(header).put(data);
        Files.write(file, b.array());
        return file;
    }

    /** A well-formed framing around an arbitrary header JSON string and data bytes. */
    static Path write(Path file, String headerJson, byte[] data) throws IOException {
        byte[] h = headerJson.getBytes(StandardCharsets.UTF_8);
        return write(file, h.length, h, data);
    }

    /** Little-endian bytes of 16-bit patterns. */
    static byte[] shortsLE(int... values) {
        ByteBuffer b = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) b.putShort((short) v);
        return b.array();
    }

    static byte[] floatsLE(float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putFloat(v);
        return b.array();
    }

    static Path resource(String name) {
        try {
            return Path.of(RawFiles.class.getResource("/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("test resource missing: " + name, e);
        }
    }
}
