package io.lrp.autograd;

import io.lrp.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Records the nodes of one forward pass and runs their backward once, in reverse order. A node
 * whose output received no gradient is skipped, so everything upstream of a detached value
 * (for example q and k under the AH-rule) costs nothing in the backward pass.
 *
 * <p>The tape also keeps what explanations read off a forward pass: the attention
 * probabilities of every layer (with their gradients, when these were computed), named marks,
 * and the relevance absorbed by each bias, sum_b b * df/db under the active rules.
 */
public final class Tape {

    /** A recorded operation: its output and how to send the output's gradient to its inputs. */
    interface Node {
        Var output();
        void backward(float[] gOut);
    }

    private final RuleSet rules;
    private final boolean recording;
    private boolean training;
    private Random random = new Random(0);
    private final List<Node> nodes = new ArrayList<>();
    private final List<Var> attention = new ArrayList<>();
    private final Map<String, Var> marks = new LinkedHashMap<>();
    private final java.util.Set<Var> retained = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    private boolean keepAttentionGrads;
    private boolean trackBias = true;
    private final Map<String, double[]> biasRelevance = new LinkedHashMap<>();
    private int batch = 1;

    private Tape(RuleSet rules, boolean recording) {
        this.rules = rules;
        this.recording = recording;
    }

    /** A tape that records for a backward pass under the given rules. */
    public static Tape recording(RuleSet rules) { return new Tape(rules, true); }

    /** A tape for forward passes only: nothing is recorded but the attention probabilities. */
    public static Tape inference() { return new Tape(RuleSet.GRADIENT, false); }

    public RuleSet rules() { return rules; }
    public boolean isRecording() { return recording; }

    public boolean training() { return training; }
    /** Training mode turns dropout on, drawing from the given generator. */
    public Tape training(Random random) {
        this.training = true;
        this.random = random;
        return this;
    }
    Random random() { return random; }

    /** Whether an op with these inputs must record a node. */
    boolean needsGrad(Var... inputs) {
        if (!recording) return false;
        for (Var v : inputs) if (v != null && v.requiresGrad()) return true;
        return false;
    }

    void record(Node node) { nodes.add(node); }

    /**
     * Values the caller will not read again: their arrays go back to the arena at once (see
     * Arena#release), so a forward pass reuses a few arrays that stay in cache instead of
     * touching fresh memory for every activation. On a recording tape only values whose numbers
     * no recorded node reads in the backward pass ({@link #readsValue}; a node may still use a
     * value's shape): in an explanation with constant weights under the AH- and LN-rules that is
     * every activation but the attention probabilities. Attention probabilities and marked
     * values are never dropped (the tape hands them out). Call it after every op that reads the
     * value has been applied.
     */
    public void discard(Var... values) {
        for (Var v : values) {
            if (v == null || attention.contains(v) || retained.contains(v)) continue;
            if (recording && valueRead.contains(v)) continue;
            io.lrp.tensor.Arena.release(v.value.data);
        }
    }

    /** Values whose numbers a recorded node reads in the backward pass (not only their shape). */
    private final java.util.Set<Var> valueRead = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    /** Declared by an op when the node it records reads these values in the backward pass. */
    void readsValue(Var... values) {
        for (Var v : values) if (v != null) valueRead.add(v);
    }

    void observeAttention(Var probs) {
        if (!keepAttention) return;
        attention.add(probs);
        if (keepAttentionGrads) retained.add(probs);
    }

    /**
     * Keep the gradients of the attention probabilities after the backward pass (GAE reads
     * them); by default the gradient of every intermediate value is freed as soon as it has
     * been propagated, which bounds the memory of a backward pass.
     */
    public Tape keepAttentionGradients() {
        keepAttentionGrads = true;
        return this;
    }

    /** Whether the gradients of the attention probabilities are kept (GAE). */
    boolean keepsAttentionGradients() { return keepAttentionGrads; }

    /** Attention probabilities [B, heads, T, T] of each layer, first layer first. */
    public List<Var> attention() { return Collections.unmodifiableList(attention); }

    /** Names a value for later reading; its gradient is kept after the backward pass. */
    public void mark(String name, Var v) {
        marks.put(name, v);
        retained.add(v);
    }
    public Var marked(String name) { return marks.get(name); }

    /** The number of independent samples in the batch (rows are split evenly among them). */
    public Tape batch(int b) {
        if (b < 1) throw new IllegalArgumentException("batch must be >= 1");
        this.batch = b;
        return this;
    }

    public int batch() { return batch; }

    /**
     * A tape that records nothing and keeps no attention maps: only the output is wanted
     * (logits for occlusion, perturbation curves, training's evaluation, benchmarks), so the
     * attention probabilities are not stored at all.
     */
    public Tape withoutAttention() {
        if (recording) throw new IllegalStateException("a recording tape keeps the attention probabilities (its backward pass reads them)");
        keepAttention = false;
        return this;
    }

    private boolean keepAttention = true;

    /** Whether attention probabilities are kept (always when recording). */
    public boolean keepsAttention() { return keepAttention; }

    /**
     * Whether a method reads this pass's attention maps: rollout and A-Last on an inference
     * tape that keeps them, GAE on a recording tape that keeps their gradients. Otherwise a
     * model may compute only the rows of its last layer that the head reads.
     */
    public boolean wantsAttentionMaps() { return keepAttention && (!recording || keepAttentionGrads); }

