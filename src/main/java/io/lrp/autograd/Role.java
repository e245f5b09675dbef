package io.lrp.autograd;

/**
 * What a node is for, as far as an explanation method cares. A model tags the nodes it
 * records with a role; a {@link RuleSet} maps roles to replacement backward rules. Models
 * never mention methods.
 */
public enum Role {
    /** Softmax output of an attention head (the AH-rule detaches it). */
    ATTENTION_PROBS,
    /** The two attention products q k^T and p v (AttnLRP halves their gradient). */
    ATTENTION_MATMUL,
    /** The 1/std of a LayerNorm (the LN-rule detaches it; the mean stays in the graph). */
    NORM_SCALE,
    /** Elementwise activations inside the network (GELU, the BERT pooler tanh). */
    ACTIVATION,
    /** Linear layers of the encoder blocks (q, k, v, output projections, feed-forward). */
    ENCODER_LINEAR,
    /**
     * The product of a gated MLP, silu(gate(m)) * up(m) (LLaMA): LXT's CP-LRP makes the gate a
     * constant (stop), AttnLRP halves the product's gradient (scale 0.5).
     */
    GATE,
    /** Linear layers after the encoder (pooler, classifier). */
    HEAD_LINEAR,
    /** A node that every rule set differentiates normally. */
    PLAIN
}
