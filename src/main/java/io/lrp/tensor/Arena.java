package io.lrp.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Hands the float arrays of one computation to the next one on the same thread. An explanation
 * allocates every activation, probability and gradient afresh (1.2 GB for BERT-base at 512
 * tokens) and drops them all at the end; the collector then spent 40-80 ms per explanation
 * there, and the JVM zeroed each new array. Inside a scope ({@link #open}) arrays come from
 * this thread's pool and go back to it when the scope closes.
 *
 * <p>The contract: nothing taken inside a scope may be used after it closes. Relevance opens
 * the scopes around its computations, whose results are copies (logits rows, relevance arrays);
 * the path methods open one per chunk of steps. Scopes nest: an inner scope's arrays return to
 * the pool when it closes (the outer computation may take them again); when the outermost one
 * closes, the pool keeps only arrays used since it opened, at most -Dlrp.arena.MB (default
 * 2048, at most a quarter of the heap), so it follows the work at hand. Outside a scope arrays are simply new.
 */
public final class Arena implements AutoCloseable {
    private static final ThreadLocal<Pool> POOL = ThreadLocal.withInitial(Pool::new);
    /** Below this many floats a new array from the thread's allocation buffer is as cheap. */
    private static final int MIN_FLOATS = 4096;
    /** Default: 2 GB, at most a quarter of the heap (the rest is the work of the next computation). */
    private static final long CAP_BYTES = Long.getLong("lrp.arena.MB", Math.min(2048, Runtime.getRuntime().maxMemory() >> 22)) << 20;

    private final Pool pool;
    private final int level;
    private final long liveAtOpen;
    private boolean closed;

    private Arena(Pool pool, int level) {
        this.pool = pool;
        this.level = level;
        this.liveAtOpen = pool.live;
    }

    /**
     * The most bytes of pooled arrays (4096 floats and more) held at once since this scope
     * opened, counting inner scopes: what one more computation like it needs (the path methods
     * size their chunks by it).
     */
    public long peakBytes() { return pool.peak[level - 1] - liveAtOpen; }

    /** Opens a scope on this thread, inside the one already open if any. */
    public static Arena open() {
        Pool p = POOL.get();
        return new Arena(p, p.open());
    }

    /** Returns the scope's arrays to the pool; they may be handed out again. */
    @Override
    public void close() {
        if (closed) return;
        pool.close(level); // throws, and stays open, if an inner scope is still open
        closed = true;
    }

    /** An array of n floats: zeroed if asked, else with whatever an earlier scope left in it. */
    static float[] take(int n, boolean zeroed) {
        if (n < MIN_FLOATS) return new float[n];
        Pool p = POOL.get();
        return p.depth > 0 ? p.take(n, zeroed) : new float[n];
    }

    /**
     * Gives an array back before its scope closes, when the caller knows nothing reads it any
     * more (a forward pass that records nothing drops each activation once the next layer has
     * read it): the next array of that size is this one, still in cache. Arrays not taken in the
     * innermost open scope are left alone.
     */
    public static void release(float[] a) {
        if (a.length < MIN_FLOATS) return;
        Pool p = POOL.get();
        if (p.depth > 0) p.release(a);
    }

    private static final class Pool {
        int depth;
        final HashMap<Integer, ArrayDeque<float[]>> free = new HashMap<>();
        /** The arrays each open scope has taken, innermost last. */
        final ArrayList<ArrayList<float[]>> used = new ArrayList<>();
        /** Arrays taken since the outermost scope opened. */
        final Set<float[]> touched = Collections.newSetFromMap(new IdentityHashMap<>());

        /** Bytes of arrays taken in open scopes and not yet given back; the most of it per scope depth. */
        long live;
        long[] peak = new long[8];

        int open() {
            if (used.size() == depth) used.add(new ArrayList<>());
            if (peak.length == depth) peak = Arrays.copyOf(peak, 2 * depth);
            peak[depth] = live;
            return ++depth;
        }

        private void count(long bytes) {
            live += bytes;
            for (int d = 0; d < depth; d++) if (live > peak[d]) peak[d] = live;
        }

        float[] take(int n, boolean zeroed) {
            ArrayDeque<float[]> q = free.get(n);
            float[] a = q == null ? null : q.poll();
            if (a == null) a = new float[n];
            else if (zeroed) Arrays.fill(a, 0f);
            used.get(depth - 1).add(a);
            touched.add(a);
            count(4L * n);
            return a;
        }

        void release(float[] a) {
            ArrayList<float[]> mine = used.get(depth - 1);
            for (int i = mine.size() - 1; i >= 0; i--) {
                if (mine.get(i) == a) {
                    mine.remove(i);
                    live -= 4L * a.length;
                    free.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
                    return;
                }
            }
        }

        void close(int level) {
            if (level != depth) throw new IllegalStateException("arena scopes closed out of order");
            ArrayList<float[]> mine = used.get(depth - 1);
            for (float[] a : mine) {
                free.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a); // last in, first out: still in cache
                live -= 4L * a.length;
            }
            mine.clear();
            depth--;
            if (depth > 0) return;
            // the outermost scope is over: keep what it used (up to the cap), drop the rest
            long bytes = 0;
            for (ArrayDeque<float[]> q : free.values()) {
                for (java.util.Iterator<float[]> it = q.iterator(); it.hasNext(); ) {
                    float[] a = it.next();
                    if (!touched.contains(a) || (bytes += 4L * a.length) > CAP_BYTES) it.remove();
                }
            }
            free.values().removeIf(ArrayDeque::isEmpty);
            touched.clear();
        }
    }
}
