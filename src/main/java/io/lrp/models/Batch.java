package io.lrp.models;

import java.util.ArrayList;
import java.util.List;

/**
 * Token ids (and token type ids) of B sequences padded to a common length T, with the attention
 * mask (1 for real tokens) and each sequence's true length.
 */
public record Batch(int size, int length, int[] ids, int[] typeIds, float[] mask, int[] lengths) {

    /** One unpadded input: ids and token type ids (segment A = 0, B = 1). */
    public record Sequence(int[] ids, int[] types) {
        public Sequence {
            if (types == null) types = new int[ids.length];
            if (types.length != ids.length) throw new IllegalArgumentException("ids and token types differ in length");
        }

        public Sequence(int[] ids) { this(ids, null); }

        public int length() { return ids.length; }
    }

    public static Batch of(List<int[]> sequences, int padId) {
        List<Sequence> s = new ArrayList<>();
        for (int[] ids : sequences) s.add(new Sequence(ids));
        return ofSequences(s, padId);
    }

    public static Batch ofSequences(List<Sequence> sequences, int padId) {
        int b = sequences.size(), t = 0;
        for (Sequence s : sequences) t = Math.max(t, s.length());
        int[] ids = new int[b * t], types = new int[b * t], lengths = new int[b];
        float[] mask = new float[b * t];
        for (int i = 0; i < b; i++) {
            Sequence s = sequences.get(i);
            lengths[i] = s.length();
            for (int j = 0; j < t; j++) {
                boolean real = j < s.length();
                ids[i * t + j] = real ? s.ids()[j] : padId;
                types[i * t + j] = real ? s.types()[j] : 0;
                mask[i * t + j] = real ? 1f : 0f;
            }
        }
        return new Batch(b, t, ids, types, mask, lengths);
    }

    public static Batch single(int[] ids) { return of(List.of(ids), 0); }

    public static Batch single(Sequence s) { return ofSequences(List.of(s), 0); }

    /** Sample b without its padding. */
    public Sequence sequence(int b) {
        int n = lengths[b];
        int[] i = new int[n], t = new int[n];
        System.arraycopy(ids, b * length, i, 0, n);
        System.arraycopy(typeIds, b * length, t, 0, n);
        return new Sequence(i, t);
    }

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
