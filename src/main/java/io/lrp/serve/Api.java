package io.lrp.serve;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.lrp.LrpException;
import io.lrp.eval.Curves;
import io.lrp.eval.Perturbation;
import io.lrp.explain.Explainer;
import io.lrp.explain.Explanation;
import io.lrp.explain.Method;
import io.lrp.explain.Relevance;
import io.lrp.explain.Similarity;
import io.lrp.models.Batch;
import io.lrp.models.Model;
import io.lrp.models.bert.BertModel;
import io.lrp.viz.JsonLines;
import io.lrp.viz.Words;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;

/**
 * The JSON API's requests: validated on the request thread ({@code parse*}, cheap, all limits
 * checked before any work), computed on a worker ({@code run}, interruptible between methods),
 * written as JSON. Each explanation object is exactly the line {@code lrp explain --format json}
 * writes for the same text, model, method and target ({@link JsonLines#toJson}).
 */
final class Api {
    private final ServedModels models;
    private final ServeConfig config;

    Api(ServedModels models, ServeConfig config) {
        this.models = models;
        this.config = config;
    }

    // ---- /api/explain -------------------------------------------------------------------

    static final Set<String> EXPLAIN_FIELDS = Set.of("text", "texts", "model", "methods", "target", "view");

    record ExplainRequest(Model model, List<String> texts, List<Method> methods, int target, boolean words) {}

    ExplainRequest parseExplain(String body) {
        JsonNode n = Json.object(body, EXPLAIN_FIELDS);
        Model m = classifier(n);
        List<String> texts = texts(n, true);
        return new ExplainRequest(m, texts, methods(n), target(n, m), words(n));
    }

    /** One row per text, one explanation per method, as the CLI computes them (same batching). */
    List<List<Explanation>> explain(ExplainRequest r) {
        List<List<Explanation>> rows = new ArrayList<>();
        for (int i = 0; i < r.texts().size(); i++) rows.add(new ArrayList<>());
        int[] t = new int[r.texts().size()];
        Arrays.fill(t, r.target());
        for (Method method : r.methods()) {
            checkInterrupt();
            List<Explanation> res = Explainer.of(r.model()).method(method).explain(r.texts(), t);
            for (int i = 0; i < res.size(); i++) rows.get(i).add(res.get(i));
        }
        return rows;
    }

    String explainJson(ExplainRequest r, List<List<Explanation>> rows) {
        List<Explanation> flat = new ArrayList<>();
        for (List<Explanation> row : rows) flat.addAll(row);
        return resultsJson(flat, r.words(), null);
    }

    // ---- /api/similar -------------------------------------------------------------------

    static final Set<String> SIMILAR_FIELDS = Set.of("a", "b", "model", "view");

    record SimilarRequest(BertModel model, String a, String b, boolean words) {}

    SimilarRequest parseSimilar(String body) {
        JsonNode n = Json.object(body, SIMILAR_FIELDS);
        String name = Json.string(n, "model");
        if (name == null) name = models.defaultEncoder();
        if (name == null) throw ApiException.badRequest("this server has no sentence encoder (a mean-pooling BERT such as minilm)");
        Model m = models.get(name);
        if (!ServedModels.canCompare(m)) throw ApiException.badRequest("model '" + name + "' is not a mean-pooling sentence encoder");
        String a = Json.string(n, "a"), b = Json.string(n, "b");
        if (a == null || b == null) throw ApiException.badRequest("give both texts: 'a' and 'b'");
        checkText(a, "a");
        checkText(b, "b");
        return new SimilarRequest((BertModel) m, a, b, words(n));
    }

    String similar(SimilarRequest r) {
        Similarity.Pair p = Similarity.explain(r.model(), r.a(), r.b());
        return resultsJson(List.of(p.a(), p.b()), r.words(), g -> g.writeNumberField("similarity", p.similarity()));
    }

    // ---- /api/perturbation --------------------------------------------------------------

    static final Set<String> PERTURBATION_FIELDS = Set.of("text", "model", "methods", "target");

    ExplainRequest parsePerturbation(String body) {
        JsonNode n = Json.object(body, PERTURBATION_FIELDS);
        Model m = classifier(n);
        return new ExplainRequest(m, texts(n, false), methods(n), target(n, m), true);
    }

