package io.lrp.autograd;

import io.lrp.tensor.Tensor;

/**
 * A value on the tape: a tensor, and the gradient accumulated into it during the backward
 * pass when it requires one. Parameters are Vars too; they require a gradient only when
 * training.
 */
public final class Var {
    public final Tensor value;
    private boolean requiresGrad;
    Tensor grad;

    public Var(Tensor value, boolean requiresGrad) {
        this.value = value;
        this.requiresGrad = requiresGrad;
    }

    public static Var constant(Tensor t) { return new Var(t, false); }
    public static Var leaf(Tensor t) { return new Var(t, true); }

    public boolean requiresGrad() { return requiresGrad; }
    public void setRequiresGrad(boolean r) { requiresGrad = r; }

    /** The accumulated gradient, or null when nothing reached this value. */
    public Tensor grad() { return grad; }

    public void zeroGrad() { grad = null; }

    /** The gradient buffer, allocated on first use (from the running backward pass's recycled buffers when it has one). */
    float[] gradBuffer() {
        if (grad == null) grad = Tape.zeroedGradient(value);
        return grad.data;
    }

    public int[] shape() { return value.shape(); }
}
