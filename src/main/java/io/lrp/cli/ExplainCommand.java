package io.lrp.cli;

import io.lrp.LrpException;
import io.lrp.explain.Explainer;
import io.lrp.explain.Explanation;
import io.lrp.explain.Method;
import io.lrp.models.Model;
import io.lrp.viz.ColorMode;
import io.lrp.viz.HtmlReport;
import io.lrp.viz.JsonLines;
import io.lrp.viz.TerminalHeatmap;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "explain", sortOptions = false,
        description = "Explain a model's prediction: relevance of every token for one logit.",
        footer = {"", "Examples:",
                "  lrp explain --model path/to/bert-classifier \"the film is a charming, funny delight\"",
                "  lrp explain --model m --method lrp-ah-ln,gi,rollout --format html --out report.html \"text\"",
                "  lrp explain --model m --method all --format json \"first text\" \"second text\"",
                "  lrp explain --model m --ids 101,2023,2003,102"})
final class ExplainCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = {"-m", "--model"}, description = "A model directory, .onnx or .safetensors file, or a built-in name. Default: ${DEFAULT-VALUE}.",
            defaultValue = Models.DEFAULT)
    String model;

    @Option(names = "--method", defaultValue = "lrp-ah-ln",
            description = "Comma-separated methods, or all: gi, lrp-ah, lrp-ah-ln, attnlrp, saliency, a-last, rollout, gae, ig, occlusion, random. Default: ${DEFAULT-VALUE}.")
    String methods;

    @Option(names = "--target", description = "The logit to explain, by label name or index. Default: the predicted class.")
    String target;

    @Option(names = "--format", defaultValue = "text", description = "text, json (JSON Lines; jsonl is a synonym) or html. Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--words", description = "Text view: merge sub-tokens into words, hide [CLS]/[SEP] (the default).")
    boolean words;

    @Option(names = "--tokens", description = "Text view: show sub-tokens and special tokens.")
    boolean tokens;

    @Option(names = {"-o", "--out"}, description = "Write the output to this file instead of standard output.")
    Path out;

    @Option(names = "--ids", split = ",", description = "Explain this token-id sequence instead of a text (e.g. 101,2023,102).")
    int[] ids;

    @Option(names = "--truncate", description = "Cut inputs longer than the model's limit instead of failing.")
    boolean truncate;

    @Option(names = "--gamma", defaultValue = "0", description = "Gamma rule on the encoder's linear layers for the LRP methods. Default: ${DEFAULT-VALUE}.")
    double gamma;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the random baseline. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--batch", defaultValue = "16", description = "Texts per batch. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Parameters(arity = "0..*", paramLabel = "TEXT", description = "Texts to explain.")
    List<String> texts = new ArrayList<>();

    @Override public Integer call() throws IOException {
        String fmt = format.toLowerCase();
        if (fmt.equals("jsonl")) fmt = "json";
        if (!List.of("text", "json", "html").contains(fmt)) {
            throw new LrpException("unknown format '" + format + "': choose text, json, jsonl or html");
        }
        List<Method> ms = Method.parseList(methods);
        if (ids == null && texts.isEmpty()) throw new LrpException("nothing to explain: give a TEXT or --ids");
        if (ids != null && !texts.isEmpty()) throw new LrpException("give either texts or --ids, not both");
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i).isBlank()) {
                throw new LrpException("empty text: TEXT " + (i + 1) + " of " + texts.size()
                        + " is empty or only whitespace, nothing to explain");
            }
        }
        Model m = Models.open(model);
        int targetIndex = resolveTarget(m);

        // one row per text, one explanation per method
        List<List<Explanation>> rows = new ArrayList<>();
        int n = ids != null ? 1 : texts.size();
        for (int i = 0; i < n; i++) rows.add(new ArrayList<>());
        for (Method method : ms) {
            Explainer ex = Explainer.of(m).method(method).gamma(gamma).seed(seed).batchSize(batch).truncate(truncate);
            List<Explanation> res;
            if (ids != null) {
                res = List.of(ex.explainIds(ids, targetIndex));
            } else {
                int[] t = new int[texts.size()];
                java.util.Arrays.fill(t, targetIndex);
                res = ex.explain(texts, t);
            }
            for (int i = 0; i < n; i++) rows.get(i).add(res.get(i));
        }

        StringWriter buf = new StringWriter();
        switch (fmt) {
            case "json" -> {
                for (List<Explanation> row : rows) for (Explanation e : row) buf.append(JsonLines.toJson(e)).append('\n');
            }
            case "html" -> buf.append(HtmlReport.render("lrp explain: " + m.name(), rows, m.labels()));
            default -> {
                ColorMode mode = out != null ? ColorMode.NONE : ColorMode.detect();
                for (List<Explanation> row : rows) {
                    buf.append(TerminalHeatmap.render(row, m.labels(), mode, tokens && !words));
                    buf.append('\n');
                }
            }
        }
        if (out != null) {
            Files.writeString(out, buf.toString(), StandardCharsets.UTF_8);
            spec.commandLine().getErr().println("wrote " + out);
        } else {
            PrintWriter w = spec.commandLine().getOut();
            w.print(buf);
            w.flush();
        }
        return 0;
    }

    private int resolveTarget(Model m) {
        if (target == null) return -1;
        List<String> labels = m.labels();
        for (int i = 0; i < labels.size(); i++) if (labels.get(i).equalsIgnoreCase(target)) return i;
        try {
            int t = Integer.parseInt(target.trim());
            if (t < 0 || t >= labels.size()) {
                throw new LrpException("target " + t + " out of range: model " + m.name() + " has " + labels.size()
                        + " classes (0.." + (labels.size() - 1) + ": " + String.join(", ", labels) + ")");
            }
            return t;
        } catch (NumberFormatException e) {
            throw new LrpException("unknown target label '" + target + "': model " + m.name() + " has labels " + String.join(", ", labels));
        }
    }
}
