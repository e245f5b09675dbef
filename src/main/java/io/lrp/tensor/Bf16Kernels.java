package io.lrp.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector widening of bfloat16 to float32 ({@link Bf16Matrix}): 8 shorts sign-extended to 8
 * ints, shifted left by 16, read as floats; the same bits as the scalar loop. Fixed 256-bit
 * species (8 float lanes), so that the code is the same on AVX2 and AVX-512 machines; only
 * called when {@link Simd#ENABLED} and the CPU has 8 float lanes.
 */
final class Bf16Kernels {
    private Bf16Kernels() {}

    private static final VectorSpecies<Short> S = ShortVector.SPECIES_128;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;

    static boolean usable() { return FloatVector.SPECIES_PREFERRED.length() >= 8; }

    static void widen(short[] src, int s, float[] dst, int d, int n, float gamma) {
        int i = 0, up = F.loopBound(n);
        if (gamma > 0f) {
            for (; i < up; i += 8) {
                FloatVector w = ((IntVector) ShortVector.fromArray(S, src, s + i).convertShape(VectorOperators.S2I, I, 0))
                        .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
                w.add(w.max(0f).mul(gamma)).intoArray(dst, d + i);
            }
        } else {
            for (; i < up; i += 8) {
                ((IntVector) ShortVector.fromArray(S, src, s + i).convertShape(VectorOperators.S2I, I, 0))
                        .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, d + i);
            }
        }
        Bf16Matrix.widenScalar(src, s + i, dst, d + i, n - i, gamma);
    }
}
