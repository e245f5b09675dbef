package io.lrp.explain;

/**
 * The matrix-product FLOPs of a model's passes over one sequence (2 per multiply-add), which
 * each method combines into its cost for {@code lrp bench}: the forward pass, the backward under
 * the AH-rule (attention probabilities constant: nothing flows into q and k), and the full
 * backward of the plain gradient into the input (no weight gradients).
 */
public record Cost(int tokens, long forward, long backwardAh, long backwardFull) {

    /**
     * An encoder of L layers (H hidden, F feed-forward) on T tokens; embeddings, head, softmax,
     * norms and activations are not counted (well under 1% at the benchmarked sizes).
     * <pre>
     * forward, per layer        2T(4HH + 2HF) + 2 * 2TTH     four projections, FFN in and out; q k^T and p v
     * backward, AH-rule         2T(2HH + 2HF) + 2TTH         dx of v, output, FFN; p^T g into v
     * backward, plain gradient  2T(4HH + 2HF) + 4 * 2TTH     dx of all projections; g v^T, p^T g, dS k, dS^T q
     * </pre>
     */
    public static Cost encoder(int layers, int hidden, int ffn, int tokens) {
        long l = layers, h = hidden, f = ffn, n = tokens;
        return new Cost(tokens, l * (2 * n * (4 * h * h + 2 * h * f) + 2 * 2 * n * n * h),
                l * (2 * n * (2 * h * h + 2 * h * f) + 2 * n * n * h),
                l * (2 * n * (4 * h * h + 2 * h * f) + 4 * 2 * n * n * h));
    }
}
