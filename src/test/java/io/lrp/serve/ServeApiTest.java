package io.lrp.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrp.cli.CliRunner;
import io.lrp.eval.Perturbation;
import io.lrp.explain.Explainer;
import io.lrp.explain.Explanation;
import io.lrp.explain.Method;
import io.lrp.models.Model;
import io.lrp.models.ModelLoader;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The JSON API over a real server on a random local port: answers equal the CLI's. */
class ServeApiTest {
    static final ObjectMapper M = new ObjectMapper();
    static LrpServer server;

    @BeforeAll static void up() { server = ServerFixture.start(ServerFixture.config()); }

    @AfterAll static void down() { server.close(); }

    /** Each result is, character for character, the line lrp explain --format json writes. */
    @Test void explainResultsAreTheCliLines() throws Exception {
        String a = "the film is a charming, funny delight", b = "a dull, lifeless and overlong mess";
        HttpResponse<String> r = ServerFixture.post(server, "/api/explain",
                "{\"texts\": [\"" + a + "\", \"" + b + "\"], \"model\": \"minilm-sst2\", \"methods\": [\"lrp-ah-ln\", \"gi\", \"rollout\"]}");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        CliRunner.Result cli = CliRunner.run("explain", "--model", "minilm-sst2", "--method", "lrp-ah-ln,gi,rollout", "--format", "json", a, b);
        assertEquals(0, cli.code(), cli.err());
        String[] lines = cli.out().strip().split("\n");
        JsonNode results = M.readTree(r.body()).get("results");
        assertEquals(6, lines.length);
        assertEquals(lines.length, results.size());
        for (int i = 0; i < lines.length; i++) {
            assertTrue(r.body().contains(lines[i]), "CLI line " + i + " not in the answer verbatim");
            assertEquals(M.readTree(lines[i]), results.get(i));
        }
        // texts outer, methods inner, as the CLI
        assertEquals(b, results.get(3).get("text").asText());
        assertEquals("gi", results.get(4).get("method").asText());
    }

    @Test void explainWithTargetLabelEqualsCli() throws Exception {
        String t = "not bad at all";
        HttpResponse<String> r = ServerFixture.post(server, "/api/explain",
                "{\"text\": \"" + t + "\", \"model\": \"paper-sst2\", \"methods\": \"lrp-ah\", \"target\": \"NEGATIVE\", \"view\": \"tokens\"}");
        assertEquals(200, r.statusCode(), r.body());
        CliRunner.Result cli = CliRunner.run("explain", "--model", "paper-sst2", "--method", "lrp-ah", "--target", "negative", "--format", "json", t);
        assertEquals(0, cli.code(), cli.err());
        JsonNode body = M.readTree(r.body());
        assertEquals(M.readTree(cli.out().strip()), body.get("results").get(0));
        assertEquals(0, body.get("results").get(0).get("target").asInt());
        // the token view: one item per token, special tokens marked, relevance as in the result
        JsonNode view = body.get("views").get(0), res = body.get("results").get(0);
        assertEquals("tokens", body.get("view").asText());
        assertEquals(res.get("tokens").size(), view.size());
        assertTrue(view.get(0).get("special").asBoolean());
        for (int i = 0; i < view.size(); i++) {
            assertEquals(res.get("tokens").get(i).asText(), view.get(i).get("text").asText());
            assertEquals(res.get("relevance").get(i).asDouble(), view.get(i).get("relevance").asDouble());
        }
    }

    /** Word view: each word's relevance is the sum of its tokens', and the words spell the text. */
    @Test void wordViewSumsTokens() throws Exception {
        String t = "an unforgettable, heartbreaking masterpiece";
        JsonNode body = M.readTree(ServerFixture.post(server, "/api/explain", "{\"text\": \"" + t + "\"}").body());
        JsonNode res = body.get("results").get(0), words = body.get("views").get(0);
        assertEquals("lrp-ah-ln", res.get("method").asText());
        assertEquals("minilm-sst2", res.get("model").asText());
        List<String> w = new ArrayList<>();
        int tokensSeen = 0;
        for (JsonNode word : words) {
            double sum = 0;
            for (JsonNode i : word.get("tokens")) sum += res.get("relevance").get(i.asInt()).asDouble();
            assertEquals(sum, word.get("relevance").asDouble(), 1e-12);
            assertEquals(t.substring(word.get("start").asInt(), word.get("end").asInt()), word.get("text").asText());
            tokensSeen += word.get("tokens").size();
            w.add(word.get("text").asText());
        }
        assertEquals(List.of("an", "unforgettable", ",", "heartbreaking", "masterpiece"), w);
        assertEquals(res.get("tokens").size() - 2, tokensSeen); // all but [CLS] and [SEP]
        JsonNode c = res.get("conservation");
        assertEquals(c.get("logit").asDouble(), c.get("sum").asDouble() + c.get("bias").asDouble(), 1e-5 * Math.max(1, Math.abs(c.get("logit").asDouble())));
    }

