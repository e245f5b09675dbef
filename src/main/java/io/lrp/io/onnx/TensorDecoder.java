package io.lrp.io.onnx;

import com.google.protobuf.ByteString;
import io.lrp.LrpException;
import io.lrp.io.onnx.proto.OnnxMin.TensorProto;
import io.lrp.tensor.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Decodes one ONNX {@code TensorProto} initializer. Sizes are checked against the dims before
 * anything is allocated, so a forged header cannot make the reader allocate more than the input
 * holds.
 */
final class TensorDecoder {
    static final int FLOAT = 1, INT32 = 6, INT64 = 7, FLOAT16 = 10, DOUBLE = 11, BFLOAT16 = 16;
    /** Largest Java array we allow (a few bytes below Integer.MAX_VALUE, as the JDK does). */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private final String source;

    TensorDecoder(String source) { this.source = source; }

    static boolean isFloating(int dataType) {
        return dataType == FLOAT || dataType == FLOAT16 || dataType == BFLOAT16 || dataType == DOUBLE;
    }

    static boolean isInteger(int dataType) { return dataType == INT32 || dataType == INT64; }

    static String typeName(int dataType) {
        switch (dataType) {
            case 0: return "UNDEFINED";
            case 1: return "FLOAT";
            case 2: return "UINT8";
            case 3: return "INT8";
            case 4: return "UINT16";
            case 5: return "INT16";
            case 6: return "INT32";
            case 7: return "INT64";
            case 8: return "STRING";
            case 9: return "BOOL";
            case 10: return "FLOAT16";
            case 11: return "DOUBLE";
            case 12: return "UINT32";
            case 13: return "UINT64";
            case 14: return "COMPLEX64";
            case 15: return "COMPLEX128";
            case 16: return "BFLOAT16";
            default: return "type " + dataType;
        }
    }

