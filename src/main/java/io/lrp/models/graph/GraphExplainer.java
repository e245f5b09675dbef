package io.lrp.models.graph;

import io.lrp.LrpException;
import io.lrp.explain.Explanation;
import io.lrp.explain.Method;
import io.lrp.explain.Provenance;
import io.lrp.explain.Relevance;
import io.lrp.models.Batch;
import io.lrp.models.Model;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Explanations of graph inputs in the text contract: tokens are node labels ("[GRAPH]" for the
 * virtual node, then e.g. "C0", "N7"), ids their positions, one relevance per node, and the
 * conservation triple {sum, logit, bias} as for text.
 */
public final class GraphExplainer {
    private GraphExplainer() {}

    public static final String GRAPH_TOKEN = "[GRAPH]";

    /** The graph model behind a loaded model, or a clear error. */
    public static GraphModel require(Model m) {
        if (m instanceof GraphModel g) return g;
        throw new LrpException("model " + m.name() + " is a " + m.family() + " model, not a graph model: --smiles, --mnist-index and --digit need a model trained with --arch graph");
    }

    /** The input graph of a SMILES string for this model's featurizer. */
    public static Graph input(GraphModel m, String smiles) {
        if (!"molecule".equals(m.config().featurizer())) {
            throw new LrpException("model " + m.name() + " does not read molecules (its featurizer is '" + m.config().featurizer() + "')");
        }
        Graph g = MoleculeGraphs.graph(smiles);
        if (g.nodes() > m.config().maxNodes()) {
            throw new LrpException("SMILES '" + smiles + "': " + g.nodes() + " heavy atoms, more than the model's " + m.config().maxNodes());
        }
        return g;
    }

    /** One explanation of the target logit (-1: the predicted class) by one method. */
    public static Explanation explain(GraphModel m, Graph g, Method method, int target, Relevance.Options options) {
        Batch batch = GraphModel.batch(List.of(g));
        Relevance.Result r = Relevance.compute(m, batch, method, new int[] {target}, options);
        int n = g.nodes() + 1, t = r.targets()[0];
        String[] tokens = new String[n];
        int[] ids = new int[n];
        int[][] offsets = new int[n][2];
        boolean[] special = new boolean[n];
        tokens[0] = GRAPH_TOKEN;
        special[0] = true;
        for (int i = 1; i < n; i++) {
            tokens[i] = g.labels()[i - 1];
            ids[i] = i;
        }
        double[] z = new double[r.logits()[0].length];
        for (int c = 0; c < z.length; c++) z[c] = r.logits()[0][c];
        double sum = 0;
        for (double v : r.relevance()[0]) sum += v;
        String label = t < m.labels().size() ? m.labels().get(t) : Integer.toString(t);
        return new Explanation(g.name(), m.name(), method.id(), t, label, z, tokens, ids, offsets, special, r.relevance()[0],
                new Explanation.Conservation(sum, z[t], r.bias()[0]), Provenance.of(m, method, options));
    }

    /** A terminal view: prediction, conservation and the k most relevant atoms of each explanation. */
    public static String text(List<Explanation> row, int k) {
        StringBuilder b = new StringBuilder();
        Explanation first = row.get(0);
        b.append(first.text()).append('\n');
        b.append(String.format(Locale.ROOT, "  predicted %s (logit %.4f)%n", first.label(), first.logits()[first.target()]));
        for (Explanation e : row) {
            b.append(String.format(Locale.ROOT, "  %-14s", e.method()));
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < e.relevance().length; i++) order.add(i);
            order.sort((x, y) -> Double.compare(Math.abs(e.relevance()[y]), Math.abs(e.relevance()[x])));
            for (int i = 0; i < Math.min(k, order.size()); i++) {
                int at = order.get(i);
                b.append(String.format(Locale.ROOT, " %s %+.3f", e.tokens()[at], e.relevance()[at]));
            }
            Explanation.Conservation c = e.conservation();
            if (c.bias() != null) b.append(String.format(Locale.ROOT, "   [sum %.4f + bias %.4f = %.4f, logit %.4f]", c.sum(), c.bias(), c.sum() + c.bias(), c.logit()));
            b.append('\n');
        }
        return b.toString();
    }
}
