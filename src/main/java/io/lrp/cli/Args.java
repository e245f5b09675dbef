package io.lrp.cli;

import io.lrp.LrpException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks of arguments that the commands run before loading a model, so that a wrong path is
 * reported in a second, not after the model load or the whole computation.
 */
final class Args {
    private Args() {}

    /** An output file that can be created or replaced: its directory exists and is writable, it is not a directory. */
    static void writableFile(Path out) {
        if (out == null) return;
        if (Files.isDirectory(out)) throw new LrpException("cannot write " + out + ": it is a directory");
        if (Files.exists(out) && !Files.isWritable(out)) throw new LrpException("cannot write " + out + ": permission denied");
        Path dir = out.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) throw new LrpException("cannot write " + out + ": directory " + dir + " does not exist");
        if (!Files.isWritable(dir)) throw new LrpException("cannot write " + out + ": directory " + dir + " is not writable");
    }

    /** An output directory that exists and is writable, or can be created (its nearest existing ancestor is a writable directory). */
    static void writableDirectory(Path dir) {
        if (dir == null) return;
        Path p = dir.toAbsolutePath();
        if (Files.exists(p)) {
            if (!Files.isDirectory(p)) throw new LrpException("cannot write to " + dir + ": it is not a directory");
            if (!Files.isWritable(p)) throw new LrpException("cannot write to " + dir + ": permission denied");
            return;
        }
        Path a = p.getParent();
        while (a != null && !Files.exists(a)) a = a.getParent();
        if (a == null || !Files.isDirectory(a) || !Files.isWritable(a)) {
            throw new LrpException("cannot create " + dir + ": " + (a == null ? "no existing parent" : a + " is not a writable directory"));
        }
    }

    /** An input file that exists and can be read ("-" is standard input). */
    static void readableFile(Path file, String what) {
        if (file == null || file.toString().equals("-")) return;
        if (!Files.exists(file)) throw new LrpException(what + " not found: " + file);
        if (Files.isDirectory(file)) throw new LrpException(what + " " + file + " is a directory, not a file");
        if (!Files.isReadable(file)) throw new LrpException("cannot read " + what + " " + file + ": permission denied");
    }
}
