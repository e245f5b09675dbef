package io.lrp.bench;

import io.lrp.tensor.BlasGemm;
import io.lrp.tensor.DnnlGemm;
import io.lrp.tensor.Gemm;
import io.lrp.tensor.JavaGemm;
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
 * The linear layers' product y[m, n] = x[m, k] W[n, k]^T at BERT shapes, as Ops.linear calls it
 * (B transposed and marked constant). Shapes are m x n x k = tokens x out features x in features:
 * MiniLM at 128 tokens (q/k/v/o, FFN in, FFN out) and BERT-base at 512 tokens (q/k/v/o, FFN in).
 * GFLOP/s = 2*m*n*k / time.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector") // the vector kernels (io.lrp.tensor.Simd)
public class GemmBench {

    @Param({"128x384x384", "128x1536x384", "128x384x1536", "512x768x768", "512x3072x768"})
    public String shape;

    @Param({"onednn", "blas", "java"})
    public String backend;

    private Gemm gemm;
    private int m, n, k;
    private float[] a, b, c;

    @Setup(Level.Trial)
    public void setup() {
        io.lrp.tensor.Simd.warmUp(); // the vector kernels compiled, as in a warm process
        String[] p = shape.split("x");
        m = Integer.parseInt(p[0]);
        n = Integer.parseInt(p[1]);
        k = Integer.parseInt(p[2]);
        gemm = switch (backend) {
            case "onednn" -> new DnnlGemm();
            case "blas" -> new BlasGemm();
            default -> new JavaGemm();
        };
        gemm.setThreads(Integer.getInteger("lrp.blas.threads", 1));
        Random r = new Random(1);
        a = new float[m * k];
        b = new float[n * k];
        c = new float[m * n];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
        for (int i = 0; i < b.length; i++) b[i] = (float) (0.02 * r.nextGaussian());
    }

    @Benchmark
    public void linear(Blackhole bh) {
        gemm.sgemm(false, true, m, n, k, 1f, a, 0, k, b, 0, k, true, 0f, c, 0, n);
        bh.consume(c);
    }
}
