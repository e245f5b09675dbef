package io.lrp.serve;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lrp serve}: the explanation page and JSON API over HTTP. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Serve the explanation page (/) and the JSON API (/api/..., described at /openapi.json).",
        footer = {"", "Models are loaded once at start; requests can only name them. SIGTERM (or Ctrl-C) lets",
                "accepted requests finish, then stops.", "", "Examples:",
                "  lrp serve                                     # http://127.0.0.1:8080/",
                "  lrp serve --port 9000 --models minilm-sst2,path/to/bert-classifier",
                "  curl -s localhost:8080/api/explain \\",
                "      -d '{\"text\": \"a charming, funny delight\", \"methods\": [\"lrp-ah-ln\", \"gi\"]}'"})
public final class ServeCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    private static final ServeConfig D = ServeConfig.defaults();

    @Option(names = "--port", defaultValue = "8080", description = "TCP port; 0 picks a free one. Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1",
            description = "Address to listen on. Default: ${DEFAULT-VALUE} (this machine only; the server has no authentication).")
    String host;

    @Option(names = "--models", split = ",", defaultValue = "minilm-sst2,paper-sst2,minilm",
            description = "Models to load: built-in names or paths. Default: ${DEFAULT-VALUE}.")
    List<String> models;

    @Option(names = "--max-chars", description = "Longest text in characters (413 beyond). Default: 2000.")
    Integer maxChars;

    @Option(names = "--max-texts", description = "Most texts in one request (413 beyond). Default: 32.")
    Integer maxTexts;

    @Option(names = "--max-body", description = "Largest request body in bytes (413 beyond). Default: 1048576.")
    Long maxBody;

    @Option(names = "--timeout", description = "Seconds one request may take, waiting included (503 beyond). Default: 60.")
    Double timeout;

    @Option(names = "--workers", description = "Requests computed at once. Default: the number of processors.")
    Integer workers;

    @Option(names = "--queue", description = "Requests waiting for a worker (503 with Retry-After beyond). Default: 64.")
    Integer queue;

    @Option(names = "--max-connections", description = "Open connections at most. Default: 256.")
    Integer maxConnections;

    @Option(names = "--idle-timeout", description = "Seconds a silent connection is kept. Default: 30.")
    Double idle;

    @Override public Integer call() throws InterruptedException {
        ServeConfig c = new ServeConfig(host, port, models,
                maxChars != null ? maxChars : D.maxChars(), maxTexts != null ? maxTexts : D.maxTexts(),
                maxBody != null ? maxBody : D.maxBodyBytes(), timeout != null ? (long) (timeout * 1000) : D.timeoutMillis(),
                workers != null ? workers : D.workers(), queue != null ? queue : D.queue(),
                maxConnections != null ? maxConnections : D.maxConnections(),
                idle != null ? (long) (idle * 1000) : D.idleTimeoutMillis(), D.graceMillis());
        c.validate();
        java.io.PrintWriter err = spec.commandLine().getErr();
        err.println("lrp serve: loading " + String.join(", ", models) + " ...");
        LrpServer server = LrpServer.start(c, System.err);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            err.println("lrp serve: stopping (finishing accepted requests) ...");
            err.flush();
            server.close();
            err.println("lrp serve: stopped");
            err.flush();
            stopped.countDown();
        }, "lrp-serve-shutdown"));
        String shown = host.contains(":") ? "[" + host + "]" : host;
        err.println("lrp serve: http://" + shown + ":" + server.port() + "/  (" + c.workers() + " workers, queue "
                + c.queue() + "; API description at /openapi.json)");
        if (!host.equals("127.0.0.1") && !host.equals("localhost") && !host.equals("::1")) {
            err.println("lrp serve: note: listening beyond this machine; there is no authentication");
        }
        err.flush();
        stopped.await();
        return 0;
    }
}
