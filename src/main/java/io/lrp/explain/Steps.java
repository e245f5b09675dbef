package io.lrp.explain;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A counter of the inner steps of the slow methods (an IG path step, an occluded token, a
 * flow problem), for progress displays that must move while one explanation runs for seconds.
 * Global and monotone: a display reads it twice and shows the difference.
 */
public final class Steps {
    private static final AtomicLong DONE = new AtomicLong();

    private Steps() {}

    /** n more steps are finished (any thread). */
    public static void done(long n) { DONE.addAndGet(n); }

    /** Steps finished since the JVM started. */
    public static long count() { return DONE.get(); }
}
