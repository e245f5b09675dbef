package io.lrp.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile input (docs/serve-hostile-input.md lists the same cases and their answers): each gets
 * a JSON error with the right status, no stack trace, and the server answers the next good
 * request.
 */
class ServeHostileTest {
    static final ObjectMapper M = new ObjectMapper();
    static LrpServer server;

    @BeforeAll static void up() {
        server = ServerFixture.start(ServerFixture.config().withConnections(256, 1500, 30_000));
    }

    @AfterAll static void down() { server.close(); }

    static String texts(int n) {
        StringBuilder sb = new StringBuilder("{\"texts\": [");
        for (int i = 0; i < n; i++) sb.append(i > 0 ? "," : "").append("\"text number ").append(i).append('"');
        return sb.append("]}").toString();
    }

    static Stream<Arguments> explainBodies() {
        return Stream.of(
                Arguments.of("over-long text", "{\"text\": \"" + "a".repeat(2001) + "\"}", 413, "2001 characters; this server's limit is 2000"),
                Arguments.of("1,000 texts", texts(1000), 413, "1000 texts in one request; this server's limit is 32"),
                Arguments.of("body over 1 MiB", "{\"text\": \"" + "a".repeat(1 << 20) + "\"}", 413, "larger than this server's limit of 1048576 bytes"),
                Arguments.of("text under the character limit, over the model's 512 tokens", "{\"text\": \"" + "a ".repeat(600) + "\"}", 400, "exceeds the limit of model minilm-sst2 (512 tokens)"),
                Arguments.of("invalid JSON", "{\"text\": \"unclosed", 400, "invalid JSON"),
                Arguments.of("not JSON at all", "text=hello", 400, "invalid JSON"),
                Arguments.of("empty body", "", 400, "empty body"),
                Arguments.of("JSON array", "[\"hello\"]", 400, "must be a JSON object"),
                Arguments.of("trailing garbage", "{\"text\": \"hi\"} {}", 400, "invalid JSON"),
                Arguments.of("text is a number", "{\"text\": 42}", 400, "'text' must be a string, not a number"),
                Arguments.of("texts is a string", "{\"texts\": \"hello\"}", 400, "'texts' must be an array of strings"),
                Arguments.of("texts holds an object", "{\"texts\": [\"ok\", {\"a\": 1}]}", 400, "'texts[1]' must be a string, not an object"),
                Arguments.of("methods is a number", "{\"text\": \"hi\", \"methods\": 3}", 400, "'methods' must be an array of strings"),
                Arguments.of("target is a boolean", "{\"text\": \"hi\", \"target\": true}", 400, "'target' must be a class index or a label"),
                Arguments.of("target out of range", "{\"text\": \"hi\", \"target\": 99999999999}", 400, "out of range"),
                Arguments.of("unknown model", "{\"text\": \"hi\", \"model\": \"gpt-5\"}", 400, "unknown model 'gpt-5'"),
                Arguments.of("path traversal in model", "{\"text\": \"hi\", \"model\": \"../../../../etc/passwd\"}", 400, "unknown model '../../../../etc/passwd'"),
                Arguments.of("absolute path as model", "{\"text\": \"hi\", \"model\": \"/tmp\"}", 400, "unknown model '/tmp'"),
                Arguments.of("model file on the classpath", "{\"text\": \"hi\", \"model\": \"models/minilm-sst2.safetensors\"}", 400, "unknown model"),
                Arguments.of("encoder without a head", "{\"text\": \"hi\", \"model\": \"minilm\"}", 400, "has no classification head"),
                Arguments.of("unknown method", "{\"text\": \"hi\", \"methods\": [\"shap\"]}", 400, "unknown method 'shap'"),
                Arguments.of("path traversal in method", "{\"text\": \"hi\", \"methods\": [\"../../etc/passwd\"]}", 400, "unknown method '../../etc/passwd'"),
                Arguments.of("path traversal in target", "{\"text\": \"hi\", \"target\": \"../../etc/passwd\"}", 400, "unknown target label '../../etc/passwd'"),
                Arguments.of("unknown view", "{\"text\": \"hi\", \"view\": \"../x\"}", 400, "unknown view"),
                Arguments.of("unknown field", "{\"text\": \"hi\", \"file\": \"/etc/passwd\"}", 400, "unknown field 'file'"),
                Arguments.of("text and texts", "{\"text\": \"a\", \"texts\": [\"b\"]}", 400, "not both"),
                Arguments.of("whitespace only", "{\"text\": \" \\n\\t \"}", 400, "empty or only whitespace"),
                Arguments.of("deep nesting", "{\"text\": " + "[".repeat(5000) + "]".repeat(5000) + "}", 400, "invalid JSON"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("explainBodies")
    void refusedWithJsonError(String what, String body, int status, String message) throws Exception {
        HttpResponse<String> r = ServerFixture.post(server, "/api/explain", body);
        assertJsonError(r, status, message);
        assertServing();
    }

    @Test void otherEndpointsRefuseBadInputToo() throws Exception {
        assertJsonError(ServerFixture.post(server, "/api/similar", "{\"a\": \"x\"}"), 400, "give both texts");
        assertJsonError(ServerFixture.post(server, "/api/similar", "{\"a\": \"x\", \"b\": \"y\", \"model\": \"paper-sst2\"}"), 400, "not a mean-pooling sentence encoder");
        assertJsonError(ServerFixture.post(server, "/api/similar", "{\"a\": \"x\", \"b\": \"" + "b".repeat(3000) + "\"}"), 413, "'b' has 3000 characters");
        assertJsonError(ServerFixture.post(server, "/api/perturbation", "{\"texts\": [\"a\", \"b\"]}"), 400, "unknown field 'texts'");
        assertJsonError(ServerFixture.post(server, "/api/perturbation", "{\"text\": \"a\", \"methods\": [\"nope\"]}"), 400, "unknown method");
        assertJsonError(ServerFixture.get(server, "/api/explain"), 405, "not allowed");
        assertJsonError(ServerFixture.get(server, "/no/such/page"), 404, "no such resource");
        assertServing();
    }

    /** Paths that climb above the root never reach a file: Jetty refuses them, as JSON. */
    @Test void pathTraversalInTheUrl() throws Exception {
        for (String path : List.of("/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/api/../../etc/passwd", "/..%2f..%2fetc%2fpasswd")) {
            String raw = rawRequest("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            int status = Integer.parseInt(raw.substring(9, 12));
            assertTrue(status == 400 || status == 404, path + " -> " + raw);
            assertFalse(raw.contains("root:"), path);
            String body = raw.substring(raw.indexOf("\r\n\r\n") + 4);
            assertTrue(body.contains("\"error\""), path + " -> " + raw);
        }
        assertServing();
    }

    /**
     * Slow clients: connections that send half a request and then nothing hold no worker; the
     * server keeps answering, and closes each silent connection after the idle timeout (1.5 s here).
     */
    @Test void slowClientsAreCutOffAndDoNotBlockOthers() throws Exception {
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 40; i++) {
                Socket s = new Socket("127.0.0.1", server.port());
                s.setSoTimeout(30_000);
                OutputStream out = s.getOutputStream();
                if (i % 2 == 0) {
                    out.write("POST /api/explain HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n{\"text\": \"".getBytes(StandardCharsets.US_ASCII));
                } else {
                    out.write("GET /health HTTP/1.1\r\nHost: loc".getBytes(StandardCharsets.US_ASCII));
                }
                out.flush();
                slow.add(s);
            }
            assertServing();
            for (Socket s : slow) {
                InputStream in = s.getInputStream();
                // closed by the server: end of stream after at most an error response
                byte[] buf = new byte[4096];
                int n, total = 0;
                while ((n = in.read(buf)) >= 0) total += n;
                assertTrue(total < 4096);
            }
        } finally {
            for (Socket s : slow) s.close();
        }
        assertServing();
    }

    /** A body trickled far below the minimum data rate is cut off with a 408, as JSON. */
    @Test void trickledBodyGets408() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(1000);
            OutputStream out = s.getOutputStream();
            out.write("POST /api/explain HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String answer = null;
            for (int i = 0; i < 60 && answer == null; i++) { // one byte a second, for at most a minute
                try {
                    out.write(' ');
                    out.flush();
                } catch (java.io.IOException closed) {
                    // the server may close before reading our last byte; its answer is still there
                }
                try {
                    byte[] buf = new byte[4096];
                    int n = s.getInputStream().read(buf);
                    if (n > 0) answer = new String(buf, 0, n, StandardCharsets.UTF_8);
                } catch (java.net.SocketTimeoutException wait) {
                    // nothing yet
                }
            }
            assertTrue(answer != null && answer.startsWith("HTTP/1.1 408"), String.valueOf(answer));
            assertTrue(answer.contains("\"error\":\"the request body arrived too slowly"), answer);
        }
        assertServing();
    }

    static String rawRequest(String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static void assertJsonError(HttpResponse<String> r, int status, String message) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), r.headers().toString());
        JsonNode n = M.readTree(r.body());
        assertEquals(status, n.get("status").asInt());
        String error = n.get("error").asText();
        assertTrue(error.contains(message), "'" + error + "' does not contain '" + message + "'");
        assertTrue(error.length() < 400, "error too long: " + error.length());
        assertFalse(r.body().contains("Exception") || r.body().contains("\tat ") || r.body().contains("io.lrp."), r.body());
    }

    static void assertServing() throws Exception {
        HttpResponse<String> ok = ServerFixture.post(server, "/api/explain", "{\"text\": \"still serving\", \"methods\": [\"gi\"]}");
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals("gi", M.readTree(ok.body()).get("results").get(0).get("method").asText());
    }
}
