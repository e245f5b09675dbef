package io.lrp.explain;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * Attention flow (Abnar and Zuidema 2020; methods.md section 4): the attention graph has one
 * node per token and layer boundary; layer l joins node j below to node i above with capacity
 * Â_l[i, j], where Â_l = (mean_h A_l + I) / rowsum is the rollout matrix. The relevance of input
 * token j is the maximum flow from its input node to a sink fed by every node of the last layer.
 * Solved with Dinic's algorithm in double precision, one flow problem per input token.
 */
final class AttentionFlow {
    private AttentionFlow() {}

    /** R_j for each input token j, given the rollout matrices of the layers, first layer first. */
    static double[] relevance(double[][][] layers) {
        int n = layers[0].length, depth = layers.length;
        int nodes = (depth + 1) * n + 1, sink = nodes - 1;
        Graph g = new Graph(nodes);
        for (int l = 0; l < depth; l++) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    double c = layers[l][i][j];
                    if (c > 0) g.edge(l * n + j, (l + 1) * n + i, c);
                }
            }
        }
        for (int i = 0; i < n; i++) g.edge(depth * n + i, sink, Double.POSITIVE_INFINITY);
        double[] r = new double[n];
        for (int j = 0; j < n; j++) {
            r[j] = g.maxFlow(j, sink);
            Steps.done(1);
        }
        return r;
    }

    /** A residual graph in adjacency arrays; maxFlow resets the flows first. */
    private static final class Graph {
        int[] head, next, to;
        double[] cap, flow;
        int edges;
        final int[] level, iter;

        Graph(int nodes) {
            head = new int[nodes];
            Arrays.fill(head, -1);
            next = new int[16];
            to = new int[16];
            cap = new double[16];
            flow = new double[16];
            level = new int[nodes];
            iter = new int[nodes];
        }

        void edge(int u, int v, double c) {
            add(u, v, c);
            add(v, u, 0);
        }

        private void add(int u, int v, double c) {
            if (edges == to.length) {
                next = Arrays.copyOf(next, 2 * edges);
                to = Arrays.copyOf(to, 2 * edges);
                cap = Arrays.copyOf(cap, 2 * edges);
                flow = Arrays.copyOf(flow, 2 * edges);
            }
            to[edges] = v;
            cap[edges] = c;
            next[edges] = head[u];
            head[u] = edges++;
        }

        double maxFlow(int s, int t) {
            Arrays.fill(flow, 0, edges, 0);
            double total = 0;
            while (bfs(s, t)) {
                System.arraycopy(head, 0, iter, 0, head.length);
                double f;
                while ((f = dfs(s, t, Double.POSITIVE_INFINITY)) > 1e-15) total += f;
            }
            return total;
        }

        private boolean bfs(int s, int t) {
            Arrays.fill(level, -1);
            ArrayDeque<Integer> q = new ArrayDeque<>();
            level[s] = 0;
            q.add(s);
            while (!q.isEmpty()) {
                int u = q.poll();
                for (int e = head[u]; e >= 0; e = next[e]) {
                    if (level[to[e]] < 0 && cap[e] - flow[e] > 1e-15) {
                        level[to[e]] = level[u] + 1;
                        q.add(to[e]);
                    }
                }
            }
            return level[t] >= 0;
        }

        private double dfs(int u, int t, double pushed) {
            if (u == t) return pushed;
            for (; iter[u] >= 0; iter[u] = next[iter[u]]) {
                int e = iter[u], v = to[e];
                if (level[v] == level[u] + 1 && cap[e] - flow[e] > 1e-15) {
                    double d = dfs(v, t, Math.min(pushed, cap[e] - flow[e]));
                    if (d > 1e-15) {
                        flow[e] += d;
                        flow[e ^ 1] -= d;
                        return d;
                    }
                }
            }
            return 0;
        }
    }
}
