package io.lrp.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;

/**
 * Hands the float arrays of one computation to the next one on the same thread. An explanation
 * allocates every activation, probability and gradient afresh (1.2 GB for BERT-base at 512
 * tokens) and drops them all at the end; the collector then spent 40-80 ms per explanation
 * there, and the JVM zeroed each new array. Inside a scope ({@link #open}) arrays come from
 * this thread's pool and go back to it when the scope closes; the pool keeps only what the last
 * scope used (at most -Dlrp.arena.MB, default 2048), so it follows the work at hand.
 *
 * <p>The contract: nothing taken inside a scope may be used after it closes. Relevance opens
 * the scopes around its computations, whose results are copies (logits rows, relevance arrays).
 * Nested scopes belong to the outermost one. Outside a scope arrays are simply new.
 */
public final class Arena implements AutoCloseable {
    private static final ThreadLocal<Pool> POOL = ThreadLocal.withInitial(Pool::new);
    private static final Arena NESTED = new Arena(null);
    /** Below this many floats a new array from the thread's allocation buffer is as cheap. */
    private static final int MIN_FLOATS = 4096;
    private static final long CAP_BYTES = Long.getLong("lrp.arena.MB", 2048) << 20;

    private final Pool pool;

    private Arena(Pool pool) { this.pool = pool; }

    /** Opens a scope on this thread (or joins the one already open). */
    public static Arena open() {
        Pool p = POOL.get();
        if (p.open) return NESTED;
        p.open = true;
        return new Arena(p);
    }

    /** Returns the scope's arrays to the pool; they may be handed out again. */
    @Override
    public void close() {
        if (pool != null) pool.release();
    }

    /** An array of n floats: zeroed if asked, else with whatever an earlier scope left in it. */
    static float[] take(int n, boolean zeroed) {
        if (n < MIN_FLOATS) return new float[n];
        Pool p = POOL.get();
        return p.open ? p.take(n, zeroed) : new float[n];
    }

    private static final class Pool {
        boolean open;
        final HashMap<Integer, ArrayDeque<float[]>> free = new HashMap<>();
        final ArrayList<float[]> used = new ArrayList<>();

        float[] take(int n, boolean zeroed) {
            ArrayDeque<float[]> q = free.get(n);
            float[] a = q == null ? null : q.poll();
            if (a == null) a = new float[n];
            else if (zeroed) Arrays.fill(a, 0f);
            used.add(a);
            return a;
        }

        void release() {
            open = false;
            free.clear(); // what this scope did not need again is left to the collector
            long bytes = 0;
            for (float[] a : used) {
                bytes += 4L * a.length;
                if (bytes > CAP_BYTES) break;
                free.computeIfAbsent(a.length, k -> new ArrayDeque<>()).add(a);
            }
            used.clear();
        }
    }
}
