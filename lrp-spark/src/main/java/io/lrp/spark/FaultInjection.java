package io.lrp.spark;

import org.apache.spark.TaskContext;

/**
 * A test hook that makes the first attempt of one task fail part-way, so that tests can see
 * Spark retry it. Off unless the job's local property {@value #PROPERTY} is set to
 * "PARTITION:ROWS" (fail partition PARTITION's first attempt after ROWS input rows).
 */
final class FaultInjection {
    private FaultInjection() {}

    static final String PROPERTY = "lrp.test.failOnce";

    /** Throws when this is the chosen task's first attempt and it has processed {@code rowsDone} rows. */
    static void check(long rowsDone) {
        TaskContext tc = TaskContext.get();
        if (tc == null || tc.attemptNumber() > 0) return;
        String spec = tc.getLocalProperty(PROPERTY);
        if (spec == null || spec.isEmpty()) return;
        String[] p = spec.split(":");
        if (tc.partitionId() == Integer.parseInt(p[0]) && rowsDone == Long.parseLong(p[1])) {
            throw new IllegalStateException("injected failure in partition " + tc.partitionId() + " after " + rowsDone + " rows");
        }
    }
}
