package io.lrp.models.graph;

import io.lrp.LrpException;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * One input graph: n nodes with categorical features (each column a small vocabulary) and
 * optional continuous ones, undirected edges with categorical features, and what the encoder
 * derives from them: node degrees and all-pairs shortest-path distances (breadth-first search;
 * -1 where no path exists). Immutable once built.
 *
 * @param name    what the graph is (a SMILES string, a file and line)
 * @param labels  one label per node for views, e.g. "N7" (element and index)
 * @param nodeCat [n][node columns] category indices
 * @param nodeCont [n][continuous columns] values (columns may be 0)
 * @param edges   [m][2] node pairs, each undirected edge once
 * @param edgeCat [m][edge columns] category indices
 */
public record Graph(String name, String[] labels, int[][] nodeCat, float[][] nodeCont, int[][] edges, int[][] edgeCat,
                    int[] degree, int[][] distance, int[][] edgeAt) {

    public static Graph of(String name, String[] labels, int[][] nodeCat, float[][] nodeCont, int[][] edges, int[][] edgeCat) {
        int n = nodeCat.length;
        if (n == 0) throw new LrpException(name + ": empty graph (no nodes)");
        if (labels.length != n || nodeCont.length != n) throw new IllegalArgumentException(name + ": labels and features differ in length");
        if (edges.length != edgeCat.length) throw new IllegalArgumentException(name + ": edges and edge features differ in length");
        int[] degree = new int[n];
        int[][] edgeAt = new int[n][n];
        for (int[] row : edgeAt) Arrays.fill(row, -1);
        for (int e = 0; e < edges.length; e++) {
            int u = edges[e][0], v = edges[e][1];
            if (u < 0 || v < 0 || u >= n || v >= n || u == v) throw new IllegalArgumentException(name + ": bad edge " + u + "-" + v);
            if (edgeAt[u][v] >= 0) throw new IllegalArgumentException(name + ": duplicate edge " + u + "-" + v);
            edgeAt[u][v] = e;
            edgeAt[v][u] = e;
            degree[u]++;
            degree[v]++;
        }
        int[][] distance = new int[n][];
        for (int s = 0; s < n; s++) distance[s] = bfs(s, edgeAt);
        return new Graph(name, labels, nodeCat, nodeCont, edges, edgeCat, degree, distance, edgeAt);
    }

    private static int[] bfs(int s, int[][] edgeAt) {
        int n = edgeAt.length;
        int[] d = new int[n];
        Arrays.fill(d, -1);
        d[s] = 0;
        ArrayDeque<Integer> q = new ArrayDeque<>();
        q.add(s);
        while (!q.isEmpty()) {
            int u = q.poll();
            for (int v = 0; v < n; v++) {
                if (edgeAt[u][v] >= 0 && d[v] < 0) {
                    d[v] = d[u] + 1;
                    q.add(v);
                }
            }
        }
        return d;
    }

    public int nodes() { return nodeCat.length; }
}
