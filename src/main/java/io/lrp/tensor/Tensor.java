package io.lrp.tensor;

import java.util.Arrays;

/**
 * A dense float32 tensor in row-major (C) order. The array is shared, not copied: a tensor is
 * a view of a buffer with a shape, and kernels write into preallocated outputs.
 */
public final class Tensor {
    public final float[] data;
    private final int[] shape;

    public Tensor(float[] data, int... shape) {
        long n = numel(shape);
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n
                    + " values, buffer has " + data.length);
        }
        this.data = data;
        this.shape = shape.clone();
    }

    public static Tensor zeros(int... shape) {
        return new Tensor(Arena.take(size(shape), true), shape);
    }

    /**
     * A tensor whose every element the caller overwrites before reading any: inside an
     * {@link Arena} scope its buffer may hold an earlier computation's values (no zeroing pass).
     */
    public static Tensor uninitialized(int... shape) {
        return new Tensor(Arena.take(size(shape), false), shape);
    }

    private static int size(int[] shape) {
        long n = numel(shape);
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor too large: " + Arrays.toString(shape));
        }
        return (int) n;
    }

    public static long numel(int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            n *= d;
        }
        return n;
    }

    public int[] shape() { return shape.clone(); }
    public int rank() { return shape.length; }
    public int dim(int i) { return shape[i < 0 ? shape.length + i : i]; }
    public int size() { return data.length; }

    /** Same buffer, another shape with the same number of elements. */
    public Tensor reshape(int... newShape) { return new Tensor(data, newShape); }

    public Tensor copy() { return new Tensor(data.clone(), shape); }

    public float get(int... idx) { return data[offset(idx)]; }

    private int offset(int... idx) {
        if (idx.length != shape.length) throw new IllegalArgumentException("index rank mismatch");
        int off = 0;
        for (int i = 0; i < idx.length; i++) {
            if (idx[i] < 0 || idx[i] >= shape[i]) throw new IndexOutOfBoundsException(Arrays.toString(idx));
            off = off * shape[i] + idx[i];
        }
        return off;
    }

    public String shapeString() { return Arrays.toString(shape); }

    @Override public String toString() { return "Tensor" + shapeString(); }
}
