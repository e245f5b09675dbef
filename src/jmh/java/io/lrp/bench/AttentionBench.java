package io.lrp.bench;

import io.lrp.autograd.Attention;
import io.lrp.autograd.Ops;
import io.lrp.autograd.Tape;
import io.lrp.autograd.Var;
import io.lrp.tensor.Tensor;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Self-attention of one sequence, forward, without recording: scores (q k^T per head, scaled),
 * softmax, and p v, for T tokens, hidden H in 12 heads (MiniLM: T = 128, H = 384). 4*T*T*H FLOPs
 * in the products.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector") // the vector kernels (io.lrp.tensor.Simd)
public class AttentionBench {

    @Param({"128"})
    public int tokens;

    @Param({"384"})
    public int hidden;

    @Param({"12"})
    public int heads;

    private Var q, k, v, scores;
    private float scale;

    @Setup(Level.Trial)
    public void setup() {
        io.lrp.tensor.Simd.warmUp(); // the vector kernels compiled, as in a warm process
        Random r = new Random(2);
        q = Var.constant(random(r, tokens, hidden));
        k = Var.constant(random(r, tokens, hidden));
        v = Var.constant(random(r, tokens, hidden));
        scale = (float) (1.0 / Math.sqrt(hidden / heads));
        scores = Attention.scores(Tape.inference(), q, k, 1, tokens, heads, scale, null);
    }

    static Tensor random(Random r, int rows, int cols) {
        Tensor t = Tensor.zeros(rows, cols);
        for (int i = 0; i < t.data.length; i++) t.data[i] = (float) r.nextGaussian();
        return t;
    }

    @Benchmark
    public Var attention() {
        Tape tape = Tape.inference();
        Var s = Attention.scores(tape, q, k, 1, tokens, heads, scale, null);
        Var p = Attention.softmax(tape, s);
        return Attention.attend(tape, p, v, 1, tokens, heads);
    }

    /** The same, fused per head in direct memory (what the models run). */
    @Benchmark
    public Var fused() {
        return Attention.attention(Tape.inference(), q, k, v, 1, tokens, heads, scale, null).context();
    }

    /** The softmax alone, over heads x T rows of T scores (12 x 128 x 128 for MiniLM). */
    @Benchmark
    public Var softmax() {
        return Attention.softmax(Tape.inference(), scores);
    }
}
