package io.lrp.serve;

import java.util.List;

/**
 * What a server is started with. The limits bound one request's work (characters per text,
 * texts per request, methods) and the server's (workers, queue, connections); none can be
 * changed by a request.
 *
 * @param host             address to bind (127.0.0.1: this machine only)
 * @param port             TCP port, 0 for any free one
 * @param models           model specs loaded at start (built-in names or paths); requests name them only
 * @param maxChars         longest text, in characters (over it: 413)
 * @param maxTexts         most texts in one request (over it: 413)
 * @param maxBodyBytes     largest request body (over it: 413)
 * @param timeoutMillis    per request, queueing included (over it: 503)
 * @param workers          explanations run concurrently (each on one core)
 * @param queue            requests waiting for a worker; when full: 503 with Retry-After
 * @param maxConnections   open TCP connections; more wait in the accept backlog
 * @param idleTimeoutMillis a connection that sends nothing for this long is closed (slow clients)
 * @param graceMillis      on shutdown, how long in-flight requests may take to finish
 */
public record ServeConfig(String host, int port, List<String> models, int maxChars, int maxTexts, long maxBodyBytes,
                          long timeoutMillis, int workers, int queue, int maxConnections, long idleTimeoutMillis,
                          long graceMillis) {

    public static final List<String> DEFAULT_MODELS = List.of("minilm-sst2", "paper-sst2", "minilm");

    public static ServeConfig defaults() {
        return new ServeConfig("127.0.0.1", 8080, DEFAULT_MODELS, 2000, 32, 1 << 20, 60_000,
                Runtime.getRuntime().availableProcessors(), 64, 256, 30_000, 30_000);
    }

    public ServeConfig withPort(int p) {
        return new ServeConfig(host, p, models, maxChars, maxTexts, maxBodyBytes, timeoutMillis, workers, queue, maxConnections, idleTimeoutMillis, graceMillis);
    }

    public ServeConfig withModels(List<String> m) {
        return new ServeConfig(host, port, m, maxChars, maxTexts, maxBodyBytes, timeoutMillis, workers, queue, maxConnections, idleTimeoutMillis, graceMillis);
    }

    public ServeConfig withLimits(int chars, int texts, long bodyBytes) {
        return new ServeConfig(host, port, models, chars, texts, bodyBytes, timeoutMillis, workers, queue, maxConnections, idleTimeoutMillis, graceMillis);
    }

    public ServeConfig withPool(int w, int q, long timeout) {
        return new ServeConfig(host, port, models, maxChars, maxTexts, maxBodyBytes, timeout, w, q, maxConnections, idleTimeoutMillis, graceMillis);
    }

    public ServeConfig withConnections(int max, long idleMillis, long grace) {
        return new ServeConfig(host, port, models, maxChars, maxTexts, maxBodyBytes, timeoutMillis, workers, queue, max, idleMillis, grace);
    }

    /** Refuses settings that cannot work, naming the option. */
    public void validate() {
        if (port < 0 || port > 65535) throw new io.lrp.LrpException("--port " + port + " is not a TCP port (0..65535)");
        if (models.isEmpty()) throw new io.lrp.LrpException("--models names no model");
        if (maxChars < 1) throw new io.lrp.LrpException("--max-chars must be >= 1");
        if (maxTexts < 1) throw new io.lrp.LrpException("--max-texts must be >= 1");
        if (maxBodyBytes < 1024) throw new io.lrp.LrpException("--max-body must be >= 1024 bytes");
        if (timeoutMillis < 1) throw new io.lrp.LrpException("--timeout must be > 0");
        if (workers < 1) throw new io.lrp.LrpException("--workers must be >= 1");
        if (queue < 0) throw new io.lrp.LrpException("--queue must be >= 0");
        if (maxConnections < 1) throw new io.lrp.LrpException("--max-connections must be >= 1");
        if (idleTimeoutMillis < 1) throw new io.lrp.LrpException("--idle-timeout must be > 0");
    }
}