    /** Validated shape of the tensor: no negative dims, element count fits a Java array. */
    int[] shape(TensorProto t) {
        int[] shape = new int[t.getDimsCount()];
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            long d = t.getDims(i);
            if (d < 0) {
                throw fail(t, "has a negative dimension in dims " + t.getDimsList());
            }
            if (d > MAX_ELEMENTS) throw tooLarge(t);
            shape[i] = (int) d;
            n *= d;                       // both factors <= 2^31, so no overflow before the check
            if (n > MAX_ELEMENTS) throw tooLarge(t);
        }
        return shape;
    }

    /** FLOAT, FLOAT16, BFLOAT16 or DOUBLE initializer as a float32 tensor in its ONNX layout. */
    Tensor decodeFloating(TensorProto t) {
        int[] shape = shape(t);
        int n = (int) Tensor.numel(shape);
        int type = t.getDataType();
        float[] out;
        if (t.hasRawData() && !t.getRawData().isEmpty() || n > 0 && noTypedData(t, type)) {
            out = fromRaw(t, type, n);
        } else {
            out = fromTyped(t, type, n);
        }
        return new Tensor(out, shape);
    }

    /** INT32 or INT64 initializer, widened to long. */
    OnnxWeights.IntTensor decodeInteger(TensorProto t) {
        int[] shape = shape(t);
        int n = (int) Tensor.numel(shape);
        int type = t.getDataType();
        long[] out = new long[0];
        ByteString raw = t.getRawData();
        if (!raw.isEmpty() || n > 0 && (type == INT32 ? t.getInt32DataCount() : t.getInt64DataCount()) == 0) {
            ByteBuffer b = rawBuffer(t, n, type == INT32 ? 4 : 8);
            out = new long[n];
            for (int i = 0; i < n; i++) out[i] = type == INT32 ? b.getInt() : b.getLong();
        } else if (type == INT32) {
            checkCount(t, t.getInt32DataCount(), n, "int32_data");
            out = new long[n];
            for (int i = 0; i < n; i++) out[i] = t.getInt32Data(i);
        } else {
            checkCount(t, t.getInt64DataCount(), n, "int64_data");
            out = t.getInt64DataList().stream().mapToLong(Long::longValue).toArray();
        }
        return new OnnxWeights.IntTensor(out, shape);
    }

    private static boolean noTypedData(TensorProto t, int type) {
        switch (type) {
            case FLOAT: return t.getFloatDataCount() == 0;
            case DOUBLE: return t.getDoubleDataCount() == 0;
            default: return t.getInt32DataCount() == 0;  // FLOAT16 / BFLOAT16 bit patterns
        }
    }

    private float[] fromRaw(TensorProto t, int type, int n) {
        int width = type == DOUBLE ? 8 : type == FLOAT ? 4 : 2;
        ByteBuffer b = rawBuffer(t, n, width);
        float[] out = new float[n];
        switch (type) {
            case FLOAT:
                b.asFloatBuffer().get(out);
                break;
            case DOUBLE:
                for (int i = 0; i < n; i++) out[i] = (float) b.getDouble();
                break;
            case FLOAT16:
                for (int i = 0; i < n; i++) out[i] = halfToFloat(b.getShort() & 0xffff);
                break;
            default:
                for (int i = 0; i < n; i++) out[i] = bfloat16ToFloat(b.getShort() & 0xffff);
        }
        return out;
    }

    private float[] fromTyped(TensorProto t, int type, int n) {
        // the count is checked before the array is allocated: dims alone must not size it
        switch (type) {
            case FLOAT -> checkCount(t, t.getFloatDataCount(), n, "float_data");
            case DOUBLE -> checkCount(t, t.getDoubleDataCount(), n, "double_data");
            default -> checkCount(t, t.getInt32DataCount(), n, "int32_data");
        }
        float[] out = new float[n];
        switch (type) {
            case FLOAT:
                for (int i = 0; i < n; i++) out[i] = t.getFloatData(i);
                break;
            case DOUBLE:
                for (int i = 0; i < n; i++) out[i] = (float) t.getDoubleData(i);
                break;
            default:
                for (int i = 0; i < n; i++) {
                    int bits = t.getInt32Data(i) & 0xffff;
                    out[i] = type == FLOAT16 ? halfToFloat(bits) : bfloat16ToFloat(bits);
                }
        }
        return out;
    }

    /** raw_data as a little-endian buffer, after checking its length equals dims x width. */
    private ByteBuffer rawBuffer(TensorProto t, int n, int width) {
        long expected = (long) n * width;
        ByteString raw = t.getRawData();
        if (raw.size() != expected) {
            throw fail(t, "has raw_data of " + raw.size() + " bytes, but its dims "
                    + t.getDimsList() + " and type " + typeName(t.getDataType()) + " need " + expected
                    + " bytes (truncated or corrupted tensor)");
        }
        return raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    private void checkCount(TensorProto t, int have, int n, String field) {
        if (have != n) {
            throw fail(t, "has " + have + " values in " + field + ", but its dims " + t.getDimsList()
                    + " need " + n + " (truncated or corrupted tensor)");
        }
    }

    /** IEEE 754 binary16 bit pattern to float (exact). */
    static float halfToFloat(int h) {
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        float v;
        if (exp == 0) {
            v = mant * 0x1p-24f;                                   // zero or subnormal
        } else if (exp == 0x1f) {
            v = mant == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
        } else {
            v = Float.intBitsToFloat(((exp + 112) << 23) | (mant << 13));  // rebias 15 -> 127
        }
        return (h & 0x8000) != 0 ? -v : v;
    }

    /** bfloat16 is the upper half of a float32. */
    static float bfloat16ToFloat(int b) { return Float.intBitsToFloat(b << 16); }

    private LrpException tooLarge(TensorProto t) {
        return fail(t, "is too large: dims " + t.getDimsList() + " exceed " + MAX_ELEMENTS
                + " elements");
    }

    LrpException fail(TensorProto t, String problem) {
        return new LrpException(source + ": initializer '" + t.getName() + "' " + problem);
    }
}
