package io.lrp.spark;

import io.lrp.LrpException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Output directories of the jobs. */
final class SparkIo {
    private SparkIo() {}

    /** A job writes into a new (or empty) directory: never over the results of another run. */
    static void requireNewDir(Path dir) {
        if (Files.isRegularFile(dir)) throw new LrpException(dir + " is a file: --out needs a directory");
        if (Files.isDirectory(dir)) {
            try (var s = Files.list(dir)) {
                if (s.findAny().isPresent()) throw new LrpException(dir + " is not empty: choose a new --out directory or delete it");
            } catch (IOException e) {
                throw new LrpException("cannot read " + dir + ": " + e.getMessage());
            }
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new LrpException("cannot create output directory " + dir + ": " + e.getMessage());
        }
    }
}
