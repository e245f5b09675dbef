package io.lrp.models.llama;

import com.fasterxml.jackson.databind.JsonNode;
import io.lrp.models.decoder.Checkpoint;

/**
 * Rotary position embedding frequencies: inv_freq_i = theta^(-2i/d), adjusted by the
 * {@code rope_scaling} kind of config.json (none/"default", "linear", "llama3"), and the cos/sin
 * tables of positions, computed in double (methods.md 8.4: float32 tables move relevances by
 * 1.3e-5 of max|R|) and rounded once to float.
 */
public final class Rope {

    /** The rope_scaling kinds understood; anything else is refused rather than guessed. */
    public static final String KINDS = "none, default, linear, llama3";

    private final double[] invFreq;
    private final double positionScale;

    private Rope(double[] invFreq, double positionScale) {
        this.invFreq = invFreq;
        this.positionScale = positionScale;
    }

    /** Unscaled frequencies for theta and a head of headDim columns. */
    public static Rope of(double theta, int headDim) {
        double[] inv = new double[headDim / 2];
        for (int i = 0; i < inv.length; i++) inv[i] = Math.pow(theta, -2.0 * i / headDim);
        return new Rope(inv, 1);
    }

    public static Rope read(Checkpoint.Config c, int headDim) {
        if (headDim % 2 != 0) throw c.err("head_dim " + headDim + " is odd: rotary embeddings rotate pairs of columns");
        double theta = c.positive("rope_theta", 10000.0);
        double[] inv = new double[headDim / 2];
        for (int i = 0; i < inv.length; i++) inv[i] = Math.pow(theta, -2.0 * i / headDim);
        JsonNode s = c.root().get("rope_scaling");
        if (s == null || s.isNull()) return new Rope(inv, 1);
        if (!s.isObject()) throw c.err("rope_scaling must be an object or null, got " + s);
        JsonNode kindNode = s.has("rope_type") ? s.get("rope_type") : s.get("type");
        String kind = kindNode == null || kindNode.isNull() ? "default" : kindNode.asText();
        switch (kind) {
            case "default":
                return new Rope(inv, 1);
            case "linear":
                return new Rope(inv, 1 / number(c, s, "factor"));
            case "llama3": {
                double factor = number(c, s, "factor"), low = number(c, s, "low_freq_factor"),
                        high = number(c, s, "high_freq_factor"), old = number(c, s, "original_max_position_embeddings");
                if (!(high > low)) throw c.err("rope_scaling: high_freq_factor " + high + " must exceed low_freq_factor " + low);
                double lowWavelen = old / low, highWavelen = old / high;
                for (int i = 0; i < inv.length; i++) {
                    double wavelen = 2 * Math.PI / inv[i];
                    if (wavelen < highWavelen) continue;             // high frequencies unchanged
                    if (wavelen > lowWavelen) { inv[i] /= factor; continue; }
                    double smooth = (old / wavelen - low) / (high - low);
                    inv[i] = (1 - smooth) * inv[i] / factor + smooth * inv[i];
                }
                return new Rope(inv, 1);
            }
            default:
                throw c.err("rope_scaling of unknown kind '" + kind + "' (supported: " + KINDS + ")");
        }
    }

    private static double number(Checkpoint.Config c, JsonNode s, String key) {
        JsonNode v = s.get(key);
        if (v == null || v.isNull()) throw c.err("rope_scaling lacks " + key);
        return c.positive("rope_scaling." + key, v);
    }

    /** cos and sin [len, d/2] for positions offset .. offset+len-1. */
    public float[][] tables(int offset, int len) {
        int half = invFreq.length;
        float[] cos = new float[len * half], sin = new float[len * half];
        for (int t = 0; t < len; t++) {
            double pos = (offset + t) * positionScale;
            for (int i = 0; i < half; i++) {
                double a = pos * invFreq[i];
                cos[t * half + i] = (float) Math.cos(a);
                sin[t * half + i] = (float) Math.sin(a);
            }
        }
        return new float[][] {cos, sin};
    }
}