    /**
     * The curves of one input (methods.md section 6) for each method's relevance, measured on the
     * explained logit: generate (MoRF insertion), pruning (LeRF deletion) and, for the page,
     * deletion (MoRF deletion: the most relevant tokens replaced by [UNK] first).
     */
    String perturbation(ExplainRequest r) {
        Model m = r.model();
        List<List<Explanation>> rows = explain(r);
        List<Explanation> ex = rows.get(0);
        double[] fracs = Perturbation.fracs();
        return Json.write(g -> {
            g.writeStartObject();
            Explanation first = ex.get(0);
            g.writeStringField("text", first.text());
            g.writeStringField("model", first.model());
            g.writeNumberField("target", first.target());
            g.writeStringField("label", first.label());
            g.writeNumberField("n", first.ids().length);
            Json.doubles(g, "fracs", fracs);
            Json.ints(g, "n_flip", Perturbation.nFlip(first.ids().length));
            g.writeArrayFieldStart("curves");
            for (Explanation e : ex) {
                checkInterrupt();
                Perturbation.Result p = Perturbation.run(m, e.ids(), e.target(), e.relevance());
                double[][] deletion = deletion(m, e, p.z0());
                g.writeStartObject();
                g.writeStringField("method", e.method());
                curve(g, "generate", p.generate().e(), p.generate().m(), fracs);
                curve(g, "pruning", p.pruning().e(), p.pruning().m(), fracs);
                curve(g, "deletion", deletion[0], deletion[1], fracs);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** E and M as the most relevant tokens are replaced by [UNK] first. */
    private static double[][] deletion(Model m, Explanation e, double[] z0) {
        int[] order = Perturbation.orderGenerate(e.relevance());
        int[][] inputs = Perturbation.pruningInputs(e.ids(), order, m.unkId());
        int n = inputs[0].length, chunk = (int) Math.max(1, Math.min(inputs.length, (1L << 22) / ((long) n * n)));
        double[] ev = new double[inputs.length], ms = new double[inputs.length];
        for (int start = 0; start < inputs.length; start += chunk) { // bounded attention maps for long inputs
            int end = Math.min(inputs.length, start + chunk);
            float[][] z = Relevance.logits(m, Batch.of(Arrays.asList(inputs).subList(start, end), m.padId()));
            for (int k = start; k < end; k++) {
                double[] d = new double[z[k - start].length];
                for (int c = 0; c < d.length; c++) d[c] = z[k - start][c];
                ev[k] = Perturbation.evidence(d, e.target());
                ms[k] = Perturbation.squaredChange(z0, d);
            }
        }
        return new double[][] {ev, ms};
    }

    private static void curve(JsonGenerator g, String name, double[] e, double[] m, double[] fracs) throws IOException {
        g.writeObjectFieldStart(name);
        Json.doubles(g, "E", e);
        Json.doubles(g, "M", m);
        g.writeNumberField("area", Curves.trapezoid(fracs, e));
        g.writeEndObject();
    }

    // ---- /api/models --------------------------------------------------------------------

    String modelsJson() {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("models");
            for (var e : models.all().entrySet()) {
                Model m = e.getValue();
                g.writeStartObject();
                g.writeStringField("name", e.getKey());
                g.writeStringField("family", ServedModels.family(m));
                g.writeStringField("description", m.describe());
                g.writeArrayFieldStart("labels");
                for (String l : m.labels()) g.writeString(l);
                g.writeEndArray();
                g.writeNumberField("max_length", m.maxLength());
                g.writeArrayFieldStart("endpoints");
                if (ServedModels.canExplain(m)) {
                    g.writeString("explain");
                    g.writeString("perturbation");
                }
                if (ServedModels.canCompare(m)) g.writeString("similar");
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("methods");
            for (Method m : Method.values()) {
                g.writeStartObject();
                g.writeStringField("name", m.id());
                g.writeStringField("description", m.description());
                g.writeBooleanField("conserves", m == Method.LRP_AH_LN);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeObjectFieldStart("limits");
            g.writeNumberField("max_chars", config.maxChars());
            g.writeNumberField("max_texts", config.maxTexts());
            g.writeNumberField("max_body_bytes", config.maxBodyBytes());
            g.writeNumberField("timeout_ms", config.timeoutMillis());
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    // ---- shared -------------------------------------------------------------------------

    private Model classifier(JsonNode n) {
        String name = Json.string(n, "model");
        if (name == null) name = models.defaultClassifier();
        if (name == null) throw ApiException.badRequest("this server has no classifier to explain");
        Model m = models.get(name);
        if (!ServedModels.canExplain(m)) {
            throw ApiException.badRequest("model '" + name + "' has no classification head: use it with /api/similar");
        }
        return m;
    }

    private List<String> texts(JsonNode n, boolean many) {
        JsonNode one = n.get("text"), list = n.get("texts");
        List<String> texts;
        if (one != null && list != null) throw ApiException.badRequest("give 'text' or 'texts', not both");
        if (list != null) {
            if (!many) throw ApiException.badRequest("this endpoint takes one 'text'");
            if (!list.isArray()) throw ApiException.badRequest("'texts' must be an array of strings, not " + Json.kind(list));
            if (list.size() > config.maxTexts()) {
                throw ApiException.tooLarge(list.size() + " texts in one request; this server's limit is " + config.maxTexts());
            }
            texts = Json.strings(n, "texts");
        } else {
            String t = Json.string(n, "text");
            if (t == null) throw ApiException.badRequest("nothing to explain: give 'text'" + (many ? " or 'texts'" : ""));
            texts = List.of(t);
        }
        if (texts.isEmpty()) throw ApiException.badRequest("'texts' is empty");
        for (int i = 0; i < texts.size(); i++) checkText(texts.get(i), texts.size() == 1 ? "text" : "texts[" + i + "]");
        return texts;
    }

    private void checkText(String t, String what) {
        if (t.length() > config.maxChars()) {
            throw ApiException.tooLarge("'" + what + "' has " + t.length() + " characters; this server's limit is " + config.maxChars());
        }
        if (t.isBlank()) throw ApiException.badRequest("'" + what + "' is empty or only whitespace: nothing to explain");
    }

    private static List<Method> methods(JsonNode n) {
        List<String> names = Json.strings(n, "methods");
        if (names == null) return List.of(Method.LRP_AH_LN);
        if (names.isEmpty()) throw ApiException.badRequest("'methods' is empty");
        List<Method> out = new ArrayList<>();
        for (String s : names) {
            List<Method> ms;
            try {
                ms = Method.parseList(s);
            } catch (LrpException e) {
                throw ApiException.badRequest("unknown method '" + Json.clip(s) + "': choose from " + String.join(", ", Method.ids()) + " or all");
            }
            for (Method m : ms) if (!out.contains(m)) out.add(m);
        }
        return out;
    }

    /** The target by index or label; -1 (the predicted class) when absent. */
    private static int target(JsonNode n, Model m) {
        JsonNode v = n.get("target");
        if (v == null || v.isNull()) return -1;
        List<String> labels = m.labels();
        if (v.isIntegralNumber()) {
            if (!v.canConvertToInt() || v.asInt() < 0 || v.asInt() >= labels.size()) {
                throw ApiException.badRequest("target " + Json.clip(v.asText()) + " out of range: model " + m.name() + " has "
                        + labels.size() + " classes (0.." + (labels.size() - 1) + ")");
            }
            return v.asInt();
        }
        if (v.isTextual()) {
            for (int i = 0; i < labels.size(); i++) if (labels.get(i).equalsIgnoreCase(v.asText())) return i;
            throw ApiException.badRequest("unknown target label '" + Json.clip(v.asText()) + "': model " + m.name()
                    + " has labels " + String.join(", ", labels));
        }
        throw ApiException.badRequest("'target' must be a class index or a label, not " + Json.kind(v));
    }

    private static boolean words(JsonNode n) {
        String v = Json.string(n, "view");
        if (v == null || v.equals("words")) return true;
        if (v.equals("tokens")) return false;
        throw ApiException.badRequest("unknown view '" + Json.clip(v) + "': choose words or tokens");
    }

    static void checkInterrupt() {
        if (Thread.currentThread().isInterrupted()) throw new CancellationException("request cancelled");
    }

    /**
     * {"results": [CLI objects...], "view": ..., "views": [...]} with each result spliced in as
     * the exact text {@link JsonLines#toJson} gives, so that it equals the CLI's line.
     */
    private static String resultsJson(List<Explanation> results, boolean words, Json.Writer extra) {
        StringBuilder sb = new StringBuilder(1024 * results.size() + 64);
        sb.append("{\"results\":[");
        for (int i = 0; i < results.size(); i++) {
            if (i > 0) sb.append(',');
            sb.append(JsonLines.toJson(results.get(i)));
        }
        sb.append("],");
        String rest = Json.write(g -> {
            g.writeStartObject();
            if (extra != null) extra.write(g);
            g.writeStringField("view", words ? "words" : "tokens");
            g.writeArrayFieldStart("views");
            for (Explanation e : results) {
                g.writeStartArray();
                if (words) {
                    for (Words.Word w : Words.words(e)) {
                        g.writeStartObject();
                        g.writeStringField("text", w.text());
                        g.writeNumberField("start", w.start());
                        g.writeNumberField("end", w.end());
                        g.writeNumberField("relevance", w.relevance());
                        Json.ints(g, "tokens", w.tokenIndices());
                        g.writeEndObject();
                    }
                } else {
                    for (Words.Token t : Words.tokens(e)) {
                        g.writeStartObject();
                        g.writeStringField("text", t.token());
                        g.writeNumberField("start", t.start());
                        g.writeNumberField("end", t.end());
                        g.writeNumberField("relevance", t.relevance());
                        g.writeBooleanField("special", t.special());
                        g.writeEndObject();
                    }
                }
                g.writeEndArray();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
        sb.append(rest, 1, rest.length()); // drop the '{' of the second object: one object in all
        return sb.toString();
    }
}
