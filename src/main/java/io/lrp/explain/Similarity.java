package io.lrp.explain;

import io.lrp.LrpException;
import io.lrp.autograd.RuleSet;
import io.lrp.autograd.Tape;
import io.lrp.autograd.Var;
import io.lrp.models.Batch;
import io.lrp.models.bert.BertModel;
import io.lrp.tensor.Tensor;
import io.lrp.text.Encoding;
import java.util.List;

/**
 * Explains the cosine similarity s = e_A . e_B of two sentence embeddings (normalised mean-pooled
 * hidden states): relevance over A's tokens with B's embedding held fixed, and over B's with
 * A's held fixed, under the LRP (AH+LN) rules.
 *
 * <p>With e_B fixed, s = u_A . e_B / ||u_A||. The norm ||u_A|| is treated as a constant of the
 * backward pass (the LN-rule's idea applied to the final normalisation), so s is linear in the
 * mean-pooled vector u_A, and through the rule-modified encoder linear in (x_A, biases):
 * sum_t R_t + bias relevance = s holds exactly.
 */
public final class Similarity {
    private Similarity() {}

    public record Pair(Explanation a, Explanation b, double similarity) {}

    public static Pair explain(BertModel model, String textA, String textB) {
        Encoding ea = model.tokenizer().encode(textA), eb = model.tokenizer().encode(textB);
        for (Encoding e : List.of(ea, eb)) {
            if (e.length() > model.maxLength()) {
                throw new LrpException("input of " + e.length() + " tokens exceeds the limit of model " + model.name() + " (" + model.maxLength() + " tokens)");
            }
        }
        double[] ua = pooled(model, ea), ub = pooled(model, eb);
        double na = norm(ua), nb = norm(ub);
        double s = 0;
        for (int i = 0; i < ua.length; i++) s += ua[i] / na * ub[i] / nb;
        Explanation a = side(model, textA, ea, ub, nb, na, s);
        Explanation b = side(model, textB, eb, ua, na, nb, s);
        return new Pair(a, b, s);
    }

    /** Relevance over one side's tokens: seed d s / d u = e_other / ||u|| with ||u|| held constant. */
    private static Explanation side(BertModel model, String text, Encoding enc, double[] other, double otherNorm,
                                    double ownNorm, double s) {
        Batch batch = Batch.single(enc.ids());
        Tape tape = Tape.recording(RuleSet.LRP_AH_LN).batch(1);
        Var x = Var.leaf(model.embed(batch));
        Var u = model.pool(tape, model.encode(tape, x, batch), batch);
        Tensor seed = Tensor.zeros(u.value.shape());
        for (int i = 0; i < seed.data.length; i++) seed.data[i] = (float) (other[i] / otherNorm / ownNorm);
        tape.backward(u, seed);
        double[] r = Relevance.reduceTokens(x, batch, false)[0];
        double sum = 0;
        for (double v : r) sum += v;
        double bias = tape.biasRelevance("", 0);
        return new Explanation(text, model.name(), "lrp-ah-ln", 0, "similarity", new double[] {s}, enc.tokens(), enc.ids(),
                enc.offsets(), enc.special(), r, new Explanation.Conservation(sum, s, bias));
    }

    private static double[] pooled(BertModel model, Encoding enc) {
        Batch batch = Batch.single(enc.ids());
        Tape tape = Tape.inference().withoutAttention();
        Tensor u = model.pool(tape, model.encode(tape, Var.constant(model.embed(batch)), batch), batch).value;
        double[] d = new double[u.size()];
        for (int i = 0; i < d.length; i++) d[i] = u.data[i];
        return d;
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double x : v) s += x * x;
        if (s == 0) throw new LrpException("zero sentence embedding: similarity undefined");
        return Math.sqrt(s);
    }
}
