package io.lrp.models.bert;

import io.lrp.explain.Cost;

/**
 * The floating-point operations of a BERT encoder's passes that {@code lrp bench} divides by the
 * time to report GFLOP/s: the counts of {@link Cost#encoder} (the encoder's matrix products, 2
 * FLOPs per multiply-add, for one sequence of T tokens). How each method combines the passes is
 * its own cost model ({@link io.lrp.explain.Method#flops}).
 */
public final class BertFlops {
    private BertFlops() {}

    /** The forward pass of the encoder. */
    public static long forward(BertConfig c, int t) { return cost(c, t).forward(); }

    /** The backward under the AH-rule: nothing into q and k, no weight gradients. */
    public static long backwardAh(BertConfig c, int t) { return cost(c, t).backwardAh(); }

    /** The backward of the plain gradient into the input (no weight gradients). */
    public static long backwardFull(BertConfig c, int t) { return cost(c, t).backwardFull(); }

    private static Cost cost(BertConfig c, int t) { return Cost.encoder(c.layers(), c.hidden(), c.intermediate(), t); }
}
