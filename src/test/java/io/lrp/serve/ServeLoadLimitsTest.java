package io.lrp.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The bounded queue, the per-request timeout and the graceful stop, reached deterministically:
 * the test occupies the workers itself (tasks waiting on a latch) instead of racing real load.
 */
class ServeLoadLimitsTest {
    static final ObjectMapper M = new ObjectMapper();
    static final String GOOD = "{\"text\": \"a fine film\", \"methods\": [\"gi\"]}";

    @Test void fullQueueIsRefusedWithRetryAfter() throws Exception {
        try (LrpServer s = ServerFixture.start(ServerFixture.config().withPool(1, 1, 60_000))) {
            CountDownLatch release = new CountDownLatch(1);
            block(s, release);   // the only worker
            block(s, release);   // the only queue slot
            HttpResponse<String> r = ServerFixture.post(s, "/api/explain", GOOD);
            ServeHostileTest.assertJsonError(r, 503, "busy: 1 workers and a queue of 1 are taken");
            assertEquals("2", r.headers().firstValue("Retry-After").orElse(""));
            release.countDown();
            waitIdle(s);
            assertEquals(200, ServerFixture.post(s, "/api/explain", GOOD).statusCode());
            assertEquals(1, M.readTree(ServerFixture.get(s, "/health").body()).get("refused").asInt());
        }
    }

    @Test void requestOverTheTimeoutIsAnswered503AndNeverRuns() throws Exception {
        try (LrpServer s = ServerFixture.start(ServerFixture.config().withPool(1, 4, 300))) {
            CountDownLatch release = new CountDownLatch(1);
            block(s, release);
            HttpResponse<String> r = ServerFixture.post(s, "/api/explain", GOOD);
            ServeHostileTest.assertJsonError(r, 503, "longer than this server's limit of 300 ms");
            assertEquals(0, s.pool().getQueue().size(), "the timed-out request left the queue");
            release.countDown();
            waitIdle(s);
            assertEquals(1, s.pool().getCompletedTaskCount(), "only the blocking task ran, the cancelled request never did");
            assertEquals(200, ServerFixture.post(s, "/api/explain", GOOD).statusCode());
        }
    }

    /** Stopping: the accepted request finishes with 200, a new one gets 503, then the port closes. */
    @Test void gracefulStopFinishesAcceptedRequests() throws Exception {
        LrpServer s = ServerFixture.start(ServerFixture.config().withPool(1, 4, 60_000));
        CountDownLatch release = new CountDownLatch(1);
        block(s, release);
        CompletableFuture<HttpResponse<String>> accepted = CompletableFuture.supplyAsync(() -> {
            try {
                return ServerFixture.post(s, "/api/explain", GOOD);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (s.pool().getQueue().isEmpty() && System.nanoTime() < deadline) Thread.sleep(10);
        assertEquals(1, s.pool().getQueue().size(), "the request is queued behind the blocked worker");
        int port = s.port();
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(s::close);
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!M.readTree(ServerFixture.get(s, "/health").body()).get("status").asText().equals("stopping") && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        ServeHostileTest.assertJsonError(ServerFixture.post(s, "/api/explain", GOOD), 503, "shutting down");
        assertTrue(!stopping.isDone(), "close() waits for the accepted request");
        // the response is written after the handler returns: close() must wait for that too
        LrpServer.afterHandlerForTests = () -> sleep(300);
        HttpResponse<String> r;
        try {
            release.countDown();
            r = accepted.get(60, TimeUnit.SECONDS);
        } finally {
            LrpServer.afterHandlerForTests = null;
        }
        assertEquals(200, r.statusCode(), r.body());
        stopping.get(60, TimeUnit.SECONDS);
        try (java.net.Socket sock = new java.net.Socket()) {
            sock.connect(new java.net.InetSocketAddress("127.0.0.1", port), 2000);
            throw new AssertionError("port " + port + " still open after close()");
        } catch (java.net.ConnectException expected) {
            // closed
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Occupies a worker (or a queue slot) until the latch is released. */
    static void block(LrpServer s, CountDownLatch release) {
        s.pool().submit(() -> {
            release.await();
            return null;
        });
    }

    private static void waitIdle(LrpServer s) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while ((s.pool().getActiveCount() > 0 || !s.pool().getQueue().isEmpty()) && System.nanoTime() < deadline) Thread.sleep(10);
    }
}
