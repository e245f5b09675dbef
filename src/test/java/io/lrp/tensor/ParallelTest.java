package io.lrp.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The parts cover the range once, small ranges stay on the caller, nesting does not fan out, failures surface. */
class ParallelTest {
    @Test
    void partsCoverTheRangeExactlyOnce() {
        for (int n : new int[] {0, 1, 5, 64, 1000, 1001}) {
            int[] hits = new int[n];
            Set<String> threads = ConcurrentHashMap.newKeySet();
            Parallel.range(n, 10, 3, (from, to) -> {
                threads.add(Thread.currentThread().getName());
                for (int i = from; i < to; i++) hits[i]++;
            });
            for (int i = 0; i < n; i++) assertEquals(1, hits[i], "n = " + n + ", index " + i);
            int expectedParts = Math.max(1, Math.min(3, n / 10));
            assertTrue(threads.size() <= expectedParts, n + ": " + threads);
        }
    }

    @Test
    void workInsideAPartRunsOnThatPartsThread() {
        AtomicInteger nestedOnOtherThreads = new AtomicInteger();
        Parallel.range(100, 1, 2, (from, to) -> {
            Thread mine = Thread.currentThread();
            Parallel.range(100, 1, 2, (f, t) -> {
                if (Thread.currentThread() != mine) nestedOnOtherThreads.incrementAndGet();
            });
        });
        assertEquals(0, nestedOnOtherThreads.get());
    }

    @Test
    void aFailingPartFailsTheCallAfterTheOthersFinish() {
        AtomicInteger finished = new AtomicInteger();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Parallel.range(100, 1, 4, (from, to) -> {
            if (from > 0) throw new IllegalArgumentException("part at " + from);
            finished.incrementAndGet();
        }));
        assertTrue(e.getMessage().startsWith("part at"), e.getMessage());
        assertEquals(1, finished.get());
        // the pool still works afterwards
        int[] sum = new int[1];
        Parallel.range(10, 1, 1, (from, to) -> sum[0] += to - from);
        assertEquals(10, sum[0]);
    }

    @Test
    void eachInOrderRunsEveryIndexOnceWithTheKernelBudget() {
        int[] hits = new int[50];
        Set<Integer> budgets = ConcurrentHashMap.newKeySet();
        Parallel.eachInOrder(50, 3, 2, i -> {
            hits[i]++;
            budgets.add(Parallel.threads());
        });
        for (int i = 0; i < 50; i++) assertEquals(1, hits[i], "index " + i);
        assertEquals(Set.of(2), budgets);
        assertEquals(1, Parallel.threads(), "the budget ends with the call");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Parallel.eachInOrder(20, 2, 1, i -> { if (i == 5) throw new IllegalStateException("index 5"); }));
        assertEquals("index 5", e.getMessage());
    }
}
