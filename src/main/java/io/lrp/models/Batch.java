package io.lrp.models;

import java.util.List;

/**
 * Token ids of B sequences padded to a common length T, with the attention mask (1 for real
 * tokens) and each sequence's true length.
 */
public record Batch(int size, int length, int[] ids, int[] typeIds, float[] mask, int[] lengths) {

    public static Batch of(List<int[]> sequences, int padId) {
        int b = sequences.size(), t = 0;
        for (int[] s : sequences) t = Math.max(t, s.length);
        int[] ids = new int[b * t], types = new int[b * t], lengths = new int[b];
        float[] mask = new float[b * t];
        for (int i = 0; i < b; i++) {
            int[] s = sequences.get(i);
            lengths[i] = s.length;
            for (int j = 0; j < t; j++) {
                ids[i * t + j] = j < s.length ? s[j] : padId;
                mask[i * t + j] = j < s.length ? 1f : 0f;
            }
        }
        return new Batch(b, t, ids, types, mask, lengths);
    }

    public static Batch single(int[] ids) { return of(List.of(ids), 0); }

    /** The additive attention mask: 0 for real keys, -10000 for padding (the HF/ONNX constant); null without padding. */
    public float[] additiveMask() {
        boolean padded = false;
        for (float m : mask) if (m == 0f) { padded = true; break; }
        if (!padded) return null;
        float[] a = new float[mask.length];
        for (int i = 0; i < a.length; i++) a[i] = (1f - mask[i]) * -10000f;
        return a;
    }
}
