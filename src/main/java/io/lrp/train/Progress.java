package io.lrp.train;

import java.io.PrintStream;
import java.util.Locale;

/** A one-line progress bar on the terminal: done/total, throughput, ETA and a status text. */
public final class Progress {
    private final PrintStream out;
    private final String label;
    private final long total;
    private final long start = System.nanoTime();
    private final boolean tty = System.console() != null;
    private long lastPrint;
    private long done;

    public Progress(PrintStream out, String label, long total) {
        this.out = out;
        this.label = label;
        this.total = total;
    }

    /** Advances by n items; prints at most ~4 times a second on a terminal, every 5% otherwise. */
    public void advance(long n, String status) {
        long before = done;
        done += n;
        long now = System.nanoTime();
        boolean step = total > 0 && (before * 20 / total) != (done * 20 / total);
        if (done >= total || (tty ? now - lastPrint > 250_000_000L : step)) {
            lastPrint = now;
            print(status);
        }
    }

    private void print(String status) {
        double secs = (System.nanoTime() - start) / 1e9;
        double rate = done / Math.max(secs, 1e-9);
        double eta = rate > 0 ? (total - done) / rate : 0;
        int width = 24, filled = total > 0 ? (int) (width * done / total) : 0;
        String bar = "=".repeat(filled) + (filled < width ? ">" + " ".repeat(width - filled - 1) : "");
        String line = String.format(Locale.ROOT, "%s [%s] %d/%d %.1f/s elapsed %s ETA %s %s",
                label, bar, done, total, rate, clock(secs), clock(eta), status == null ? "" : status);
        if (tty) out.print("\r" + line + "\u001b[K");
        else out.println(line);
        if (done >= total && tty) out.println();
        out.flush();
    }

    static String clock(double secs) {
        long s = Math.round(secs);
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String.format("%02d:%02d", s / 60, s % 60);
    }
}
