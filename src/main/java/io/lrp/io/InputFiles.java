package io.lrp.io;

import io.lrp.LrpException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Input files as the user names them: a regular file (a named pipe or a device would block or
 * never end), and read with a size limit so that a forged file cannot exhaust the heap.
 */
public final class InputFiles {
    private InputFiles() {}

    /** Limit for JSON configuration files (config.json, tokenizer_config.json). */
    public static final long CONFIG_LIMIT = 4L << 20;
    /** Limit for tokenizer.json: the largest real ones (250k-token vocabularies) are about 35 MB. */
    public static final long TOKENIZER_LIMIT = 256L << 20;

    /**
     * An LrpException unless file is an existing regular file (after symbolic links; a link loop is
     * reported as a loop). {@code what} names the file's role in messages, e.g. "tokenizer".
     */
    public static BasicFileAttributes requireRegular(Path file, String what) {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            if (Files.isSymbolicLink(file)) throw new LrpException(file + ": " + what + " is a symbolic link to a missing file");
            throw new LrpException(file + ": " + what + " not found");
        } catch (FileSystemLoopException e) {
            throw new LrpException(file + ": " + what + " is a loop of symbolic links");
        } catch (IOException e) {
            if (isLoop(e)) throw new LrpException(file + ": " + what + " is a loop of symbolic links");
            throw new LrpException(file + ": cannot read " + what + ": " + e.getMessage(), e);
        }
        if (a.isDirectory()) throw new LrpException(file + ": " + what + " is a directory, expected a file");
        if (!a.isRegularFile()) {
            throw new LrpException(file + ": " + what + " is not a regular file (a named pipe, device or socket): refused, it may never end");
        }
        return a;
    }

    /** ELOOP comes back as a FileSystemException whose reason names it. */
    static boolean isLoop(IOException e) {
        String m = e.getMessage();
        return m != null && m.contains("Too many levels of symbolic links");
    }

    /** The whole file, refused when it is not regular or larger than limit bytes. */
    public static byte[] readBounded(Path file, long limit, String what) {
        BasicFileAttributes a = requireRegular(file, what);
        if (a.size() > limit) {
            throw new LrpException(file + ": " + what + " is " + a.size() + " bytes, more than the limit of " + limit + " bytes");
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] b = in.readNBytes((int) limit + 1);   // the file may have grown since
            if (b.length > limit) throw new LrpException(file + ": " + what + " is larger than the limit of " + limit + " bytes");
            return b;
        } catch (IOException e) {
            throw new LrpException(file + ": cannot read " + what + ": " + e.getMessage(), e);
        }
    }
}
