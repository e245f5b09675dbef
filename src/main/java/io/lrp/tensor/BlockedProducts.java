package io.lrp.tensor;

import java.nio.FloatBuffer;

/**
 * The products of a {@link BlockedMatrix}, cut into parts along the output's columns: each part
 * loads (copies or widens) its slice of W into a per-thread buffer and runs one product with
 * every row of the input and the whole inner dimension. The parts run on the {@link Parallel}
 * workers, each product on one core with all n rows (oneDNN's sgemm runs at its rate there; cut
 * by rows of the input instead, into parts of 32, it packed the weight block again for each
 * part and ran at a quarter of it). The cut depends on the shape alone and every output value
 * comes from one product over the full inner dimension, so the bits do not depend on the
 * number of threads.
 */
final class BlockedProducts {
    private BlockedProducts() {}

    /** Loads W's rows [from, to) into dst as [to - from, in], boosted (w + gamma max(w, 0)) when gamma > 0. */
    interface Rows { void load(int from, int to, float[] dst, float gamma); }

    /** Loads rows [r0, r1) of W's columns [c0, c1) into dst as [r1 - r0, c1 - c0], boosted as above. */
    interface Columns { void load(int c0, int c1, int r0, int r1, float[] dst, float gamma); }

    /** Floats loaded at a time on the way to direct memory: the chunk stays in cache between the two copies. */
    private static final int CHUNK = 1 << 14;

    /** Output columns per part, at most (-Dlrp.blockedPart); fewer where a slice would exceed sliceFloats. */
    static final int PART = Math.max(16, Integer.getInteger("lrp.blockedPart", 256));
    /** Floats of W per part, at most (-Dlrp.blockedSliceMB, default 8 MB: a 128256-row head is cut into slices of 16 columns). */
    static volatile int sliceFloats = Math.max(1 << 16, Integer.getInteger("lrp.blockedSliceMB", 8) << 18); // (tests set it small)

    static int partWidth(int along) { return Math.max(1, Math.min(PART, sliceFloats / Math.max(1, along))); }

    /** Output columns per part of a product read in place, at most (-Dlrp.inPlacePart; nothing is copied, so no slice limit). */
    static final int IN_PLACE_PART = Math.max(16, Integer.getInteger("lrp.inPlacePart", 512));

    /** Parts of at most IN_PLACE_PART columns, at least four where that leaves 64 or more each (work for the threads). */
    static int inPlaceWidth(int columns) { return Math.max(Math.min(64, columns), Math.min(IN_PLACE_PART, columns / 4)); }

    private static final class Buffers {
        float[] heap = new float[0];
        final float[] chunk = new float[CHUNK];
        final Direct w = new Direct(), c = new Direct(), in = new Direct();
        float[] heap(int n) {
            if (heap.length < n) heap = new float[n];
            return heap;
        }
    }

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    /** y[n, out] = x[n, in] W^T (+ bias), W [out, in] loaded by rows; y overwritten. */
    static void timesTransposed(int n, float[] x, int out, int in, Rows rows, float[] bias, float[] y, float gamma) {
        int width = partWidth(in), parts = (out + width - 1) / width;
        Gemm gemm = Gemm.get();
        if (gemm instanceof NativeGemm ng) {
            FloatBuffer xa = BUFFERS.get().in.load(x, n * in).floats();
            Parallel.fixedParts(out, parts, Parallel.threads(), (r0, r1) -> {
                int br = r1 - r0, step = Math.max(1, CHUNK / in);
                Buffers b = BUFFERS.get();
                FloatBuffer wb = b.w.reserve(br * in).floats(), cb = b.c.reserve(n * br).floats();
                float[] w = in <= CHUNK ? b.chunk : b.heap(in);
                for (int r = r0; r < r1; r += step) {
                    int e = Math.min(r1, r + step);
                    rows.load(r, e, w, gamma);
                    wb.put((r - r0) * in, w, 0, (e - r) * in);
                }
                ng.constantProduct(true, n, br, in, xa, 0, in, wb, 0, in, cb, 0, br);
                rowsOut(cb, n, br, r0, out, bias, y);
            });
            return;
        }
        Parallel.fixedParts(out, parts, Parallel.threads(), (r0, r1) -> {
            int br = r1 - r0;
            float[] w = BUFFERS.get().heap(br * in);
            rows.load(r0, r1, w, gamma);
            gemm.sgemm(false, true, n, br, in, 1f, x, 0, in, w, 0, in, 0f, y, r0, out);
            if (bias != null) for (int i = 0; i < n; i++) for (int j = 0; j < br; j++) y[i * out + r0 + j] += bias[r0 + j];
        });
    }

