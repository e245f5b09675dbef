package io.lrp.models.graph;

import io.lrp.LrpException;
import io.lrp.autograd.Attention;
import io.lrp.autograd.GraphOps;
import io.lrp.autograd.Ops;
import io.lrp.autograd.Role;
import io.lrp.autograd.Tape;
import io.lrp.autograd.Var;
import io.lrp.models.Batch;
import io.lrp.models.Model;
import io.lrp.nn.LayerNorm;
import io.lrp.nn.Linear;
import io.lrp.nn.Weights;
import io.lrp.tensor.Tensor;
import io.lrp.text.Tokenizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A Graphormer-style graph Transformer classifier (Ying et al. 2021), the graph family.
 *
 * <p>Input: position 0 of each sequence is the virtual graph node [GRAPH], positions 1..n the
 * graph's nodes. The attribution point x [B*T, H] is the node embedding entering the first block:
 * [GRAPH] gets a learned graph token; node i gets sum_f E_f[feature_f(i)] + W_c cont(i) + D[min(deg i, maxDegree)].
 * A masked node (id {@link #MASK}: occlusion, perturbation) gets the zero vector, its edges kept.
 *
 * <p>Blocks (pre-LayerNorm): a = LN1(h); S_h = (q_h k_h^T) / sqrt(d) + mask + B_h; h += W_o softmax(S) v;
 * h += W_2 gelu(W_1 LN2(h)). The attention bias B[h, i, j] = spatial[h, min(spd(i, j), maxDistance)]
 * (an own kind for unreachable pairs and one for pairs with [GRAPH]) + the sum over edge columns of
 * edge_f[h, feature_f(e)] when i and j are joined by edge e. It is computed once and shared by the
 * blocks. Readout: the classifier on LN_f(h) at [GRAPH].
 *
 * <p>Under the rule sets: the bias enters the scores, so the AH-rule holds it constant with the
 * probabilities; the LN-rule holds each LayerNorm's 1/std constant; GELU takes the identity rule.
 */
public final class GraphModel implements Model {

    /** The id of a masked node (its embedding is zero, its edges and distances stay). */
    public static final int MASK = -1;
    /** The id of padding. */
    public static final int PAD = -2;

    record Block(LayerNorm norm1, Linear query, Linear key, Linear value, Linear output, LayerNorm norm2, Linear ff1, Linear ff2) {}

    private final String name, source;
    private final GraphConfig config;
    private final Var nodeTable, continuous, pairTable;
    private final Block[] blocks;
    private final LayerNorm finalNorm;
    private final Linear classifier;
    private final int[] nodeOffsets, edgeOffsets;
    private final int degreeOffset;
    private double dropout = 0.1;

    private GraphModel(String name, String source, GraphConfig config, Var nodeTable, Var continuous, Var pairTable,
                       Block[] blocks, LayerNorm finalNorm, Linear classifier) {
        this.name = name;
        this.source = source;
        this.config = config;
        this.nodeTable = nodeTable;
        this.continuous = continuous;
        this.pairTable = pairTable;
        this.blocks = blocks;
        this.finalNorm = finalNorm;
        this.classifier = classifier;
        int[] cards = config.nodeCardinalities();
        nodeOffsets = new int[cards.length];
        int r = 1;
        for (int f = 0; f < cards.length; f++) {
            nodeOffsets[f] = r;
            r += cards[f];
        }
        degreeOffset = r;
        int[] ecards = config.edgeCardinalities();
        edgeOffsets = new int[ecards.length];
        int k = config.maxDistance() + 3;
        for (int f = 0; f < ecards.length; f++) {
            edgeOffsets[f] = k;
            k += ecards[f];
        }
    }

    /** A seeded random model (for training and tests). */
    public static GraphModel create(String name, GraphConfig c, Random rnd) {
        int h = c.hidden();
        double std = 1.0 / Math.sqrt(h);
        Map<String, Tensor> w = new LinkedHashMap<>();
        w.put("embeddings.node.weight", gaussian(rnd, 1.0, c.nodeTableRows(), h));
        if (c.continuous() > 0) w.put("embeddings.continuous.weight", gaussian(rnd, 1.0 / Math.sqrt(c.continuous()), h, c.continuous()));
        w.put("encoder.attention_bias.weight", Tensor.zeros(c.heads(), c.pairKinds()));
        for (int l = 0; l < c.blocks(); l++) {
            String p = "encoder.layer." + l + ".";
            for (String ln : List.of("norm1", "norm2")) putNorm(w, p + ln, h);
            for (String lin : List.of("attention.query", "attention.key", "attention.value", "attention.output")) {
                putLinear(w, rnd, p + lin, h, h, std);
            }
            putLinear(w, rnd, p + "ffn.dense1", c.ffn(), h, std);
            putLinear(w, rnd, p + "ffn.dense2", h, c.ffn(), 1.0 / Math.sqrt(c.ffn()));
        }
        putNorm(w, "final_norm", h);
        putLinear(w, rnd, "classifier", c.labels().size(), h, std);
        return load(name, "initialised (seeded)", c, new Weights(w, "initialised"));
    }

    private static Tensor gaussian(Random rnd, double std, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.data.length; i++) t.data[i] = (float) (rnd.nextGaussian() * std);
        return t;
    }

    private static void putLinear(Map<String, Tensor> w, Random rnd, String name, int out, int in, double std) {
        w.put(name + ".weight", gaussian(rnd, std, out, in));
        w.put(name + ".bias", Tensor.zeros(out));
    }

    private static void putNorm(Map<String, Tensor> w, String name, int n) {
        Tensor one = Tensor.zeros(n);
        java.util.Arrays.fill(one.data, 1f);
        w.put(name + ".weight", one);
        w.put(name + ".bias", Tensor.zeros(n));
    }

    /** The model from its tensors (names as {@link #weights()} writes them). */
    public static GraphModel load(String name, String source, GraphConfig c, Weights w) {
        int h = c.hidden();
        Var node = Var.constant(w.get("embeddings.node.weight", c.nodeTableRows(), h));
        Var cont = c.continuous() > 0 ? Var.constant(w.get("embeddings.continuous.weight", h, c.continuous())) : null;
        Var pair = Var.constant(w.get("encoder.attention_bias.weight", c.heads(), c.pairKinds()));
        Block[] blocks = new Block[c.blocks()];
        for (int l = 0; l < blocks.length; l++) {
            String p = "encoder.layer." + l + ".";
            blocks[l] = new Block(
                    LayerNorm.load(w, p + "norm1", h, c.lnEps()),
                    Linear.load(w, p + "attention.query", h, h, Role.ENCODER_LINEAR),
                    Linear.load(w, p + "attention.key", h, h, Role.ENCODER_LINEAR),
                    Linear.load(w, p + "attention.value", h, h, Role.ENCODER_LINEAR),
                    Linear.load(w, p + "attention.output", h, h, Role.ENCODER_LINEAR),
                    LayerNorm.load(w, p + "norm2", h, c.lnEps()),
                    Linear.load(w, p + "ffn.dense1", c.ffn(), h, Role.ENCODER_LINEAR),
                    Linear.load(w, p + "ffn.dense2", h, c.ffn(), Role.ENCODER_LINEAR));
        }
        LayerNorm fin = LayerNorm.load(w, "final_norm", h, c.lnEps());
        Linear cls = Linear.load(w, "classifier", c.labels().size(), h, Role.HEAD_LINEAR);
        List<String> unused = w.unused();
        if (!unused.isEmpty()) throw new LrpException(w.source() + ": " + unused.size() + " tensors a graph model does not use (first: '" + unused.get(0) + "')");
        return new GraphModel(name, source, c, node, cont, pair, blocks, fin, cls);
    }

    public GraphConfig config() { return config; }

    /** Dropout probability in training mode (default 0.1). */
    public GraphModel dropout(double p) {
        this.dropout = p;
        return this;
    }

    // ---------------------------------------------------------------- inputs

    /** The sequence of a graph: ids 0 ([GRAPH]) .. n, every token type the graph's handle. */
    public static Batch.Sequence sequence(Graph g) {
        int n = g.nodes() + 1;
        int[] ids = new int[n], types = new int[n];
        int handle = GraphRegistry.handle(g);
        for (int i = 0; i < n; i++) {
            ids[i] = i;
            types[i] = handle;
        }
        return new Batch.Sequence(ids, types);
    }

    /** A padded batch of graphs. */
    public static Batch batch(List<Graph> graphs) {
        List<Batch.Sequence> s = new ArrayList<>();
        for (Graph g : graphs) s.add(sequence(g));
        return Batch.ofSequences(s, PAD);
    }

    /** The graphs of a batch, checked against its ids. */
    Graph[] graphs(Batch batch) {
        int len = batch.length();
        Graph[] out = new Graph[batch.size()];
        for (int b = 0; b < out.length; b++) {
            if (batch.typeIds()[b * len] == 0 && onlyMasked(batch, b)) continue; // no graph: only masked or padding rows (zero)
            Graph g = GraphRegistry.get(batch.typeIds()[b * len]);
            int n = batch.lengths()[b];
            if (n != g.nodes() + 1) throw new LrpException("graph batch: sample " + b + " has " + n + " positions for " + g.nodes() + " nodes");
            if (g.nodes() > config.maxNodes()) {
                throw new LrpException(g.name() + ": " + g.nodes() + " nodes, more than the model's " + config.maxNodes());
            }
            for (int t = 0; t < n; t++) {
                int id = batch.ids()[b * len + t];
                if (id != t && id != MASK) throw new LrpException("graph batch: id " + id + " at position " + t + " (expected " + t + " or the mask)");
            }
            out[b] = g;
        }
        return out;
    }

    private static boolean onlyMasked(Batch batch, int b) {
        for (int t = 0; t < batch.lengths()[b]; t++) {
            int id = batch.ids()[b * batch.length() + t];
            if (id != MASK && id != PAD) return false;
        }
        return true;
    }

    /** The node embeddings [B*T, H] on the tape (the tables are parameters when training). */
    public Var embed(Tape tape, Batch batch) {
        Graph[] gs = graphs(batch);
        int len = batch.length(), cols = config.nodeCardinalities().length, per = cols + 2;
        int[] index = new int[batch.size() * len * per];
        java.util.Arrays.fill(index, -1);
        int fd = config.continuous();
        float[] cont = fd > 0 ? new float[batch.size() * len * fd] : null;
        for (int b = 0; b < gs.length; b++) {
            Graph g = gs[b];
            if (g == null) continue;
            for (int t = 0; t < batch.lengths()[b]; t++) {
                int row = b * len + t;
                if (batch.ids()[row] == MASK) continue;
                if (t == 0) {
                    index[row * per] = 0;
                    continue;
                }
                int node = t - 1;
                int[] cat = g.nodeCat()[node];
                if (cat.length != cols) throw new LrpException(g.name() + ": node " + node + " has " + cat.length + " categorical features, the model " + cols);
                for (int f = 0; f < cols; f++) {
                    if (cat[f] < 0 || cat[f] >= config.nodeCardinalities()[f]) {
                        throw new LrpException(g.name() + ": node " + node + " feature " + f + " = " + cat[f] + " outside 0.." + (config.nodeCardinalities()[f] - 1));
                    }
                    index[row * per + 1 + f] = nodeOffsets[f] + cat[f];
                }
                index[row * per + 1 + cols] = degreeOffset + Math.min(g.degree()[node], config.maxDegree());
                if (fd > 0) {
                    float[] c = g.nodeCont()[node];
                    if (c.length != fd) throw new LrpException(g.name() + ": node " + node + " has " + c.length + " continuous features, the model " + fd);
                    System.arraycopy(c, 0, cont, row * fd, fd);
                }
            }
        }
        Var x = GraphOps.gatherSum(tape, nodeTable, index, per);
        if (fd == 0) return x;
        Var c = Var.constant(new Tensor(cont, batch.size() * len, fd));
        return Ops.add(tape, x, Ops.linear(tape, c, continuous, null, Role.PLAIN, "embeddings.continuous"));
    }

    /** Pair-bias kinds per (sample, i, j): a distance kind, then one kind per edge column (-1 where none). */
    int[] pairIndex(Graph[] gs, Batch batch) {
        int len = batch.length(), cols = config.edgeCardinalities().length, per = 1 + cols;
        int maxD = config.maxDistance(), unreachable = maxD + 1, virtual = maxD + 2;
        int[] index = new int[batch.size() * len * len * per];
        java.util.Arrays.fill(index, -1);
        for (int b = 0; b < gs.length; b++) {
            Graph g = gs[b];
            int n = batch.lengths()[b];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    int o = ((b * len + i) * len + j) * per;
                    if (i == 0 || j == 0) {
                        index[o] = virtual;
                        continue;
                    }
                    int d = g.distance()[i - 1][j - 1];
                    index[o] = d < 0 ? unreachable : Math.min(d, maxD);
                    int e = g.edgeAt()[i - 1][j - 1];
                    if (e < 0) continue;
                    int[] cat = g.edgeCat()[e];
                    if (cat.length != cols) throw new LrpException(g.name() + ": edge " + e + " has " + cat.length + " features, the model " + cols);
                    for (int f = 0; f < cols; f++) {
                        if (cat[f] < 0 || cat[f] >= config.edgeCardinalities()[f]) {
                            throw new LrpException(g.name() + ": edge " + e + " feature " + f + " = " + cat[f] + " outside 0.." + (config.edgeCardinalities()[f] - 1));
                        }
                        index[o + 1 + f] = edgeOffsets[f] + cat[f];
                    }
                }
            }
        }
        return index;
    }

    // ---------------------------------------------------------------- Model

    @Override public Tensor embed(Batch batch) { return embed(Tape.inference(), batch).value; }

    @Override public Var forward(Tape tape, Var x, Batch batch) {
        Graph[] gs = graphs(batch);
        for (Graph g : gs) if (g == null) throw new LrpException("graph batch: a sample without a graph");
        int bsz = batch.size(), len = batch.length(), heads = config.heads();
        float scale = (float) (1.0 / Math.sqrt((double) config.hidden() / heads));
        float[] mask = batch.additiveMask();
        Var bias = GraphOps.pairBias(tape, pairTable, pairIndex(gs, batch), 1 + config.edgeCardinalities().length, bsz, len);
        Var h = x;
        for (Block b : blocks) {
            Var a = b.norm1().apply(tape, h);
            Var q = b.query().apply(tape, a), k = b.key().apply(tape, a), v = b.value().apply(tape, a);
            // the bias is part of the scores: the AH-rule detaches it together with the probabilities
            Var p = Attention.softmax(tape, Ops.add(tape, Attention.scores(tape, q, k, bsz, len, heads, scale, mask), bias));
            Var context = Attention.attend(tape, p, v, bsz, len, heads);
            h = Ops.add(tape, h, Ops.dropout(tape, b.output().apply(tape, context), dropout));
            Var f = Ops.gelu(tape, b.ff1().apply(tape, b.norm2().apply(tape, h)), Role.ACTIVATION);
            h = Ops.add(tape, h, Ops.dropout(tape, b.ff2().apply(tape, f), dropout));
        }
        tape.mark("encoder_output", h);
        Var readout = Ops.firstToken(tape, finalNorm.apply(tape, h), bsz, len);
        return classifier.apply(tape, readout);
    }

    @Override public String name() { return name; }
    @Override public String source() { return source; }
    @Override public List<String> labels() { return config.labels(); }
    @Override public int maxLength() { return config.maxNodes() + 1; }
    @Override public int unkId() { return MASK; }
    @Override public int padId() { return PAD; }
    @Override public Tokenizer tokenizer() { return null; }
    @Override public String family() { return GraphFamily.MODEL_TYPE; }
    @Override public String head() { return "final LayerNorm + linear classifier on the virtual graph node"; }

    @Override public String describe() {
        return String.format(java.util.Locale.ROOT,
                "graph Transformer (Graphormer-style, pre-LN), %d blocks, hidden %d, %d heads, ffn %d, %d node and %d edge feature columns, "
                        + "distances up to %d, virtual-node readout, %d labels",
                config.blocks(), config.hidden(), config.heads(), config.ffn(), config.nodeCardinalities().length + config.continuous(),
                config.edgeCardinalities().length, config.maxDistance(), config.labels().size());
    }

    /**
     * Every parameter, the embedding tables included: a graph's input is not a token id, so the
     * tables before the attribution point are part of what identifies the model (provenance).
     */
    @Override public Map<String, Var> parameters() {
        Map<String, Var> p = new LinkedHashMap<>();
        p.put("embeddings.node.weight", nodeTable);
        if (continuous != null) p.put("embeddings.continuous.weight", continuous);
        p.put("encoder.attention_bias.weight", pairTable);
        for (int l = 0; l < blocks.length; l++) {
            Block b = blocks[l];
            String pre = "encoder.layer." + l + ".";
            putNorm(p, pre + "norm1", b.norm1());
            for (Linear lin : List.of(b.query(), b.key(), b.value(), b.output(), b.ff1(), b.ff2())) {
                p.put(lin.name() + ".weight", lin.weight());
                p.put(lin.name() + ".bias", lin.bias());
            }
            putNorm(p, pre + "norm2", b.norm2());
        }
        putNorm(p, "final_norm", finalNorm);
        p.put("classifier.weight", classifier.weight());
        p.put("classifier.bias", classifier.bias());
        return p;
    }

    private static void putNorm(Map<String, Var> p, String name, LayerNorm n) {
        p.put(name + ".weight", n.weight());
        p.put(name + ".bias", n.bias());
    }

    /** Every trained parameter ({@link #parameters()}: the embedding tables are trained too). */
    public Map<String, Var> trainableParameters() { return parameters(); }

    /** The tensors to save, by name. */
    public Map<String, Tensor> weights() {
        Map<String, Tensor> w = new LinkedHashMap<>();
        for (var e : trainableParameters().entrySet()) w.put(e.getKey(), e.getValue().value);
        return w;
    }
}
