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
    /**
     * The paper model's pooler tanh: differentiated normally by the paper's rule sets (the
     * authors' convention), by the identity rule in the conservative variant.
     */
    POOLER_ACTIVATION,
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
    PLAIN;

    /**
     * Whether the ops of this role implement the rule: the softmax and the LayerNorm scale can be
     * detached, the attention products scaled, activations take the identity rule, linear
     * layers the gamma rule. Anything else would be silently ignored by the op, so a rule set
     * that asks for it is refused when it is built.
     */
    public boolean accepts(Rule rule) {
        return switch (this) {
            case ATTENTION_PROBS, NORM_SCALE -> rule instanceof Rule.Stop;
            case ATTENTION_MATMUL -> rule instanceof Rule.Scale;
            case GATE -> rule instanceof Rule.Stop || rule instanceof Rule.Scale;
            case ACTIVATION, POOLER_ACTIVATION -> rule instanceof Rule.Identity;
            case ENCODER_LINEAR, HEAD_LINEAR -> rule instanceof Rule.Gamma;
            case PLAIN -> false;
        };
    }
}
