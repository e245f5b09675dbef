package io.lrp.bench;

import io.lrp.tensor.DnnlGemm;
import io.lrp.tensor.Gemm;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * A short input's linear-layer product, C[m, n] = A[m, k] B[k, n] with B a constant (a weight in
 * the layout the product reads, as both passes of an explanation use them), cycling through
 * {@code copies} different weights of the same shape: with 1 the weight stays in cache, with
 * many the working set exceeds the last-level cache and every product streams its weight from
 * memory, as a MiniLM pass does (42.5 MB of weights per pass). At 16 rows the product is bound by
 * that stream: bytes per call = 4*k*n, GB/s = bytes / time. Time per call (one weight).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class WeightStreamBench {

    /** m x k x n: MiniLM's feed-forward products at 16 tokens (forward and backward read these shapes). */
    @Param({"16x384x1536", "16x1536x384", "16x384x384"})
    public String shape;

    /** Different weights cycled through: 1 (in cache), 8 (~19 MB of the feed-forward shapes), 40 (~94 MB). */
    @Param({"1", "8", "40"})
    public int copies;

    private Gemm gemm;
    private int m, n, k, next;
    private float[] a, c;
    private float[][] weights;

    @Setup(Level.Trial)
    public void setup() {
        String[] p = shape.split("x");
        m = Integer.parseInt(p[0]);
        k = Integer.parseInt(p[1]);
        n = Integer.parseInt(p[2]);
        gemm = new DnnlGemm();
        Random r = new Random(1);
        a = new float[m * k];
        c = new float[m * n];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
        weights = new float[copies][k * n];
        for (float[] w : weights) {
            for (int i = 0; i < w.length; i++) w[i] = (float) (0.02 * r.nextGaussian());
            gemm.sgemm(false, false, m, n, k, 1f, a, 0, k, w, 0, n, true, 0f, c, 0, n); // packed once, as a model's weights are
        }
    }

    @Benchmark
    public void product(Blackhole bh) {
        float[] w = weights[next];
        next = next + 1 == copies ? 0 : next + 1;
        gemm.sgemm(false, false, m, n, k, 1f, a, 0, k, w, 0, n, true, 0f, c, 0, n);
        bh.consume(c);
    }
}
