package io.lrp.models.bert;

/**
 * The floating-point operations that {@code lrp bench} divides by the time to report GFLOP/s:
 * the matrix products of the encoder only, 2 FLOPs per multiply-add, for one sequence of T
 * tokens (H hidden, F FFN, L layers). Embeddings, pooler and classifier (O(H*H) per sequence),
 * softmax, LayerNorm, GELU and additions are not counted: at the sizes benchmarked they are
 * well under 1% of the products' work, and they are not what sgemm measures.
 *
 * <pre>
 * forward, per layer      2*T*(4*H*H + 2*H*F)      q, k, v, output projections; FFN in and out
 *                       + 2 * 2*T*T*H              q k^T and p v, all heads together
 *
 * backward under the AH-rule (lrp-ah, lrp-ah-ln), per layer: no weight gradients, and the
 * attention probabilities are constant, so nothing flows into q and k:
 *                         2*T*(2*H*H + 2*H*F)      dx of the v and output projections, FFN in and out
 *                       + 2*T*T*H                  p^T g into v
 *
 * backward of the plain gradient (gi, saliency, gae, ig) and of attnlrp (softmax differentiated),
 * per layer: no weight gradients, but every input gradient:
 *                         2*T*(4*H*H + 2*H*F)      dx of all four projections, FFN in and out
 *                       + 4 * 2*T*T*H              g v^T into p, p^T g into v, dS k into q, dS^T q into k
 * </pre>
 *
 * How the methods combine these passes is counted in {@code lrp bench} (io.lrp.cli.BenchCommand).
 */
public final class BertFlops {
    private BertFlops() {}

    /** The forward pass of the encoder. */
    public static long forward(BertConfig c, int t) {
        long h = c.hidden(), f = c.intermediate(), n = t;
        return c.layers() * (2 * n * (4 * h * h + 2 * h * f) + 2 * 2 * n * n * h);
    }

    /** The backward under the AH-rule: nothing into q and k, no weight gradients. */
    public static long backwardAh(BertConfig c, int t) {
        long h = c.hidden(), f = c.intermediate(), n = t;
        return c.layers() * (2 * n * (2 * h * h + 2 * h * f) + 2 * n * n * h);
    }

    /** The backward of the plain gradient into the input (no weight gradients). */
    public static long backwardFull(BertConfig c, int t) {
        long h = c.hidden(), f = c.intermediate(), n = t;
        return c.layers() * (2 * n * (4 * h * h + 2 * h * f) + 4 * 2 * n * n * h);
    }
}
