package io.lrp.io.onnx;

import com.google.protobuf.ByteString;
import io.lrp.io.onnx.proto.OnnxMin.GraphProto;
import io.lrp.io.onnx.proto.OnnxMin.ModelProto;
import io.lrp.io.onnx.proto.OnnxMin.NodeProto;
import io.lrp.io.onnx.proto.OnnxMin.OperatorSetIdProto;
import io.lrp.io.onnx.proto.OnnxMin.TensorProto;
import io.lrp.io.onnx.proto.OnnxMin.ValueInfoProto;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** Builders for small hand-made ONNX models used by the tests. */
final class OnnxModels {
    private OnnxModels() {}

    static TensorProto floatRaw(String name, long[] dims, float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putFloat(v);
        return TensorProto.newBuilder().setName(name).setDataType(1)
                .addAllDims(Arrays.stream(dims).boxed().toList())
                .setRawData(ByteString.copyFrom(b.array())).build();
    }

    static NodeProto node(String op, String name, String[] inputs, String... outputs) {
        return NodeProto.newBuilder().setOpType(op).setName(name)
                .addAllInput(Arrays.asList(inputs)).addAllOutput(Arrays.asList(outputs)).build();
    }

    static ModelProto model(GraphProto.Builder g) {
        g.addInput(ValueInfoProto.newBuilder().setName("x"));
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("test")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setGraph(g).build();
    }

    /** A graph with only the given initializers. */
    static ModelProto withInitializers(TensorProto... inits) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("g");
        for (TensorProto t : inits) g.addInitializer(t);
        return model(g);
    }

    static OnnxWeights read(ModelProto m, String source) {
        return OnnxWeights.read(new ByteArrayInputStream(m.toByteArray()), source);
    }
}