    @Test void similarEqualsCli() throws Exception {
        String a = "a cat sits on the mat", b = "a kitten rests on a rug";
        HttpResponse<String> r = ServerFixture.post(server, "/api/similar", "{\"a\": \"" + a + "\", \"b\": \"" + b + "\"}");
        assertEquals(200, r.statusCode(), r.body());
        CliRunner.Result cli = CliRunner.run("similar", "--format", "json", a, b);
        assertEquals(0, cli.code(), cli.err());
        String[] lines = cli.out().strip().split("\n");
        JsonNode body = M.readTree(r.body());
        for (int i = 0; i < 2; i++) {
            assertTrue(r.body().contains(lines[i]));
            assertEquals(M.readTree(lines[i]), body.get("results").get(i));
        }
        assertEquals(body.get("results").get(0).get("logits").get(0).asDouble(), body.get("similarity").asDouble());
    }

    /** The curves are the evaluation's (Perturbation.run) on the CLI's relevance; deletion meets them at both ends. */
    @Test void perturbationCurvesAreTheEvaluations() throws Exception {
        String t = "a gorgeous, witty, seductive movie";
        HttpResponse<String> r = ServerFixture.post(server, "/api/perturbation",
                "{\"text\": \"" + t + "\", \"model\": \"minilm-sst2\", \"methods\": [\"lrp-ah-ln\", \"random\"]}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = M.readTree(r.body());
        Model m = ModelLoader.load("minilm-sst2");
        assertEquals(2, body.get("curves").size());
        for (JsonNode c : body.get("curves")) {
            Explanation e = Explainer.of(m).method(Method.parse(c.get("method").asText())).explain(t);
            Perturbation.Result p = Perturbation.run(m, e.ids(), e.target(), e.relevance());
            assertEquals(e.target(), body.get("target").asInt());
            assertEquals(e.ids().length, body.get("n").asInt());
            for (int k = 0; k < Perturbation.STEPS; k++) {
                assertEquals(p.generate().e()[k], c.get("generate").get("E").get(k).asDouble(), 0.0);
                assertEquals(p.pruning().e()[k], c.get("pruning").get("E").get(k).asDouble(), 0.0);
                assertEquals(p.pruning().m()[k], c.get("pruning").get("M").get(k).asDouble(), 0.0);
                assertEquals(Perturbation.nFlip(e.ids().length)[k], body.get("n_flip").get(k).asInt());
            }
            JsonNode d = c.get("deletion").get("E");
            // nothing removed = the original input; everything removed = generate's all-[UNK] start
            assertEquals(p.pruning().e()[0], d.get(0).asDouble(), 1e-6);
            assertEquals(p.generate().e()[0], d.get(10).asDouble(), 1e-6);
            assertEquals(0.0, c.get("deletion").get("M").get(0).asDouble(), 1e-9);
        }
    }

    @Test void modelsHealthOpenApiAndPage() throws Exception {
        JsonNode models = M.readTree(ServerFixture.get(server, "/api/models").body());
        assertEquals(3, models.get("models").size());
        JsonNode first = models.get("models").get(0);
        assertEquals("minilm-sst2", first.get("name").asText());
        assertEquals("bert", first.get("family").asText());
        assertEquals("[\"negative\",\"positive\"]", first.get("labels").toString());
        assertEquals(512, first.get("max_length").asInt());
        assertEquals("paper", models.get("models").get(1).get("family").asText());
        assertEquals("[\"similar\"]", models.get("models").get(2).get("endpoints").toString());
        assertEquals(Method.values().length, models.get("methods").size());
        assertEquals(2000, models.get("limits").get("max_chars").asInt());

        JsonNode health = M.readTree(ServerFixture.get(server, "/health").body());
        assertEquals("ok", health.get("status").asText());
        assertTrue(health.get("heap_used_bytes").asLong() > 0);

        JsonNode api = M.readTree(ServerFixture.get(server, "/openapi.json").body());
        assertTrue(api.get("openapi").asText().startsWith("3."));
        for (String p : List.of("/api/explain", "/api/similar", "/api/perturbation", "/api/models", "/health")) {
            assertTrue(api.get("paths").has(p), p);
        }
        List<String> enumMethods = new ArrayList<>();
        api.at("/components/schemas/Method/enum").forEach(n -> enumMethods.add(n.asText()));
        List<String> expected = new ArrayList<>(Method.ids());
        expected.add("all");
        assertEquals(expected, enumMethods);

        HttpResponse<String> page = ServerFixture.get(server, "/");
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("default-src 'none'"));
        // self-contained: nothing loaded from elsewhere
        assertFalse(page.body().matches("(?s).*(src|href)\\s*=\\s*\"(https?:)?//.*"), "the page references an external resource");
        assertFalse(page.body().contains("<link"));
    }
}
