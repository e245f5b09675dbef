package io.lrp.train;

import io.lrp.autograd.Var;
import io.lrp.tensor.Tensor;
import java.util.HashMap;
import java.util.Map;

/** AdamW (Loshchilov and Hutter): Adam with decoupled weight decay, skipped for biases and norms. */
public final class AdamW {
    private final Map<String, Var> params;
    private final double beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay;
    private final Map<String, float[]> m = new HashMap<>(), v = new HashMap<>();
    private int t;

    public AdamW(Map<String, Var> params, double weightDecay) {
        this.params = params;
        this.weightDecay = weightDecay;
        for (var e : params.entrySet()) {
            e.getValue().setRequiresGrad(true);
            m.put(e.getKey(), new float[e.getValue().value.size()]);
            v.put(e.getKey(), new float[e.getValue().value.size()]);
        }
    }

    /** One update with learning rate lr from the accumulated gradients, which are then cleared. */
    public void step(double lr) {
        t++;
        double c1 = 1 - Math.pow(beta1, t), c2 = 1 - Math.pow(beta2, t);
        for (var e : params.entrySet()) {
            Var p = e.getValue();
            Tensor g = p.grad();
            if (g == null) continue;
            boolean decay = weightDecay > 0 && p.value.rank() > 1;
            float[] w = p.value.data, mm = m.get(e.getKey()), vv = v.get(e.getKey());
            for (int i = 0; i < w.length; i++) {
                float gi = g.data[i];
                mm[i] = (float) (beta1 * mm[i] + (1 - beta1) * gi);
                vv[i] = (float) (beta2 * vv[i] + (1 - beta2) * gi * gi);
                double update = (mm[i] / c1) / (Math.sqrt(vv[i] / c2) + eps);
                if (decay) update += weightDecay * w[i];
                w[i] -= (float) (lr * update);
            }
            p.zeroGrad();
            io.lrp.tensor.NativeGemm.invalidate(w); // a cached packed copy would be stale
        }
    }

    public void zeroGrad() { for (Var p : params.values()) p.zeroGrad(); }

    /** The number of updates made. */
    public int steps() { return t; }

    /** The moment estimates, as tensors named "adam.m.NAME" and "adam.v.NAME". */
    public Map<String, Tensor> state() {
        Map<String, Tensor> s = new java.util.LinkedHashMap<>();
        for (String name : params.keySet()) {
            s.put("adam.m." + name, new Tensor(m.get(name), params.get(name).value.size()));
            s.put("adam.v." + name, new Tensor(v.get(name), params.get(name).value.size()));
        }
        return s;
    }

    /** Restores the moments and the step count written by {@link #state()}. */
    public void load(Map<String, Tensor> state, int steps) {
        for (String name : params.keySet()) {
            Tensor sm = state.get("adam.m." + name), sv = state.get("adam.v." + name);
            if (sm == null || sv == null || sm.size() != m.get(name).length || sv.size() != v.get(name).length) {
                throw new io.lrp.LrpException("optimizer state for '" + name + "' missing or of the wrong size");
            }
            System.arraycopy(sm.data, 0, m.get(name), 0, sm.size());
            System.arraycopy(sv.data, 0, v.get(name), 0, sv.size());
        }
        this.t = steps;
    }
}
