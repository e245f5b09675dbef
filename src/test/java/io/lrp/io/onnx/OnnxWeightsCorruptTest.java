package io.lrp.io.onnx;

import io.lrp.LrpException;
import io.lrp.io.onnx.proto.OnnxMin.StringStringEntryProto;
import io.lrp.io.onnx.proto.OnnxMin.TensorProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static io.lrp.io.onnx.OnnxModels.*;
import static org.junit.jupiter.api.Assertions.*;

/** Every broken input is an LrpException naming the source and the problem. */
class OnnxWeightsCorruptTest {
    @TempDir
    Path dir;

    private static void assertRefused(Executable call, String source, String phrase) {
        LrpException e = assertThrows(LrpException.class, call);
        assertTrue(e.getMessage().contains(source), "source missing: " + e.getMessage());
        assertTrue(e.getMessage().contains(phrase), "'" + phrase + "' missing: " + e.getMessage());
    }

    @Test
    void randomBytes() throws Exception {
        byte[] junk = new byte[4096];
        new Random(42).nextBytes(junk);
        Path f = Files.write(dir.resolve("random.onnx"), junk);
        assertRefused(() -> OnnxWeights.read(f), f.toString(), "not a valid ONNX model");
    }

    @Test
    void minilmTruncatedToOneMegabyte() throws Exception {
        byte[] head;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("all-minilm-l6-v2.onnx")) {
            head = in.readNBytes(1 << 20);
        }
        assertEquals(1 << 20, head.length);
        Path f = Files.write(dir.resolve("truncated.onnx"), head);
        assertRefused(() -> OnnxWeights.read(f), f.toString(), "not a valid ONNX model (truncated");
    }

    @Test
    void emptyFile() throws Exception {
        Path f = Files.write(dir.resolve("empty.onnx"), new byte[0]);
        assertRefused(() -> OnnxWeights.read(f), f.toString(), "the file is empty");
    }

    @Test
    void rawDataShorterThanDims() throws Exception {
        TensorProto t = floatRaw("encoder.layer.0.output.dense.bias", new long[]{2, 3}, 1, 2, 3, 4, 5);
        Path f = Files.write(dir.resolve("short.onnx"), withInitializers(t).toByteArray());
        assertRefused(() -> OnnxWeights.read(f), f.toString(),
                "'encoder.layer.0.output.dense.bias' has raw_data of 20 bytes, but its dims [2, 3] and "
                        + "type FLOAT need 24 bytes");
    }

    @Test
    void externalDataLocation() throws Exception {
        TensorProto t = TensorProto.newBuilder().setName("w").setDataType(1).addDims(4).setDataLocation(1)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("model.onnx_data"))
                .build();
        Path f = Files.write(dir.resolve("external.onnx"), withInitializers(t).toByteArray());
        assertRefused(() -> OnnxWeights.read(f), f.toString(), "weights stored in external files are not supported");
        // external_data entries alone (data_location left DEFAULT) are refused too
        TensorProto u = t.toBuilder().clearDataLocation().build();
        assertRefused(() -> read(withInitializers(u), "mem:ext"), "mem:ext", "external data file");
    }

    @Test
    void missingFileAndResource() {
        Path f = dir.resolve("nope.onnx");
        assertRefused(() -> OnnxWeights.read(f), f.toString(), "file not found");
        assertRefused(() -> OnnxWeights.readClasspath("no-such-model.onnx"), "classpath:no-such-model.onnx",
                "resource not found");
    }
}
