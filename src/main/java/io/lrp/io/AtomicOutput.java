package io.lrp.io;

import io.lrp.LrpException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A file written under a temporary name in the target's directory and renamed onto the target
 * only when complete ({@link #commit}), so a failed or killed run never leaves a truncated file
 * under the final name. Every write error is an {@link LrpException} naming the target. A target
 * that exists and is not a regular file (/dev/stdout, a pipe) is written in place.
 */
public final class AtomicOutput implements AutoCloseable {
    private final Path target, tmp;       // tmp null: written in place (a device such as /dev/stdout)
    private final java.nio.channels.WritableByteChannel channel;
    private final PrintWriter writer;
    private boolean done;

    private AtomicOutput(Path target, Path tmp, java.nio.channels.WritableByteChannel channel) {
        this.target = target;
        this.tmp = tmp;
        this.channel = channel;
        this.writer = new PrintWriter(new OutputStreamWriter(new CheckedOutputStream(
                new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(channel), 1 << 16), target.toString()),
                StandardCharsets.UTF_8));
    }

    /** Checks that target can be written (its directory exists, it is not a directory) and opens the temporary file. */
    public static AtomicOutput open(Path target) {
        checkTarget(target);
        Path dir = target.toAbsolutePath().getParent();
        try {
            if (Files.exists(target) && !Files.isRegularFile(target)) {   // a device or pipe: no rename possible
                return new AtomicOutput(target, null, FileChannel.open(target, StandardOpenOption.WRITE));
            }
            Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
            try {   // the permissions a plain create would give (a temporary file is private)
                Files.setPosixFilePermissions(tmp, Files.exists(target) ? Files.getPosixFilePermissions(target)
                        : java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the default permissions stay
            }
            FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            return new AtomicOutput(target, tmp, ch);
        } catch (IOException e) {
            throw CheckedOutputStream.failure(target.toString(), e);
        }
    }

    /** An LrpException unless a file can be created or replaced at target. */
    public static void checkTarget(Path target) {
        if (Files.isDirectory(target)) throw new LrpException("cannot write " + target + ": it is a directory");
        Path dir = target.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new LrpException("cannot write " + target + ": directory " + dir + " does not exist");
        }
        if (Files.exists(target) && !Files.isRegularFile(target)) return;   // a device: written in place
        if (!Files.isWritable(dir)) throw new LrpException("cannot write " + target + ": directory " + dir + " is not writable");
    }

    /** The writer (UTF-8); its write errors throw. */
    public PrintWriter writer() { return writer; }

    /** Flushes, syncs and renames the temporary file onto the target. */
    public void commit() {
        writer.flush();
        try {
            if (tmp == null) {
                channel.close();
                done = true;
                return;
            }
            ((FileChannel) channel).force(true);
            channel.close();
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
        } catch (IOException e) {
            throw CheckedOutputStream.failure(target.toString(), e);
        }
    }

    /** Writes all of text to target atomically. */
    public static void writeString(Path target, CharSequence text) {
        try (AtomicOutput o = open(target)) {
            o.writer().append(text);
            o.commit();
        }
    }

    /** Without a commit, removes the temporary file: the target keeps its previous content. */
    @Override public void close() {
        if (done) return;
        try {
            channel.close();
        } catch (IOException ignored) {
            // the temporary file is deleted below; the original error is the one reported
        }
        try {
            if (tmp != null) Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
            // a stray temporary file is harmless; the original error is the one reported
        }
    }
}
