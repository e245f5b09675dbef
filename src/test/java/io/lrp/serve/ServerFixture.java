package io.lrp.serve;

import io.lrp.models.Model;
import io.lrp.models.ModelLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Servers on a random local port over models loaded once per JVM, and a client for them. */
final class ServerFixture {
    private ServerFixture() {}

    private static Map<String, Model> models;

    static synchronized ServedModels models() {
        if (models == null) {
            models = new LinkedHashMap<>();
            for (String n : List.of("minilm-sst2", "paper-sst2", "minilm")) models.put(n, ModelLoader.load(n));
        }
        return ServedModels.of(models);
    }

    static ServeConfig config() { return ServeConfig.defaults().withPort(0); }

    static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();

    static LrpServer start(ServeConfig c) {
        return LrpServer.start(c, models(), new PrintStream(LOG, true, StandardCharsets.UTF_8));
    }

    static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).build();

    /**
     * The shared client keeps connections open between requests; against a server whose idle
     * timeout is short it could pick one the server has just closed, so such servers get a new
     * client (a new connection) per request.
     */
    static HttpClient client(LrpServer s) {
        return s.config().idleTimeoutMillis() < 10_000 ? HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).build() : CLIENT;
    }

    static HttpResponse<String> post(LrpServer s, String path, String body) throws Exception {
        return client(s).send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path))
                .timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    static HttpResponse<String> get(LrpServer s, String path) throws Exception {
        return client(s).send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path))
                .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}
