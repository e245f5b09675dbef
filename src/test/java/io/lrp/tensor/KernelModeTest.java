package io.lrp.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The build runs the tests twice over (pom.xml): all of them with the vector kernels, the golden
 * parity tests again with the scalar ones. This checks that each run got the kernels it names.
 */
class KernelModeTest {
    @Test
    void kernelsAreTheOnesThisRunIsFor() {
        boolean scalarRun = "scalar".equals(System.getProperty("lrp.test.kernels"));
        assertEquals(!scalarRun, Simd.ENABLED, "kernels in use: " + Simd.describe());
    }
}
