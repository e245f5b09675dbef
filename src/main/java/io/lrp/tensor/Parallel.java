package io.lrp.tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The threads one explanation may use for its own kernels: the row-wise Java loops (softmax,
 * GELU, LayerNorm), the per-head attention products and oneDNN's products split by rows. One
 * knob (-Dlrp.blas.threads, `lrp bench --threads`), 1 by default; an explainer whose threads
 * outnumber its batches gives the spare ones to its batches' kernels ({@link #withThreads}).
 * Work started inside a parallel part runs on that part's thread, so nothing nests.
 */
public final class Parallel {
    private Parallel() {}

    /** A piece of work over the index range [from, to). */
    @FunctionalInterface
    public interface Range {
        void run(int from, int to);
    }

    private static volatile int threads = Math.max(1, Integer.getInteger("lrp.blas.threads", 1));
    private static final ThreadLocal<Boolean> INSIDE = ThreadLocal.withInitial(() -> false);
    /** Shared daemon threads; idle ones live on for a minute, keeping their matrix buffers and packed weights. */
    private static final ExecutorService HELPERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "lrp-parallel");
        t.setDaemon(true);
        return t;
    });

    /** Sets the threads of this knob and of the matrix backend. */
    public static void setThreads(int n) {
        threads = Math.max(1, n);
        Gemm.get().setThreads(threads);
    }

    /** The threads for work started on this thread: its own budget when it has one, else the knob. */
    public static int threads() {
        Integer own = BUDGET.get();
        return own != null ? own : threads;
    }

    /** Runs work with n threads for the kernels it starts on this thread (the explainer's workers). */
    public static void withThreads(int n, Runnable work) {
        Integer before = BUDGET.get();
        BUDGET.set(Math.max(1, n));
        try {
            work.run();
        } finally {
            if (before == null) BUDGET.remove();
            else BUDGET.set(before);
        }
    }

    private static final ThreadLocal<Integer> BUDGET = new ThreadLocal<>();

    /**
     * Runs body over [0, n) in up to {@link #threads()} contiguous parts of at least minPart
     * indices each: on the caller alone when one part is all there is, or inside another part.
     */
    public static void range(int n, int minPart, Range body) { range(n, minPart, threads(), body); }

    /** The same with at most maxParts parts. */
    public static void range(int n, int minPart, int maxParts, Range body) {
        int parts = INSIDE.get() ? 1 : Math.min(maxParts, n / Math.max(1, minPart));
        if (parts < 2) {
            body.run(0, n);
            return;
        }
        List<Future<?>> helpers = new ArrayList<>(parts - 1);
        for (int p = 1; p < parts; p++) {
            int from = (int) ((long) n * p / parts), to = (int) ((long) n * (p + 1) / parts);
            helpers.add(HELPERS.submit(() -> inside(body, from, to)));
        }
        finish(() -> inside(body, 0, (int) ((long) n / parts)), helpers, null);
    }

    /**
     * Runs body over [0, n) cut into exactly `parts` contiguous parts (part p is
     * [n p / parts, n (p + 1) / parts)), on up to `workers` threads, each taking the next part in
     * order; on the caller alone inside another part. The parts depend on n and parts only, never
     * on the threads or the load, so a computation whose result depends on where it is cut
     * (a native product's rows: its kernels differ by row count) gives the same bits on any number
     * of threads.
     */
    public static void fixedParts(int n, int parts, int workers, Range body) {
        int w = INSIDE.get() ? 1 : Math.min(workers, parts);
        if (w < 2) {
            for (int p = 0; p < parts; p++) body.run((int) ((long) n * p / parts), (int) ((long) n * (p + 1) / parts));
            return;
        }
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        Runnable worker = () -> {
            for (int p; (p = next.getAndIncrement()) < parts; ) {
                try {
                    inside(body, (int) ((long) n * p / parts), (int) ((long) n * (p + 1) / parts));
                } catch (RuntimeException | Error e) {
                    next.set(parts);
                    throw e;
                }
            }
        };
        List<Future<?>> helpers = new ArrayList<>(w - 1);
        for (int i = 1; i < w; i++) helpers.add(HELPERS.submit(worker));
        finish(worker, helpers, () -> next.set(parts));
    }

    /**
     * Runs task(i) for every i in [0, n) on up to `workers` threads (the caller one of them), each
     * taking the next index in order, so that work sorted longest first balances; each worker's
     * kernels get `kernelThreads` threads ({@link #withThreads}). The first failure stops the
     * others from starting new indices and is rethrown once every worker has stopped.
     */
    public static void eachInOrder(int n, int workers, int kernelThreads, java.util.function.IntConsumer task) {
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        Runnable worker = () -> withThreads(kernelThreads, () -> {
            for (int i; (i = next.getAndIncrement()) < n; ) {
                try {
                    task.accept(i);
                } catch (RuntimeException | Error e) {
                    next.set(n);
                    throw e;
                }
            }
        });
        int helpers = Math.min(workers, n) - 1;
        List<Future<?>> started = new ArrayList<>(Math.max(0, helpers));
        for (int w = 0; w < helpers; w++) started.add(HELPERS.submit(worker));
        finish(worker, started, () -> next.set(n));
    }

    /** Runs mine on the caller, waits for every helper, then rethrows the first failure. */
    private static void finish(Runnable mine, List<Future<?>> helpers, Runnable onInterrupt) {
        Throwable failure = null;
        try {
            mine.run();
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        for (Future<?> f : helpers) {
            try {
                f.get();
            } catch (InterruptedException e) {
                if (onInterrupt != null) onInterrupt.run();
                Thread.currentThread().interrupt();
                if (failure == null) failure = new IllegalStateException("interrupted", e);
            } catch (ExecutionException e) {
                if (failure == null) failure = e.getCause();
            }
        }
        if (failure instanceof RuntimeException re) throw re;
        if (failure instanceof Error err) throw err;
        if (failure != null) throw new IllegalStateException(failure);
    }

    private static void inside(Range body, int from, int to) {
        INSIDE.set(true);
        try {
            body.run(from, to);
        } finally {
            INSIDE.set(false);
        }
    }
}
