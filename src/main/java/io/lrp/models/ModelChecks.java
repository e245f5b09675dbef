package io.lrp.models;

import io.lrp.LrpException;
import io.lrp.nn.Weights;
import io.lrp.text.WordPieceTokenizer;
import java.util.List;

/**
 * Refusals of models that would load but explain wrongly: a config that uses fewer encoder
 * layers than the checkpoint holds (or more), a LayerNorm eps that is not a small positive
 * float32, and (as a warning) a tokenizer that adds no special tokens to a model that reads
 * the first token as its summary. NaN and infinite weights are refused by {@link Weights#get}.
 */
public final class ModelChecks {
    private ModelChecks() {}

    /** Largest eps accepted: LayerNorm's eps is a guard against division by zero, not a scale. */
    public static final double MAX_EPS = 0.1;

    private static volatile boolean allowUnused;

    /** Whether encoder weights the config does not use are accepted (the CLI's --allow-unused-weights). */
    public static void allowUnusedWeights(boolean allow) { allowUnused = allow; }

    public static boolean unusedWeightsAllowed() { return allowUnused; }

    /**
     * Before anything is allocated from the config: the number of layers it names must exist in
     * the checkpoint (a forged count such as 10^9 fails here, not in an allocation).
     */
    public static void checkLayerCount(Weights w, int configLayers, String configSource, String key) {
        int present = w.layerCount();
        if (configLayers > present) {
            throw new LrpException(configSource + ": " + key + " is " + configLayers + ", but " + w.source()
                    + " holds " + present + " encoder layer" + (present == 1 ? "" : "s"));
        }
    }

    /** After the model is built: encoder or embedding tensors it did not read are an error unless allowed. */
    public static void checkUnused(Weights w, int configLayers, String configSource) {
        List<String> unused = w.unused().stream()
                .filter(n -> n.matches("(.*\\.)?(encoder|embeddings)\\..*") && !n.endsWith("_ids"))
                .toList();
        if (unused.isEmpty() || allowUnused) return;
        int present = w.layerCount();
        String why = present > configLayers
                ? configSource + " uses " + configLayers + " of the " + present + " encoder layers it holds"
                : "the model does not use them";
        throw new LrpException(w.source() + ": " + unused.size() + " encoder weight" + (unused.size() == 1 ? "" : "s")
                + " unused (" + why + "; first: '" + unused.get(0) + "'): pass --allow-unused-weights to explain the smaller model anyway");
    }

    /** LayerNorm eps: finite, positive, at most {@link #MAX_EPS}, and not zero once rounded to float32. */
    public static double checkEps(double eps, String where, String key) {
        if (!Double.isFinite(eps) || !(eps > 0) || eps > MAX_EPS || (float) eps < Float.MIN_NORMAL) {
            throw new LrpException(where + ": " + key + " must be a small positive number (float32 normal, at most "
                    + MAX_EPS + "), got " + eps);
        }
        return eps;
    }

    /**
     * A warning on stderr when the model summarises the sequence by its first token but the
     * tokenizer puts no special token there (its post-processor adds none).
     */
    public static void warnIfNoSpecialTokens(io.lrp.text.Tokenizer tok, boolean readsFirstToken, String modelName) {
        if (tok == null || !readsFirstToken) return;
        io.lrp.text.Encoding e;
        try {
            e = tok.encode("a");
        } catch (LrpException ex) {
            return;   // a tokenizer that cannot encode "a" fails with its own message at the first text
        }
        boolean first = e.length() > 0 && e.special()[0];
        boolean last = e.length() > 0 && e.special()[e.length() - 1];
        if (first && last) return;
        String missing = !first && !last ? "[CLS] and [SEP]" : !first ? "[CLS]" : "[SEP]";
        System.err.println("lrp: warning: " + tok.source() + " adds no " + missing + " to a text (its post_processor), but "
                + modelName + " reads the first token as the summary of the sequence: predictions and explanations will differ from the model's training");
    }
}
