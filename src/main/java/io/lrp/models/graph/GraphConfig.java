package io.lrp.models.graph;

import java.util.List;

/**
 * Sizes of a graph Transformer and the layout of its look-up tables.
 *
 * @param nodeCardinalities categories of each categorical node-feature column
 * @param continuous        continuous node-feature columns (projected linearly)
 * @param maxDegree         degrees above it share the last degree embedding
 * @param edgeCardinalities categories of each categorical edge-feature column
 * @param maxDistance       shortest-path distances above it share the last distance bias
 * @param maxNodes          the largest graph accepted (nodes, the virtual node not counted)
 * @param featurizer        how inputs become graphs: "molecule" ({@link MoleculeGraphs}) or "none"
 */
public record GraphConfig(int[] nodeCardinalities, int continuous, int maxDegree, int[] edgeCardinalities, int maxDistance,
                          int hidden, int heads, int blocks, int ffn, double lnEps, int maxNodes, String featurizer,
                          List<String> labels) {
    public GraphConfig {
        if (hidden < 1 || heads < 1 || blocks < 1 || ffn < 1) throw new IllegalArgumentException("sizes must be >= 1");
        if (hidden % heads != 0) throw new IllegalArgumentException("hidden " + hidden + " not divisible by heads " + heads);
        if (maxDegree < 0 || maxDistance < 1 || maxNodes < 1 || continuous < 0) throw new IllegalArgumentException("bad graph limits");
        for (int c : nodeCardinalities) if (c < 1) throw new IllegalArgumentException("node cardinality < 1");
        for (int c : edgeCardinalities) if (c < 1) throw new IllegalArgumentException("edge cardinality < 1");
        nodeCardinalities = nodeCardinalities.clone();
        edgeCardinalities = edgeCardinalities.clone();
        labels = List.copyOf(labels);
    }

    /** Rows of the node table: the graph token, each categorical column's categories, degrees 0..maxDegree. */
    public int nodeTableRows() {
        int r = 1;
        for (int c : nodeCardinalities) r += c;
        return r + maxDegree + 1;
    }

    /** Kinds of the pair-bias table: distances 0..maxDistance, unreachable, virtual pair, then each edge column's categories. */
    public int pairKinds() {
        int k = maxDistance + 3;
        for (int c : edgeCardinalities) k += c;
        return k;
    }
}
