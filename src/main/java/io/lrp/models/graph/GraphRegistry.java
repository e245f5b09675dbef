package io.lrp.models.graph;

import io.lrp.LrpException;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Handles for graphs inside a {@link io.lrp.models.Batch}: the explanation methods rebuild
 * batches from token ids and token types (IG's copies, occlusion's variants), so a graph's
 * sequence carries its node positions as ids and its handle as every token type. Entries are
 * weak, so a long-lived process does not keep every graph it saw; the last {@value #RECENT}
 * graphs registered are held strongly as well, so a batch built from graphs its caller did not
 * keep still works while it is in use.
 */
final class GraphRegistry {
    private GraphRegistry() {}

    private static final class Entry extends WeakReference<Graph> {
        final int handle;
        Entry(Graph g, int handle, ReferenceQueue<Graph> q) {
            super(g, q);
            this.handle = handle;
        }
    }

    private static final ConcurrentHashMap<Integer, Entry> BY_HANDLE = new ConcurrentHashMap<>();
    private static final java.util.Map<Graph, Integer> BY_GRAPH =
            java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());
    private static final ReferenceQueue<Graph> CLEARED = new ReferenceQueue<>();
    private static final AtomicInteger NEXT = new AtomicInteger(1);

    static final int RECENT = 4096;
    private static final Graph[] RECENTLY = new Graph[RECENT];

    /** The graph's handle (>= 1), the same on every call for the same graph object. */
    static int handle(Graph g) {
        purge();
        synchronized (BY_GRAPH) {
            Integer h = BY_GRAPH.get(g);
            if (h != null) return h;
            int n = NEXT.getAndIncrement();
            BY_HANDLE.put(n, new Entry(g, n, CLEARED));
            BY_GRAPH.put(g, n);
            RECENTLY[n % RECENT] = g;
            return n;
        }
    }

    static Graph get(int handle) {
        Entry e = BY_HANDLE.get(handle);
        Graph g = e == null ? null : e.get();
        if (g == null) throw new LrpException("no graph for handle " + handle + ": a graph batch outlived its graphs");
        return g;
    }

    private static void purge() {
        java.lang.ref.Reference<? extends Graph> r;
        while ((r = CLEARED.poll()) != null) BY_HANDLE.remove(((Entry) r).handle);
    }
}
