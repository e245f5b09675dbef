package io.lrp.nn;

import io.lrp.autograd.Ops;
import io.lrp.autograd.Role;
import io.lrp.autograd.Tape;
import io.lrp.autograd.Var;
import io.lrp.tensor.Tensor;
import java.util.Map;

/** y = x W^T + b, W [out, in] (the nn.Linear layout). */
public record Linear(String name, Var weight, Var bias, Role role) {

    public static Linear load(Weights w, String name, int out, int in, Role role) {
        return new Linear(name, Var.constant(w.get(name + ".weight", out, in)),
                Var.constant(w.get(name + ".bias", out)), role);
    }

    public Var apply(Tape tape, Var x) { return Ops.linear(tape, x, weight, bias, role, name); }

    public int in() { return weight.value.dim(1); }
    public int out() { return weight.value.dim(0); }

    void collect(Map<String, Var> params) {
        params.put(name + ".weight", weight);
        params.put(name + ".bias", bias);
    }

    public static Linear init(String name, int out, int in, Role role, java.util.Random rnd, double std) {
        Tensor w = Tensor.zeros(out, in);
        for (int i = 0; i < w.data.length; i++) w.data[i] = (float) (rnd.nextGaussian() * std);
        return new Linear(name, Var.constant(w), Var.constant(Tensor.zeros(out)), role);
    }
}