    /**
     * y[n, out] = x[n, in] W^T (+ bias), W [out, in] in direct memory, read in place: parts of
     * {@link #inPlaceWidth} rows of W (the shape alone decides), each product reading them where they lie.
     */
    static void timesTransposedInPlace(NativeGemm ng, int n, float[] x, int out, int in, FloatBuffer w, float[] bias, float[] y) {
        int width = inPlaceWidth(out), parts = (out + width - 1) / width;
        FloatBuffer xa = BUFFERS.get().in.load(x, n * in).floats();
        Parallel.fixedParts(out, parts, Parallel.threads(), (r0, r1) -> {
            int br = r1 - r0;
            FloatBuffer cb = BUFFERS.get().c.reserve(n * br).floats();
            ng.constantProduct(true, n, br, in, xa, 0, in, w, r0 * in, in, cb, 0, br);
            rowsOut(cb, n, br, r0, out, bias, y);
        });
    }

    /** gx[n, in] = g[n, out] W + beta gx, W [out, in] in direct memory, read in place (parts of {@link #inPlaceWidth} columns). */
    static void leftTimesInPlace(NativeGemm ng, int n, float[] g, int out, int in, FloatBuffer w, float beta, float[] gx) {
        int width = inPlaceWidth(in), parts = (in + width - 1) / width;
        FloatBuffer ga = BUFFERS.get().in.load(g, n * out).floats();
        Parallel.fixedParts(in, parts, Parallel.threads(), (c0, c1) -> {
            int bc = c1 - c0;
            Buffers b = BUFFERS.get();
            FloatBuffer cb = b.c.reserve(n * bc).floats();
            ng.constantProduct(false, n, bc, out, ga, 0, out, w, c0, in, cb, 0, bc);
            columnsOut(cb, n, bc, c0, in, beta, gx, b.heap(bc));
        });
    }

    /** A part's product cb [n, br] into columns [r0, r0 + br) of y [n, out], plus the bias. */
    private static void rowsOut(FloatBuffer cb, int n, int br, int r0, int out, float[] bias, float[] y) {
        for (int i = 0; i < n; i++) {
            int o = i * out + r0;
            cb.get(i * br, y, o, br);
            if (bias != null) for (int j = 0; j < br; j++) y[o + j] += bias[r0 + j];
        }
    }

    /** A part's product cb [n, bc] into columns [c0, c0 + bc) of gx [n, in]: gx = beta gx + cb (row: scratch of bc floats). */
    private static void columnsOut(FloatBuffer cb, int n, int bc, int c0, int in, float beta, float[] gx, float[] row) {
        for (int i = 0; i < n; i++) {
            int o = i * in + c0;
            cb.get(i * bc, row, 0, bc);
            if (beta == 0f) System.arraycopy(row, 0, gx, o, bc);
            else for (int j = 0; j < bc; j++) gx[o + j] = beta * gx[o + j] + row[j];
        }
    }

    /** gx[n, in] = g[n, out] W + beta gx, W [out, in] loaded by columns (beta 0: gx overwritten). */
    static void leftTimes(int n, float[] g, int out, int in, Columns columns, float beta, float[] gx, float gamma) {
        int width = partWidth(out), parts = (in + width - 1) / width;
        Gemm gemm = Gemm.get();
        if (gemm instanceof NativeGemm ng) {
            FloatBuffer ga = BUFFERS.get().in.load(g, n * out).floats();
            Parallel.fixedParts(in, parts, Parallel.threads(), (c0, c1) -> {
                int bc = c1 - c0, step = Math.max(1, CHUNK / bc);
                Buffers b = BUFFERS.get();
                FloatBuffer wb = b.w.reserve(out * bc).floats(), cb = b.c.reserve(n * bc).floats();
                float[] w = bc <= CHUNK ? b.chunk : b.heap(bc);
                for (int r = 0; r < out; r += step) {
                    int e = Math.min(out, r + step);
                    columns.load(c0, c1, r, e, w, gamma);
                    wb.put(r * bc, w, 0, (e - r) * bc);
                }
                ng.direct(false, false, n, bc, out, 1f, ga, 0, out, wb, 0, bc, 0f, cb, 0, bc);
                columnsOut(cb, n, bc, c0, in, beta, gx, b.heap(bc)); // the slice is no longer needed
            });
            return;
        }
        Parallel.fixedParts(in, parts, Parallel.threads(), (c0, c1) -> {
            int bc = c1 - c0;
            float[] w = BUFFERS.get().heap(out * bc);
            columns.load(c0, c1, 0, out, w, gamma);
            gemm.sgemm(false, false, n, bc, out, 1f, g, 0, out, w, 0, bc, beta, gx, c0, in);
        });
    }
}
