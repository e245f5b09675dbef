package io.lrp.tensor;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** The per-thread array pool: reuse across scopes, zeroing, nesting, nothing outside a scope. */
class ArenaTest {
    static final int N = 10_000;

    @Test
    void arraysComeBackInTheNextScopeZeroedWhenAsked() {
        float[] first;
        try (Arena a = Arena.open()) {
            first = Tensor.zeros(N).data;
            java.util.Arrays.fill(first, 7f);
        }
        try (Arena a = Arena.open()) {
            float[] again = Tensor.zeros(N).data;
            assertSame(first, again, "the array of the last scope is handed out again");
            for (float v : again) assertEquals(0f, v);
            float[] fresh = Tensor.zeros(N).data; // only one of that length was in the pool
            assertNotSame(again, fresh);
        }
        try (Arena a = Arena.open()) {
            float[] reused = Tensor.uninitialized(N).data;
            assertTrue(reused == first || reused.length == N);
        }
    }

    @Test
    void innerScopesReturnTheirArraysOuterOnesKeepTheirsAndNothingIsPooledOutside() {
        float[] outer, inner;
        try (Arena a = Arena.open()) {
            outer = Tensor.zeros(N).data;
            try (Arena b = Arena.open()) {
                inner = Tensor.zeros(N).data;
                assertNotSame(outer, inner);
            }
            // the inner scope is closed: its array may serve the outer computation, the outer
            // scope's own array may not be handed out while that scope is open
            float[] third = Tensor.zeros(N).data;
            assertSame(inner, third);
            assertNotSame(outer, Tensor.zeros(N).data);
        }
        float[] x = Tensor.zeros(N).data, y = Tensor.zeros(N).data;
        assertNotSame(x, y);
        assertNotSame(outer, x);
        assertNotSame(inner, x);
    }

    @Test
    void thePoolKeepsOnlyWhatTheLastOutermostScopeUsed() {
        float[] big;
        try (Arena a = Arena.open()) {
            big = Tensor.zeros(3 * N).data;
        }
        try (Arena a = Arena.open()) {
            Tensor.zeros(N); // does not ask for the 3N array: it is dropped at the end of this scope
        }
        try (Arena a = Arena.open()) {
            assertNotSame(big, Tensor.zeros(3 * N).data);
        }
    }

    @Test
    void scopesMustCloseInOrder() {
        Arena a = Arena.open();
        Arena b = Arena.open();
        assertThrows(IllegalStateException.class, a::close);
        b.close();
        a.close();
    }

    @Test
    void smallArraysAreAlwaysNew() {
        float[] first;
        try (Arena a = Arena.open()) {
            first = Tensor.zeros(16).data;
        }
        try (Arena a = Arena.open()) {
            assertNotSame(first, Tensor.zeros(16).data);
        }
    }

    @Test
    void releasedArraysServeTheNextTakeOfTheirScopeOnly() {
        try (Arena a = Arena.open()) {
            float[] outer = Tensor.uninitialized(N).data;
            try (Arena b = Arena.open()) {
                float[] x = Tensor.uninitialized(N).data, y = Tensor.uninitialized(N).data;
                Arena.release(x);
                Arena.release(y);
                assertSame(y, Tensor.uninitialized(N).data, "last released, first taken again");
                assertSame(x, Tensor.uninitialized(N).data);
                Arena.release(outer); // taken by the outer scope: left alone
                float[] z = Tensor.zeros(N).data;
                assertNotSame(outer, z);
                for (float v : z) assertEquals(0f, v);
            }
            Arena.release(outer); // now the innermost scope's own: back to the pool
            assertSame(outer, Tensor.uninitialized(N).data);
        }
        float[] free = new float[N];
        Arena.release(free); // no scope open: nothing happens
        try (Arena a = Arena.open()) {
            assertNotSame(free, Tensor.uninitialized(N).data);
        }
    }
}
