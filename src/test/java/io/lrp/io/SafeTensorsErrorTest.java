package io.lrp.io;

import io.lrp.LrpException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Each malformed input gives an LrpException naming the file and the problem. */
class SafeTensorsErrorTest {
    @TempDir Path tmp;

    private static void assertOpenFails(Path file, String phrase) {
        LrpException e = assertThrows(LrpException.class, () -> SafeTensors.open(file));
        assertMessage(e, file, phrase);
    }

    private static void assertMessage(LrpException e, Path file, String phrase) {
        String m = e.getMessage();
        assertTrue(m.contains(file.getFileName().toString()), "no file name in: " + m);
        assertTrue(m.contains(phrase), "expected '" + phrase + "' in: " + m);
    }

    @Test
    void fileShorterThanEightBytes() throws Exception {
        Path f = Files.write(tmp.resolve("tiny.safetensors"), new byte[] {1, 2, 3});
        assertOpenFails(f, "too short");
    }

    @Test
    void headerLengthLargerThanFile() throws Exception {
        byte[] h = "{}".getBytes(StandardCharsets.UTF_8);
        Path f = RawFiles.write(tmp.resolve("trunc.safetensors"), 1234, h, new byte[48]);
        assertOpenFails(f, "truncated file: header says 1234 bytes but only 50 follow");
    }

    @Test
    void hugeHeaderLengthIsRejectedWithoutAllocating() throws Exception {
        byte[] h = "{}".getBytes(StandardCharsets.UTF_8);
        Path f = RawFiles.write(tmp.resolve("huge.safetensors"), -1L, h, new byte[0]);
        assertOpenFails(f, "header says 18446744073709551615 bytes");
    }

    @Test
    void hugeShapeOrOffsetsAreRefusedFromTheHeader() throws Exception {
        // element count overflows a long once multiplied by the dtype width
        Path a = RawFiles.write(tmp.resolve("overflow.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[2147483647,2147483647],\"data_offsets\":[0,8]}}", new byte[8]);
        assertOpenFails(a, "tensor 'w': shape [2147483647,2147483647] has too many elements");
        // 2^31 elements with offsets to match, in a file of 8 data bytes
        Path b = RawFiles.write(tmp.resolve("bigshape.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[65536,32768],\"data_offsets\":[0,8589934592]}}", new byte[8]);
        assertOpenFails(b, "data_offsets [0,8589934592] point beyond the end of the data section (8 bytes)");
        // a small shape with offsets near Long.MAX_VALUE
        Path c = RawFiles.write(tmp.resolve("bigoffsets.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[9223372036854775799,9223372036854775807]}}",
                new byte[8]);
        assertOpenFails(c, "point beyond the end of the data section (8 bytes)");
    }

    @Test
    void dataOffsetsBeyondDataSection() throws Exception {
        String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}";
        Path f = RawFiles.write(tmp.resolve("short_data.safetensors"), header, new byte[8]);
        assertOpenFails(f, "beyond the end of the data section (8 bytes)");
    }

    @Test
    void overlappingTensors() throws Exception {
        String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        Path f = RawFiles.write(tmp.resolve("overlap.safetensors"), header, new byte[12]);
        assertOpenFails(f, "tensors 'a' [0, 8) and 'b' [4, 12) overlap");
    }

    @Test
    void shapeDisagreesWithOffsets() throws Exception {
        String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}";
        Path f = RawFiles.write(tmp.resolve("mismatch.safetensors"), header, new byte[24]);
        assertOpenFails(f, "size mismatch: shape [2, 3] with dtype F32 needs 24 bytes but data_offsets [0,20] span 20");
    }

    @Test
    void unsupportedDtypeWhenRead() throws Exception {
        String header = "{\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}}";
        Path f = RawFiles.write(tmp.resolve("ints.safetensors"), header, new byte[16]);
        SafeTensors st = SafeTensors.open(f);            // valid file, the dtype just can't become float32
        assertEquals("I64", st.dtype("ids"));
        LrpException e = assertThrows(LrpException.class, () -> st.get("ids"));
        assertMessage(e, f, "tensor 'ids' has unsupported dtype I64");
    }

    @Test
    void unknownDtypeAtOpen() throws Exception {
        String header = "{\"x\":{\"dtype\":\"F12\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        Path f = RawFiles.write(tmp.resolve("unknown.safetensors"), header, new byte[4]);
        assertOpenFails(f, "unknown dtype 'F12'");
    }

    @Test
    void malformedJsonHeader() throws Exception {
        String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1] \"data_offsets\":[0,4]}}";
        Path f = RawFiles.write(tmp.resolve("badjson.safetensors"), header, new byte[4]);
        assertOpenFails(f, "malformed JSON header at line 1, column");
    }

    @Test
    void headerNotAnObject() throws Exception {
        Path f = RawFiles.write(tmp.resolve("array.safetensors"), "[1, 2]", new byte[0]);
        assertOpenFails(f, "header is not a JSON object");
    }

    @Test
    void negativeShapeAndBadMetadata() throws Exception {
        Path f = RawFiles.write(tmp.resolve("neg.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,0]}}", new byte[0]);
        assertOpenFails(f, "must contain non-negative integers");
        Path g = RawFiles.write(tmp.resolve("meta.safetensors"), "{\"__metadata__\":{\"n\":3}}", new byte[0]);
        assertOpenFails(g, "__metadata__ value for key 'n' is not a string");
    }

    @Test
    void missingFile() {
        Path f = tmp.resolve("nowhere.safetensors");
        assertOpenFails(f, "file not found");
    }
}
