package io.lrp.models.llama;

import io.lrp.tensor.Bf16Matrix;
import io.lrp.tensor.F32Matrix;
import io.lrp.tensor.Parallel;
import io.lrp.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * LLaMA-layout models with seeded random weights, for benchmarks (the cost does not depend on
 * the values): each weight uniform with the variance of N(0, 1/fan_in) (embeddings 1), RMSNorm
 * weights 1, no biases, tied head. Each tensor has its own generator seeded from the model seed
 * and its name. No download, no file.
 */
public final class RandomLlama {
    private RandomLlama() {}

    /**
     * Llama-3.2-1B's shape: hidden 2048, 16 layers, 32 query heads and 8 key/value heads of 64,
     * intermediate 8192, vocabulary 128256, tied embeddings, rope_theta 500000 (its llama3
     * frequency scaling changes values, not cost, and is left out as in the PyTorch reference).
     */
    public static LlamaModel.Config llama1b() {
        return new LlamaModel.Config("llama", 128256, 2048, 16, 32, 8, 64, 8192, 1e-5, 131072,
                false, false, false, true, null, new int[] {128001});
    }

    /** A model of the given shape with seeded random float32 weights. */
    public static LlamaModel create(String name, LlamaModel.Config c, long seed) { return create(name, c, seed, false); }

    /**
     * A model of the given shape with seeded random weights, the matrices drawn directly in
     * BF16 (the float32 draws rounded, no float32 copy held) when bf16.
     */
    public static LlamaModel create(String name, LlamaModel.Config c, long seed, boolean bf16) {
        int h = c.hidden(), f = c.inner(), qw = c.heads() * c.headDim(), kw = c.kvHeads() * c.headDim();
        long numel = (long) c.vocab() * h + (long) c.layers() * ((long) qw * h + 2L * kw * h + (long) h * qw + 3L * f * h);
        String form = bf16 ? "bf16" : LlamaModel.blocksF32(4 * numel) ? "blocked" : "f32"; // blocked: drawn straight into F32Matrix
        Object embed = matrix(form, seed, "model.embed_tokens.weight", 1.0, c.vocab(), h);
        List<Object[]> layers = new ArrayList<>();
        for (int l = 0; l < c.layers(); l++) {
            String p = "model.layers." + l + ".";
            layers.add(new Object[] {
                    ones(h),
                    matrix(form, seed, p + "self_attn.q_proj", 1.0 / h, qw, h),
                    matrix(form, seed, p + "self_attn.k_proj", 1.0 / h, kw, h),
                    matrix(form, seed, p + "self_attn.v_proj", 1.0 / h, kw, h),
                    matrix(form, seed, p + "self_attn.o_proj", 1.0 / qw, h, qw),
                    ones(h),
                    matrix(form, seed, p + "mlp.gate_proj", 1.0 / h, f, h),
                    matrix(form, seed, p + "mlp.up_proj", 1.0 / h, f, h),
                    matrix(form, seed, p + "mlp.down_proj", 1.0 / f, h, f)});
        }
        Rope rope = Rope.of(500000.0, c.headDim());
        return LlamaModel.of(name, c, rope, embed, layers, ones(h), null);
    }

    private static Object matrix(String form, long seed, String name, double variance, int rows, int cols) {
        return switch (form) {
            case "bf16" -> uniformBf16(seed, name, variance, rows, cols);
            case "blocked" -> {
                F32Matrix m = F32Matrix.allocate(rows, cols);
                draw(seed, name, variance, rows, cols, m::put);
                yield m;
            }
            default -> uniform(seed, name, variance, rows, cols);
        };
    }

    /** {@link #uniform}'s values rounded to BF16, drawn row by row into the BF16 array. */
    static Bf16Matrix uniformBf16(long seed, String name, double variance, int rows, int cols) {
        short[] w = new short[Math.multiplyExact(rows, cols)];
        draw(seed, name, variance, rows, cols, (i, v) -> w[(int) i] = Bf16Matrix.fromFloat(v));
        return new Bf16Matrix(w, rows, cols);
    }

    private static Tensor ones(int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, 1f);
        return new Tensor(a, n);
    }

    /** Uniform on [-a, a] with a^2 / 3 = variance; blocks drawn in parallel, each from its own seeded stream. */
    static Tensor uniform(long seed, String name, double variance, int rows, int cols) {
        float[] w = new float[Math.multiplyExact(rows, cols)];
        draw(seed, name, variance, rows, cols, (i, v) -> w[(int) i] = v);
        return new Tensor(w, rows, cols);
    }

    private interface Sink { void put(long index, float value); }

    /** The values of a rows x cols weight, row r from its own stream (seed, name, r): the same whatever the threads. */
    private static void draw(long seed, String name, double variance, int rows, int cols, Sink sink) {
        double a = Math.sqrt(3 * variance);
        long base = seed * 0x9E3779B97F4A7C15L ^ name.hashCode();
        Parallel.range(rows, 64, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                SplittableRandom rnd = new SplittableRandom(base + r);
                int o = r * cols;
                for (int j = 0; j < cols; j++) sink.put(o + j, (float) (a * (2 * rnd.nextDouble() - 1)));
            }
        });
    }
}
