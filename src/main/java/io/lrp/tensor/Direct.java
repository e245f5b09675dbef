package io.lrp.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * A growable float buffer in direct memory, with its byte view (the vector kernels load from
 * it) and its float view (the native products read and write it). Fused kernels chain native
 * products and vector code on such buffers without copying through the Java heap in between.
 * One per thread and purpose; not thread-safe.
 */
public final class Direct {
    private ByteBuffer bytes;
    private FloatBuffer floats;

    public Direct() { allocate(1 << 12); }

    private void allocate(int n) {
        bytes = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder());
        floats = bytes.asFloatBuffer();
    }

    /** Room for at least n floats (contents are lost when it grows). */
    public Direct reserve(int n) {
        if (floats.capacity() < n) allocate(Math.max(n, 2 * floats.capacity()));
        return this;
    }

    /** Copies src[0, n) to the start. */
    public Direct load(float[] src, int n) {
        reserve(n);
        floats.clear();
        floats.put(src, 0, n);
        floats.clear();
        return this;
    }

    /** Copies the first n floats to dst. */
    public void store(float[] dst, int n) {
        floats.clear();
        floats.get(dst, 0, n);
        floats.clear();
    }

    public ByteBuffer bytes() { return bytes; }

    public FloatBuffer floats() { return floats; }
}
