package io.lrp.serve;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.lrp.LrpException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;

/**
 * {@code lrp serve}: the page at /, the JSON API under /api, /openapi.json and /health on
 * Javalin (Jetty). Requests are parsed and checked against the limits on Jetty's threads; the
 * explanations run on a fixed pool of workers with a bounded queue, so that load beyond what
 * the cores can do is refused at once (503, Retry-After) instead of piling up.
 */
public final class LrpServer implements AutoCloseable {
    /** Seconds a refused client is told to wait. */
    static final int RETRY_AFTER = 2;

    private final ServeConfig config;
    private final ServedModels models;
    private final Api api;
    private final ThreadPoolExecutor pool;
    private final PrintStream log;
    private final Javalin app;
    private final String page, openapi;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Runs after each handler, before its response is written: lets a test widen that gap. */
    static volatile Runnable afterHandlerForTests;
    /** Counts a request until its response is written (inFlight drops when the handler returns). */
    private final GracefulHandler graceful = new GracefulHandler();
    private final AtomicLong served = new AtomicLong(), refused = new AtomicLong(), failed = new AtomicLong();
    private final long startedAt = System.nanoTime();
    private volatile boolean draining;

    private LrpServer(ServeConfig config, ServedModels models, PrintStream log) {
        this.config = config;
        this.models = models;
        this.log = log;
        this.api = new Api(models, config);
        AtomicInteger n = new AtomicInteger();
        BlockingQueue<Runnable> q = config.queue() == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(config.queue());
        this.pool = new ThreadPoolExecutor(config.workers(), config.workers(), 0, TimeUnit.MILLISECONDS, q, r -> {
            Thread t = new Thread(r, "lrp-serve-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.page = resource("index.html");
        this.openapi = resource("openapi.json");
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.http.maxRequestSize = config.maxBodyBytes();
            cfg.http.prefer405over404 = true;
            cfg.jetty.modifyHttpConfiguration(h -> {
                h.setSendServerVersion(false);
                h.setMinRequestDataRate(256); // bytes/s: a client trickling its body is cut off
            });
            cfg.jetty.addConnector((server, http) -> {
                ServerConnector c = new ServerConnector(server, new HttpConnectionFactory(http));
                c.setHost(config.host());
                c.setPort(config.port());
                c.setIdleTimeout(config.idleTimeoutMillis());
                return c;
            });
            cfg.jetty.modifyServer(server -> {
                server.addBean(new NetworkConnectionLimit(config.maxConnections(), server));
                server.setErrorHandler(new JsonErrorHandler());
                server.setHandler(graceful);
            });
            var r = cfg.routes;
            r.before(ctx -> {
                ctx.header("X-Content-Type-Options", "nosniff");
                ctx.header("Referrer-Policy", "no-referrer");
                ctx.header("Cache-Control", "no-store");
            });
            r.after(ctx -> {
                Runnable h = afterHandlerForTests;
                if (h != null) h.run();
            });
            r.get("/", ctx -> {
                // the page may load nothing from elsewhere: scripts and styles are inline, data from this server
                ctx.header("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                        + "connect-src 'self'; img-src data: blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
                ctx.contentType("text/html; charset=utf-8").result(page);
            });
            r.get("/openapi.json", ctx -> json(ctx, 200, openapi));
            r.get("/health", ctx -> json(ctx, 200, health()));
            r.get("/api/models", ctx -> json(ctx, 200, api.modelsJson()));
            r.post("/api/explain", ctx -> compute(ctx, api::parseExplain, req -> api.explainJson(req, api.explain(req))));
            r.post("/api/similar", ctx -> compute(ctx, api::parseSimilar, api::similar));
            r.post("/api/perturbation", ctx -> compute(ctx, api::parsePerturbation, api::perturbation));
            r.exception(HttpResponseException.class, this::fail); // else Javalin answers these in plain text
            r.exception(Exception.class, this::fail);
            r.error(404, "*", ctx -> json(ctx, 404, Json.error(404, "no such resource: " + ctx.method() + " " + Json.clip(ctx.path()))));
            r.error(405, "*", ctx -> json(ctx, 405, Json.error(405, "method " + ctx.method() + " not allowed on " + Json.clip(ctx.path()))));
        });
    }

    /** Loads the configured models and starts serving. */
    public static LrpServer start(ServeConfig config, PrintStream log) {
        config.validate();
        return start(config, ServedModels.load(config.models()), log);
    }

    static LrpServer start(ServeConfig config, ServedModels models, PrintStream log) {
        LrpServer s = new LrpServer(config, models, log);
        try {
            s.app.start();
        } catch (RuntimeException e) {
            s.pool.shutdownNow();
            Throwable c = e;
            while (c.getCause() != null && c.getCause() != c) c = c.getCause();
            throw new LrpException("cannot listen on " + config.host() + ":" + config.port() + ": " + c.getMessage());
        }
        return s;
    }

    public int port() { return app.port(); }

    public ServeConfig config() { return config; }

    /** The worker pool (tests occupy it to reach the queue and timeout paths deterministically). */
    ThreadPoolExecutor pool() { return pool; }

    /**
     * Graceful stop: new API requests get 503, requests already accepted run to their end (up to
     * the grace period), then the listener closes and the workers stop.
     */
    @Override public void close() {
        draining = true;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.graceMillis());
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        try {
            // the handlers have returned; wait until their responses are written too
            graceful.shutdown().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // counted below as unfinished
        }
        int left = Math.max(inFlight.get(), (int) graceful.getCurrentRequestCount());
        app.stop();
        pool.shutdownNow();
        if (left > 0) log.println("lrp serve: stopped with " + left + " request(s) unfinished after the grace period");
    }

    private <R> void compute(Context ctx, Function<String, R> parse, Function<R, String> run) throws Exception {
        inFlight.incrementAndGet();
        try {
            if (draining) throw new ApiException(503, "the server is shutting down", RETRY_AFTER);
            R req = parse.apply(ctx.body());
            Callable<String> task = () -> run.apply(req);
            Future<String> f;
            try {
                f = pool.submit(task);
            } catch (RejectedExecutionException e) {
                throw new ApiException(503, "busy: " + config.workers() + " workers and a queue of " + config.queue()
                        + " are taken; retry later", RETRY_AFTER);
            }
            String out;
            try {
                out = f.get(config.timeoutMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                f.cancel(true);  // a worker stops at its next method; a queued task never starts
                pool.purge();
                throw new ApiException(503, "the request took longer than this server's limit of "
                        + config.timeoutMillis() + " ms (waiting for a worker included)", RETRY_AFTER);
            } catch (InterruptedException e) {
                f.cancel(true);
                Thread.currentThread().interrupt();
                throw new ApiException(503, "the request was interrupted", RETRY_AFTER);
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof Exception x) throw x;
                throw new RuntimeException(c); // an Error on a worker: answered as an internal error
            }
            json(ctx, 200, out);
            served.incrementAndGet();
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /** Every failure becomes {"error", "status"}: the client never sees a stack trace. */
    private void fail(Exception e, Context ctx) {
        int status;
        String msg;
        if (e instanceof ApiException a) {
            status = a.status;
            msg = a.getMessage();
            if (a.retryAfterSeconds != null) ctx.header("Retry-After", Integer.toString(a.retryAfterSeconds));
        } else if (e instanceof LrpException) {
            status = 400;
            msg = e.getMessage();
        } else if (e instanceof HttpResponseException h) {
            status = h.getStatus();
            msg = status == 413 ? "the body is larger than this server's limit of " + config.maxBodyBytes() + " bytes"
                    : h.getMessage();
        } else if (jettyError(e) != null) {
            // Jetty refused the request while it was read: a body trickled below the minimum rate (408), ...
            org.eclipse.jetty.http.HttpException h = jettyError(e);
            status = h.getCode();
            msg = status == 408 ? "the request body arrived too slowly (under 256 bytes/s)" : "the request could not be read: " + Json.clip(h.getReason());
        } else if (e instanceof java.io.IOException || e.getCause() instanceof java.io.IOException) {
            status = 400;
            msg = "the request body could not be read (connection closed or broken)";
        } else if (e instanceof CancellationException) {
            status = 503;
            msg = "the request was cancelled";
            ctx.header("Retry-After", Integer.toString(RETRY_AFTER));
        } else {
            status = 500;
            long id = failed.incrementAndGet();
            msg = "internal error #" + id + " (details in the server's log)";
            synchronized (log) {
                log.println("lrp serve: internal error #" + id + " on " + ctx.method() + " " + ctx.path() + ":");
                e.printStackTrace(log);
            }
        }
        if (status == 503) refused.incrementAndGet();
        json(ctx, status, Json.error(status, msg));
    }

    private static org.eclipse.jetty.http.HttpException jettyError(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof org.eclipse.jetty.http.HttpException h && h.getCode() >= 400 && h.getCode() < 600) return h;
        }
        return null;
    }

    private static void json(Context ctx, int status, String body) {
        ctx.status(status).contentType("application/json; charset=utf-8").result(body);
    }

    private String health() {
        Runtime rt = Runtime.getRuntime();
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("status", draining ? "stopping" : "ok");
            g.writeArrayFieldStart("models");
            for (String m : models.names()) g.writeString(m);
            g.writeEndArray();
            g.writeNumberField("workers", config.workers());
            g.writeNumberField("active", pool.getActiveCount());
            g.writeNumberField("queued", pool.getQueue().size());
            g.writeNumberField("queue_capacity", config.queue());
            g.writeNumberField("served", served.get());
            g.writeNumberField("refused", refused.get());
            g.writeNumberField("internal_errors", failed.get());
            g.writeNumberField("heap_used_bytes", rt.totalMemory() - rt.freeMemory());
            g.writeNumberField("heap_max_bytes", rt.maxMemory());
            g.writeNumberField("uptime_s", (System.nanoTime() - startedAt) / 1e9);
            g.writeEndObject();
        });
    }

    private static String resource(String name) {
        try (InputStream in = LrpServer.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing resource io/lrp/serve/" + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