    /** Skip the bias-relevance bookkeeping (for methods that do not report it). */
    public Tape withoutBiasRelevance() {
        trackBias = false;
        return this;
    }

    /** Adds sum_c b_c * g[r, c] over the rows of each sample to the relevance of op's bias ("op.bias"). */
    void addBiasRelevance(String op, float[] g, float[] b, int rows, int cols) {
        if (!trackBias) return;
        double[] acc = biasRelevance.computeIfAbsent(op + ".bias", k -> new double[batch]);
        int per = rows / batch;
        float[] columns = new float[batch * cols];
        // each sample's column sums (threads take blocks of columns), then one dot with b per sample
        io.lrp.tensor.Parallel.range(cols, Math.max(64, (1 << 15) / Math.max(1, per)), (c0, c1) -> {
            for (int s = 0; s < batch; s++) io.lrp.tensor.Rows.columnSums(g, s * per, per, cols, columns, s * cols, c0, c1);
        });
        for (int s = 0; s < batch; s++) acc[s] += io.lrp.tensor.Rows.dot(columns, s * cols, b, 0, cols);
    }

    /** sum_b b * df/db per named bias and sample, filled by the backward pass. */
    public Map<String, double[]> biasRelevance() { return Collections.unmodifiableMap(biasRelevance); }

    /** Bias relevance of one sample over the biases whose name starts with the prefix ("" for all). */
    public double biasRelevance(String prefix, int sample) {
        double s = 0;
        for (var e : biasRelevance.entrySet()) if (e.getKey().startsWith(prefix)) s += e.getValue()[sample];
        return s;
    }

    /** Runs the backward pass from {@code out}, seeded with {@code seed} (same shape as out). */
    public void backward(Var out, Tensor seed) {
        if (!recording) throw new IllegalStateException("backward on an inference tape");
        if (seed.size() != out.value.size()) {
            throw new IllegalArgumentException("seed " + seed.shapeString() + " does not match output " + out.value.shapeString());
        }
        float[] g = out.gradBuffer();
        for (int i = 0; i < g.length; i++) g[i] += seed.data[i];
        Recycled recycled = new Recycled();
        RECYCLED.set(recycled);
        try {
            for (int i = nodes.size() - 1; i >= 0; i--) {
                Node n = nodes.get(i);
                Var value = n.output();
                Tensor go = value.grad;
                if (go == null) continue;
                free = value != out && !retained.contains(value);
                handedOver = false;
                n.backward(go.data);
                if (free) {
                    value.grad = null;
                    if (!handedOver) recycled.put(go.data); // nobody else holds it: nodes use their output gradient only during backward
                }
            }
        } finally {
            RECYCLED.remove();
            free = false;
        }
    }

    /** Whether the running node's output gradient is dropped after its backward (not kept, not the seed). */
    private boolean free;
    private boolean handedOver;

    /**
     * Whether the running node may give its output gradient g to an input as that input's
     * gradient ({@link #handOver}): g is dropped afterwards and the input has none yet. A node
     * that may do so can also overwrite g in place first (an element-wise backward), saving a
     * zeroed buffer and a pass over it.
     */
    boolean canHandOver(Var to) { return free && !handedOver && to.grad == null; }

    /** Makes g, the running node's output gradient, the gradient of to (see {@link #canHandOver}). */
    void handOver(Var to, float[] g) {
        if (!canHandOver(to)) throw new IllegalStateException("gradient cannot be handed over");
        to.grad = new Tensor(g, to.value.shape());
        handedOver = true;
    }

    /** Adds g to v's gradient; a copy of g (no zeroed buffer first) when v has none yet. */
    static void accumulate(Var v, float[] g) {
        if (v.grad == null) {
            v.grad = gradient(v.value, false);
            System.arraycopy(g, 0, v.grad.data, 0, g.length);
            return;
        }
        float[] acc = v.grad.data;
        io.lrp.tensor.Parallel.range(g.length, 1 << 15, (from, to) -> {
            for (int i = from; i < to; i++) acc[i] += g[i];
        });
    }

    /**
     * Gradient buffers of intermediate values, freed once propagated, handed to the values
     * reached later in the same backward pass (the layer sizes repeat, so most buffers are
     * reused): fewer allocations, fewer young collections copying the live tape.
     */
    private static final class Recycled {
        private final Map<Integer, java.util.ArrayDeque<float[]>> bySize = new java.util.HashMap<>();

        void put(float[] a) { bySize.computeIfAbsent(a.length, k -> new java.util.ArrayDeque<>()).push(a); }

        float[] take(int size) {
            java.util.ArrayDeque<float[]> q = bySize.get(size);
            return q == null ? null : q.poll();
        }
    }

    private static final ThreadLocal<Recycled> RECYCLED = new ThreadLocal<>();

    /** A zero gradient for a value: a recycled buffer during a backward pass on this thread, else a new one. */
    static Tensor zeroedGradient(Tensor value) { return gradient(value, true); }

    /** A gradient buffer shaped like value, zeroed if asked: a recycled one, else from the arena. */
    private static Tensor gradient(Tensor value, boolean zeroed) {
        Recycled r = RECYCLED.get();
        int[] shape = value.shape();
        float[] a = r == null ? null : r.take(value.size());
        if (a == null) return zeroed ? Tensor.zeros(shape) : Tensor.uninitialized(shape);
        if (zeroed) java.util.Arrays.fill(a, 0f);
        return new Tensor(a, shape);
    }
}
