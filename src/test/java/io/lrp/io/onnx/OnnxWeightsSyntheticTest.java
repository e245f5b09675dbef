package io.lrp.io.onnx;

import com.google.protobuf.ByteString;
import io.lrp.LrpException;
import io.lrp.io.onnx.proto.OnnxMin.GraphProto;
import io.lrp.io.onnx.proto.OnnxMin.ModelProto;
import io.lrp.io.onnx.proto.OnnxMin.TensorProto;
import io.lrp.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static io.lrp.io.onnx.OnnxModels.*;
import static org.junit.jupiter.api.Assertions.*;

/** Decoding and naming rules on small models built in the test. */
class OnnxWeightsSyntheticTest {

    /** x [1,3] -> MatMul(x, W [3,2]) -> Add(mm, dense.bias): the bias in input slot 1 this time. */
    private static GraphProto.Builder linearGraph(String weightName, boolean withAdd) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("g")
                .addInitializer(floatRaw(weightName, new long[]{3, 2}, 1, 2, 3, 4, 5, 6))
                .addInitializer(floatRaw("dense.bias", new long[]{2}, 0.5f, -0.5f))
                .addNode(node("MatMul", "mm", new String[]{"x", weightName}, "mm_out"));
        if (withAdd) g.addNode(node("Add", "add", new String[]{"mm_out", "dense.bias"}, "y"));
        return g;
    }

    @Test
    void anonymousMatMulWeightIsNamedAndTransposed() {
        OnnxWeights w = read(model(linearGraph("onnx::MatMul_7", true)), "mem:linear");
        assertEquals(List.of(), w.warnings());
        Tensor W = w.tensors().get("dense.weight");
        assertArrayEquals(new int[]{2, 3}, W.shape());                 // HF [out, in]
        assertArrayEquals(new float[]{1, 3, 5, 2, 4, 6}, W.data);
        assertFalse(w.tensors().containsKey("onnx::MatMul_7"));
        assertEquals("onnx::MatMul_7", w.onnxNames().get("dense.weight"));
        // y = x W^T + b equals the ONNX graph's x @ W_onnx + b
        float[] x = {1, -2, 3};
        float[] b = w.tensors().get("dense.bias").data;
        float[] onnx = {1 * 1 - 2 * 3 + 3 * 5 + 0.5f, 1 * 2 - 2 * 4 + 3 * 6 - 0.5f};
        for (int o = 0; o < 2; o++) {
            float y = b[o];
            for (int i = 0; i < 3; i++) y += x[i] * W.get(o, i);
            assertEquals(onnx[o], y, 0f);
        }
        assertEquals("test", w.producer());
        assertEquals(13, w.opsetVersion());
        assertEquals(List.of("x"), w.graphInputs());
        assertEquals("mem:linear", w.source());
    }

    @Test
    void unnamableMatMulWeightKeepsOnnxNameWithWarning() {
        OnnxWeights w = read(model(linearGraph("onnx::MatMul_9", false)), "mem:nobias");
        Tensor W = w.tensors().get("onnx::MatMul_9");
        assertArrayEquals(new int[]{3, 2}, W.shape());
        assertArrayEquals(new float[]{1, 2, 3, 4, 5, 6}, W.data);
        assertEquals(1, w.warnings().size());
        assertTrue(w.warnings().get(0).contains("onnx::MatMul_9"), w.warnings().get(0));
    }

    @Test
    void namedWeightFeedingMatMulIsLeftAlone() {
        OnnxWeights w = read(model(linearGraph("dense.weight", true)), "mem:named");
        assertArrayEquals(new int[]{3, 2}, w.tensors().get("dense.weight").shape());
        assertEquals(List.of(), w.warnings());
        assertTrue(w.onnxNames().isEmpty());
    }

    @Test
    void decodesFloat16Bfloat16DoubleAndFloatData() {
        TensorProto f16 = TensorProto.newBuilder().setName("h").setDataType(10).addDims(5)
                .addInt32Data(0x3C00).addInt32Data(0xC000).addInt32Data(0x7BFF)
                .addInt32Data(0x0001).addInt32Data(0x3555).build();
        ByteBuffer bb = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN);
        bb.putShort((short) 0x3F80).putShort((short) 0xC0A0).putShort((short) 0x3E20);  // 1, -5, 0.15625
        TensorProto bf16 = TensorProto.newBuilder().setName("bf").setDataType(16).addDims(3)
                .setRawData(ByteString.copyFrom(bb.array())).build();
        ByteBuffer db = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.1).putDouble(-2.5);
        TensorProto dRaw = TensorProto.newBuilder().setName("d").setDataType(11).addDims(2)
                .setRawData(ByteString.copyFrom(db.array())).build();
        TensorProto dTyped = TensorProto.newBuilder().setName("d2").setDataType(11).addDims(1).addDims(2)
                .addDoubleData(3.25).addDoubleData(1e-3).build();
        TensorProto fTyped = TensorProto.newBuilder().setName("f").setDataType(1).addDims(2)
                .addFloatData(7.5f).addFloatData(-0f).build();
        TensorProto i64 = TensorProto.newBuilder().setName("ids").setDataType(7).addDims(3)
                .addInt64Data(4).addInt64Data(-1).addInt64Data(1L << 40).build();
        OnnxWeights w = read(withInitializers(f16, bf16, dRaw, dTyped, fTyped, i64), "mem:types");
        assertArrayEquals(new float[]{1f, -2f, 65504f, 0x1p-24f, 0.33325195f}, w.tensors().get("h").data);
        assertArrayEquals(new float[]{1f, -5f, 0.15625f}, w.tensors().get("bf").data);
        assertArrayEquals(new float[]{0.1f, -2.5f}, w.tensors().get("d").data);
        assertArrayEquals(new float[]{3.25f, 1e-3f}, w.tensors().get("d2").data);
        assertArrayEquals(new int[]{1, 2}, w.tensors().get("d2").shape());
        assertArrayEquals(new float[]{7.5f, -0f}, w.tensors().get("f").data);
        assertArrayEquals(new long[]{4, -1, 1L << 40}, w.integerTensors().get("ids").data());
        assertFalse(w.tensors().containsKey("ids"));
    }

    @Test
    void halfPrecisionSpecialValues() {
        assertEquals(Float.POSITIVE_INFINITY, TensorDecoder.halfToFloat(0x7C00));
        assertTrue(Float.isNaN(TensorDecoder.halfToFloat(0x7E00)));
        assertEquals(-0f, TensorDecoder.halfToFloat(0x8000));
        assertEquals(0x1p-14f, TensorDecoder.halfToFloat(0x0400));       // smallest normal
        assertEquals(0x3FFp-24f, TensorDecoder.halfToFloat(0x03FF));     // largest subnormal
    }

    @Test
    void unsupportedDataTypeIsRefused() {
        TensorProto q = TensorProto.newBuilder().setName("q.weight").setDataType(3).addDims(2)
                .setRawData(ByteString.copyFrom(new byte[]{1, 2})).build();
        LrpException e = assertThrows(LrpException.class, () -> read(withInitializers(q), "mem:int8"));
        assertTrue(e.getMessage().startsWith("mem:int8: "), e.getMessage());
        assertTrue(e.getMessage().contains("unsupported data type INT8"), e.getMessage());
    }

    @Test
    void negativeDimsAreRefused() {
        TensorProto t = floatRaw("a", new long[]{-1, 2}, 1, 2);
        LrpException e = assertThrows(LrpException.class, () -> read(withInitializers(t), "mem:neg"));
        assertTrue(e.getMessage().contains("mem:neg") && e.getMessage().contains("negative dimension"),
                e.getMessage());
    }

    @Test
    void hugeDimsAreRefusedWithoutAllocating() {
        TensorProto t = floatRaw("a", new long[]{1L << 20, 1L << 20}, 1, 2);
        LrpException e = assertThrows(LrpException.class, () -> read(withInitializers(t), "mem:huge"));
        assertTrue(e.getMessage().contains("mem:huge") && e.getMessage().contains("too large"), e.getMessage());
        // fits a Java array but not the data actually present: refused by the length check
        TensorProto u = floatRaw("b", new long[]{1L << 28}, 1, 2);
        e = assertThrows(LrpException.class, () -> read(withInitializers(u), "mem:big"));
        assertTrue(e.getMessage().contains("raw_data of 8 bytes"), e.getMessage());
    }

    /** Dims that fit a Java array (8 GB of floats) with two typed values: the count is checked before allocating. */
    @Test
    void hugeDimsWithTypedDataAreRefusedWithoutAllocating() {
        long huge = TensorDecoder.MAX_ELEMENTS;
        TensorProto f = TensorProto.newBuilder().setName("f").setDataType(1).addDims(huge)
                .addFloatData(1).addFloatData(2).build();
        LrpException e = assertThrows(LrpException.class, () -> read(withInitializers(f), "mem:typed"));
        assertTrue(e.getMessage().startsWith("mem:typed: initializer 'f' has 2 values in float_data"), e.getMessage());
        TensorProto d = TensorProto.newBuilder().setName("d").setDataType(11).addDims(huge).addDoubleData(1).build();
        e = assertThrows(LrpException.class, () -> read(withInitializers(d), "mem:double"));
        assertTrue(e.getMessage().contains("1 values in double_data"), e.getMessage());
        TensorProto h = TensorProto.newBuilder().setName("h").setDataType(10).addDims(huge).addInt32Data(0x3c00).build();
        e = assertThrows(LrpException.class, () -> read(withInitializers(h), "mem:half"));
        assertTrue(e.getMessage().contains("1 values in int32_data"), e.getMessage());
    }

    @Test
    void floatDataCountMismatchIsRefused() {
        TensorProto t = TensorProto.newBuilder().setName("f").setDataType(1).addDims(3)
                .addFloatData(1).addFloatData(2).build();
        LrpException e = assertThrows(LrpException.class, () -> read(withInitializers(t), "mem:fd"));
        assertTrue(e.getMessage().contains("2 values in float_data") && e.getMessage().contains("'f'"),
                e.getMessage());
    }

    @Test
    void modelWithoutGraphOrInitializersIsRefused() {
        ModelProto noGraph = ModelProto.newBuilder().setIrVersion(7).build();
        LrpException e = assertThrows(LrpException.class, () -> read(noGraph, "mem:nograph"));
        assertTrue(e.getMessage().contains("mem:nograph") && e.getMessage().contains("no graph"), e.getMessage());
        LrpException e2 = assertThrows(LrpException.class, () -> read(withInitializers(), "mem:noinit"));
        assertTrue(e2.getMessage().contains("no initializers"), e2.getMessage());
    }
}
