package io.lrp.tensor;

/**
 * Whether the vector kernels ({@link SimdKernels}) run. They need the Vector API, an incubator
 * module in JDK 17: the launcher, the tests and the benchmarks start Java with
 * {@code --add-modules jdk.incubator.vector}. A program that embeds the library without that
 * flag, or sets -Dlrp.simd=false, gets the scalar kernels: the same results to within a few
 * float32 roundings (SimdKernelsTest), at the speeds BENCHMARKS.md gives for both.
 */
public final class Simd {
    private Simd() {}

    public static final boolean ENABLED = enabled();

    private static boolean enabled() {
        if ("false".equals(System.getProperty("lrp.simd"))) return false;
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) return false;
        try {
            return SimdKernels.lanes() >= 4; // narrower vectors gain nothing over the scalar loops
        } catch (LinkageError e) {
            return false;
        }
    }

    /**
     * Compiles the vector kernels now and switches to them (they start on their scalar twins;
     * see SimdKernels): for benchmarks of a warm process, and for long jobs that know they are.
     */
    public static void warmUp() {
        if (ENABLED) SimdKernels.awaitWarm();
    }

    /** Which element-wise kernels this process runs: "vector (8 float lanes)" or "scalar" (provenance). */
    public static String kind() { return ENABLED ? "vector (" + SimdKernels.lanes() + " float lanes)" : "scalar"; }

    /** For reports: "vector (16 float lanes)", the same "as scalar twins, not warmed up", or "scalar". */
    public static String describe() {
        if (!ENABLED) return "scalar";
        String v = "vector (" + SimdKernels.lanes() + " float lanes)";
        return SimdKernels.warm() ? v : v + " as scalar twins, not warmed up";
    }
}
