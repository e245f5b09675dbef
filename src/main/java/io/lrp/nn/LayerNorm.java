package io.lrp.nn;

import io.lrp.autograd.Ops;
import io.lrp.autograd.Tape;
import io.lrp.autograd.Var;
import java.util.Map;

/** LayerNorm over the last axis, affine (weight, bias) or not (both null). */
public record LayerNorm(String name, Var weight, Var bias, double eps, Ops.NormKind kind) {

    public static LayerNorm load(Weights w, String name, int size, double eps) {
        return new LayerNorm(name, Var.constant(w.get(name + ".weight", size)),
                Var.constant(w.get(name + ".bias", size)), eps, Ops.NormKind.BIASED_VARIANCE);
    }

    public Var apply(Tape tape, Var x) { return Ops.layerNorm(tape, x, weight, bias, eps, kind, name); }

    void collect(Map<String, Var> params) {
        if (weight != null) params.put(name + ".weight", weight);
        if (bias != null) params.put(name + ".bias", bias);
    }
}
