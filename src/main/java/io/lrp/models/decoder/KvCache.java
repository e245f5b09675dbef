package io.lrp.models.decoder;

import io.lrp.autograd.DecoderOps;
import io.lrp.tensor.Gemm;

/**
 * Keys and values of every layer for the positions a sequence has seen (after RoPE where the
 * model has it), so that generating one more token runs each block on one row instead of the
 * whole sequence. One sequence; inference only.
 */
public final class KvCache {
    private final float[][] keys, values; // per layer [capacity, kvWidth]
    private final int kvWidth, capacity;
    private int length;

    public KvCache(int layers, int capacity, int kvWidth) {
        this.kvWidth = kvWidth;
        this.capacity = capacity;
        keys = new float[layers][];
        values = new float[layers][];
        for (int l = 0; l < layers; l++) {
            keys[l] = new float[Math.multiplyExact(capacity, kvWidth)];
            values[l] = new float[capacity * kvWidth];
        }
    }

    /** Positions held (those of the calls to {@link DecoderModel#step} so far). */
    public int length() { return length; }
    public int capacity() { return capacity; }

    void advance(int n) { length += n; }

    /**
     * Appends layer l's keys and values of the n new rows (positions length .. length+n-1) and
     * returns the causal attention context [n, heads*d] of their queries q [n, heads*d] over all
     * positions held. Query head h reads key/value head h / (heads / kvHeads).
     */
    public float[] attend(int layer, float[] q, float[] k, float[] v, int n, int heads, int kvHeads, float scale) {
        int d = kvWidth / kvHeads, width = heads * d, rep = heads / kvHeads, total = length + n;
        System.arraycopy(k, 0, keys[layer], length * kvWidth, n * kvWidth);
        System.arraycopy(v, 0, values[layer], length * kvWidth, n * kvWidth);
        float[] kc = keys[layer], vc = values[layer];
        float[] ctx = new float[n * width];
        float[] s = new float[n * total];
        Gemm gemm = Gemm.get();
        for (int h = 0; h < heads; h++) {
            int ko = (h / rep) * d, qo = h * d;
            gemm.sgemm(false, true, n, total, d, scale, q, qo, width, kc, ko, kvWidth, 0f, s, 0, total);
            for (int i = 0; i < n; i++) DecoderOps.causalSoftmaxRow(s, i * total, length + i + 1, total);
            gemm.sgemm(false, false, n, d, total, 1f, s, 0, total, vc, ko, kvWidth, 0f, ctx, qo, width);
        }
        return ctx;
    }
}
