package io.lrp.explain.methods;

import io.lrp.explain.Cost;
import io.lrp.explain.Method;
import io.lrp.explain.Relevance;
import io.lrp.models.Batch;
import io.lrp.models.Model;
import java.util.Random;

/** The random baseline: sample b's relevance is java.util.Random(seed + b).nextGaussian() per token. */
public final class RandomBaseline implements Method {
    @Override public String id() { return "random"; }
    @Override public String description() { return "seeded standard normal noise (a baseline)"; }

    @Override public Relevance.Result compute(Model model, Batch batch, int[] targets, Relevance.Options options, Runnable afterForward) {
        float[][] z = Relevance.logits(model, batch);
        int n = batch.size();
        double[][] r = new double[n][];
        for (int b = 0; b < n; b++) {
            Random rnd = new Random(options.seed() + b);
            r[b] = new double[batch.lengths()[b]];
            for (int t = 0; t < r[b].length; t++) r[b][t] = rnd.nextGaussian();
        }
        return new Relevance.Result(z, Relevance.resolveTargets(z, targets), r, new Double[n]);
    }

    @Override public long flops(Cost c, Relevance.Options o) { return c.forward(); }
    @Override public String toString() { return id(); }
}
