package io.lrp.eval;

import static io.lrp.eval.Golden.doubles;
import static io.lrp.eval.Golden.ints;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lrp.explain.Method;
import io.lrp.explain.Relevance;
import io.lrp.models.Batch;
import io.lrp.models.bert.BertModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Parity with golden/minilm_perturbation.json: the golden MiniLM + random head model, 8 labelled
 * sentences, methods lrp-ah-ln (our relevance for logit[label]) and random (the stored R).
 *
 * <p>Our forward pass is float32, the golden one float64. Measured maxima (printed by the test,
 * vector kernels): |dE| 2.1e-7, |dM| / max(1, M) 1.2e-6, |dlogit| 8.1e-7, |dR| (lrp-ah-ln)
 * 2.3e-7, areas and mean curves 2.7e-7. Tolerances, all absolute unless said otherwise: E 1e-6;
 * logits and z0 1e-6; M 1e-6 * max(1, M) plus what the logit tolerance allows a squared
 * distance of logits ({@link #mTolerance}); AUAC, AUPC, AU-MSE and the mean curves 1e-6. The
 * orders (for lrp-ah-ln from our own relevance) and n_flip must match exactly; no near-tie flips
 * an order.
 */
class PerturbationParityTest {
    static final double E_TOL = 1e-6, M_TOL = 1e-6, LOGIT_TOL = 1e-6, AREA_TOL = 1e-6;

    @Test
    void goldenCurvesAndAreas() {
        JsonNode g = Golden.json("minilm_perturbation.json");
        BertModel model = Golden.miniLmHead();
        assertEquals(g.get("unk_id").asInt(), model.unkId());
        double[] fracs = doubles(g.get("fracs"));
        assertArrayEquals(fracs, Perturbation.fracs(), 0);

        Map<String, List<Curves.Sample>> samples = new LinkedHashMap<>();
        Map<String, double[]> worst = new LinkedHashMap<>(); // E, M, logits, relevance
        for (String m : List.of("lrp-ah-ln", "random")) {
            samples.put(m, new ArrayList<>());
            worst.put(m, new double[4]);
        }
        int ci = 0;
        for (JsonNode c : g.get("cases")) {
            String name = "case " + ci++ + " '" + c.get("text").asText() + "'";
            int[] ids = ints(c.get("input_ids"));
            int label = c.get("label").asInt(), n = c.get("N").asInt();
            assertEquals(n, ids.length);
            assertArrayEquals(ints(c.get("n_flip")), Perturbation.nFlip(n), name + " n_flip");
            for (String m : samples.keySet()) {
                JsonNode gm = c.get("methods").get(m);
                double[] golden = doubles(gm.get("R"));
                double[] r;
                double[] w = worst.get(m);
                if (m.equals("random")) {
                    r = golden;
                } else {
                    r = Relevance.compute(model, Batch.single(ids), Method.LRP_AH_LN, new int[] {label}, Relevance.Options.DEFAULT).relevance()[0];
                    for (int t = 0; t < n; t++) w[3] = Math.max(w[3], Math.abs(r[t] - golden[t]));
                }
                Perturbation.Result p = Perturbation.run(model, ids, label, r);
                assertArrayEquals(ints(gm.get("order_generate")), p.orderGenerate(), name + " " + m + " order_generate");
                assertArrayEquals(ints(gm.get("order_pruning")), p.orderPruning(), name + " " + m + " order_pruning");
                assertArrayEquals(Perturbation.nFlip(n), p.nFlip());
                double[] z0 = doubles(c.get("z0"));
                for (int k = 0; k < z0.length; k++) w[2] = Math.max(w[2], check(name + " z0", z0[k], p.z0()[k], LOGIT_TOL));
                for (String curve : List.of("generate", "pruning")) {
                    JsonNode gc = gm.get(curve);
                    Perturbation.Curve ours = curve.equals("generate") ? p.generate() : p.pruning();
                    String what = name + " " + m + " " + curve;
                    for (int k = 0; k < Perturbation.STEPS; k++) {
                        double ge = gc.get("E").get(k).asDouble(), gmv = gc.get("M").get(k).asDouble();
                        w[0] = Math.max(w[0], check(what + " E[" + k + "]", ge, ours.e()[k], E_TOL));
                        w[1] = Math.max(w[1], check(what + " M[" + k + "]", gmv, ours.m()[k], mTolerance(gmv, gl0(gc, k).length))
                                / Math.max(1, Math.abs(gmv)));
                        double[] gl = doubles(gc.get("logits").get(k));
                        for (int j = 0; j < gl.length; j++) {
                            w[2] = Math.max(w[2], check(what + " logits[" + k + "][" + j + "]", gl[j], ours.logits()[k][j], LOGIT_TOL));
                        }
                    }
                }
                samples.get(m).add(Curves.Sample.of(p));
            }
        }
        for (String m : samples.keySet()) {
            JsonNode gs = g.get("summary").get(m);
            Curves.Summary s = Curves.summarize(samples.get(m));
            assertEquals(8, s.n());
            double area = 0;
            area = Math.max(area, check(m + " AUAC", gs.get("AUAC").asDouble(), s.auac(), AREA_TOL));
            area = Math.max(area, check(m + " AUPC", gs.get("AUPC").asDouble(), s.aupc(), AREA_TOL));
            area = Math.max(area, check(m + " AU_MSE", gs.get("AU_MSE").asDouble(), s.auMse(), AREA_TOL));
            String[] keys = {"mean_generate_E", "mean_pruning_E", "mean_pruning_M", "mean_generate_M"};
            double[][] ours = {s.meanGenerateE(), s.meanPruningE(), s.meanPruningM(), s.meanGenerateM()};
            for (int i = 0; i < keys.length; i++) {
                double[] gv = doubles(gs.get(keys[i]));
                for (int k = 0; k < gv.length; k++) area = Math.max(area, check(m + " " + keys[i] + "[" + k + "]", gv[k], ours[i][k], AREA_TOL));
            }
            double[] w = worst.get(m);
            System.out.printf("perturbation parity %s: max |dE| %.3g, max |dM|/max(1,M) %.3g, max |dlogit| %.3g, max |dR| %.3g, "
                    + "max |d area or mean curve| %.3g (AUAC %.9f AUPC %.9f AU-MSE %.9f)%n",
                    m, w[0], w[1], w[2], w[3], area, s.auac(), s.aupc(), s.auMse());
        }
    }

    /**
     * M = |z0 - z|^2 over K logits: logit errors within LOGIT_TOL move it by up to
     * 2 |z0 - z| * 2 sqrt(K) LOGIT_TOL (both z0 and z err), plus the relative M_TOL.
     */
    static double mTolerance(double m, int classes) {
        return M_TOL * Math.max(1, Math.abs(m)) + 4 * Math.sqrt(classes * Math.abs(m)) * LOGIT_TOL;
    }

    private static double[] gl0(JsonNode curve, int k) { return doubles(curve.get("logits").get(k)); }

    private static double check(String what, double expected, double actual, double tol) {
        double err = Math.abs(actual - expected);
        assertTrue(err <= tol, () -> String.format("%s: expected %.12g, got %.12g (error %.3g > %.3g)", what, expected, actual, err, tol));
        return err;
    }
}
