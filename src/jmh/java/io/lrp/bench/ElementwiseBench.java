package io.lrp.bench;

import io.lrp.autograd.Ops;
import io.lrp.autograd.Role;
import io.lrp.autograd.Tape;
import io.lrp.autograd.Var;
import io.lrp.tensor.Tensor;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** The row-wise kernels at MiniLM's 128-token sizes: LayerNorm on [128, 384], GELU on [128, 1536]. Forward, not recording. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector") // the vector kernels (io.lrp.tensor.Simd)
public class ElementwiseBench {

    private Var normIn, normWeight, normBias, geluIn;

    @Setup(Level.Trial)
    public void setup() {
        io.lrp.tensor.Simd.warmUp(); // the vector kernels compiled, as in a warm process
        Random r = new Random(3);
        normIn = Var.constant(AttentionBench.random(r, 128, 384));
        Tensor w = Tensor.zeros(384);
        Arrays.fill(w.data, 1f);
        normWeight = Var.constant(w);
        normBias = Var.constant(Tensor.zeros(384));
        geluIn = Var.constant(AttentionBench.random(r, 128, 1536));
    }

    @Benchmark
    public Var layerNorm() {
        return Ops.layerNorm(Tape.inference(), normIn, normWeight, normBias, 1e-12, Ops.NormKind.BIASED_VARIANCE, "ln");
    }

    @Benchmark
    public Var gelu() {
        return Ops.gelu(Tape.inference(), geluIn, Role.ACTIVATION);
    }
}
