package io.lrp.io;

import io.lrp.LrpException;

import java.nio.file.Path;
import java.util.Arrays;

/** Checks of weight shapes against what config.json implies. */
public final class Shapes {
    private Shapes() {}

    /**
     * Throws an LrpException "FILE: tensor NAME has shape [a, b], config.json implies [c, d]"
     * unless {@code actual} equals {@code expected}; a null {@code actual} means the tensor is missing.
     */
    public static void requireShape(String name, int[] actual, int[] expected, Path file) {
        if (actual == null) {
            throw new LrpException(file + ": tensor " + name + " not found, config.json implies shape "
                    + Arrays.toString(expected));
        }
        if (!Arrays.equals(actual, expected)) {
            throw new LrpException(file + ": tensor " + name + " has shape " + Arrays.toString(actual)
                    + ", config.json implies " + Arrays.toString(expected));
        }
    }
}
