package io.lrp.io;

import io.lrp.LrpException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * An output stream whose write errors surface: PrintWriter and PrintStream swallow an
 * IOException (a full disk, a closed pipe, /dev/full) and a command would report success, so
 * each failure becomes an {@link LrpException} naming the destination, which PrintWriter does not catch.
 */
public final class CheckedOutputStream extends FilterOutputStream {
    private final String name;

    public CheckedOutputStream(OutputStream out, String name) {
        super(out);
        this.name = name;
    }

    /** The exception for a failed write to {@code name}. */
    public static LrpException failure(String name, IOException e) {
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new LrpException("cannot write " + name + ": " + why, e);
    }

    @Override public void write(int b) {
        try {
            out.write(b);
        } catch (IOException e) {
            throw failure(name, e);
        }
    }

    @Override public void write(byte[] b, int off, int len) {
        try {
            out.write(b, off, len);
        } catch (IOException e) {
            throw failure(name, e);
        }
    }

    @Override public void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw failure(name, e);
        }
    }

    @Override public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw failure(name, e);
        }
    }
}
