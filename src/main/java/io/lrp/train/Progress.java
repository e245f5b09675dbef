package io.lrp.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar on the terminal: done/total, throughput, ETA and a status text.
 *
 * <p>{@link #ticking} adds a clock: while one item takes long (an IG explanation of a long
 * text), the line is printed again at least once a second with what is being computed and
 * how many inner steps of the slow methods ({@link io.lrp.explain.Steps}) it has done. A ticking
 * bar stays silent during the first second, so quick jobs print nothing.
 */
public final class Progress implements AutoCloseable {
    private final PrintStream out;
    private final String label;
    private final long total;
    private final long start = System.nanoTime();
    private final boolean tty = System.console() != null;
    private long lastPrint;
    private long done;
    private volatile String current = "";
    private long stepsAtStatus = io.lrp.explain.Steps.count();
    private Thread ticker;
    private boolean quietFirstSecond;

    public Progress(PrintStream out, String label, long total) {
        this.out = out;
        this.label = label;
        this.total = total;
    }

    /** Starts the once-a-second clock (a daemon thread, stopped by {@link #close}); nothing is printed in the first second. */
    public Progress ticking() { return ticking(true); }

    /** As above; quietStart false: {@link #advance} prints from the start, as without the clock. */
    public Progress ticking(boolean quietStart) {
        quietFirstSecond = quietStart;
        ticker = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(250);
                    tick(System.nanoTime());
                }
            } catch (InterruptedException e) {
                // closed
            }
        }, "lrp-progress");
        ticker.setDaemon(true);
        ticker.start();
        return this;
    }

    /** What is being computed now (shown by the clock until the next call). */
    public synchronized void status(String what) {
        current = what == null ? "" : what;
        stepsAtStatus = io.lrp.explain.Steps.count();
    }

    /** Prints the line if the job has run a second and nothing was printed for a second. */
    public synchronized void tick(long now) {
        if (now - start < 1_000_000_000L || now - lastPrint < 1_000_000_000L) return;
        lastPrint = now;
        long steps = io.lrp.explain.Steps.count() - stepsAtStatus;
        print(current + (steps > 0 ? " (" + steps + " steps)" : ""));
    }

    /** Advances by n items; prints at most ~4 times a second on a terminal, every 5% otherwise. */
    public synchronized void advance(long n, String status) {
        long before = done;
        done += n;
        long now = System.nanoTime();
        boolean step = total > 0 && (before * 20 / total) != (done * 20 / total);
        if (quietFirstSecond && now - start < 1_000_000_000L) return;
        if (done >= total || (tty ? now - lastPrint > 250_000_000L : step)) {
            lastPrint = now;
            print(status);
        }
    }

    @Override public void close() {
        if (ticker != null) {
            ticker.interrupt();
            try {
                ticker.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void print(String status) {
        double secs = (System.nanoTime() - start) / 1e9;
        double rate = done / Math.max(secs, 1e-9);
        double eta = rate > 0 ? (total - done) / rate : 0;
        int width = 24, filled = total > 0 ? (int) (width * Math.min(done, total) / total) : 0;
        String bar = "=".repeat(filled) + (filled < width ? ">" + " ".repeat(width - filled - 1) : "");
        String line = String.format(Locale.ROOT, "%s [%s] %d/%d %.1f/s elapsed %s ETA %s %s",
                label, bar, done, total, rate, clock(secs), done == 0 ? "?" : clock(eta), status == null ? "" : status);
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
