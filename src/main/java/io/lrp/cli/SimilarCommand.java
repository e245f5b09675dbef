package io.lrp.cli;

import io.lrp.LrpException;
import io.lrp.explain.Explanation;
import io.lrp.explain.Similarity;
import io.lrp.models.Model;
import io.lrp.models.bert.BertConfig;
import io.lrp.models.bert.BertModel;
import io.lrp.viz.ColorMode;
import io.lrp.viz.HtmlReport;
import io.lrp.viz.JsonLines;
import io.lrp.viz.TerminalHeatmap;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "similar", mixinStandardHelpOptions = true, description = "Explain the cosine similarity of two sentence embeddings (LRP, AH+LN rules).",
        footer = {"", "Example:", "  lrp similar \"a cat sits on the mat\" \"a kitten rests on a rug\""})
final class SimilarCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = {"-m", "--model"}, defaultValue = "minilm", description = "A mean-pooling sentence encoder. Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = "--format", defaultValue = "text", description = "text, json (jsonl) or html. Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--tokens", description = "Text view: show sub-tokens and special tokens.")
    boolean tokens;

    @Option(names = {"-o", "--out"}, description = "Write the output to this file.")
    Path out;

    @Parameters(arity = "2", paramLabel = "TEXT", description = "The two texts.")
    List<String> texts;

    @Override public Integer call() throws Exception {
        String fmt = format.toLowerCase(Locale.ROOT).equals("jsonl") ? "json" : format.toLowerCase(Locale.ROOT);
        if (!List.of("text", "json", "html").contains(fmt)) throw new LrpException("unknown format '" + format + "': choose text, json, jsonl or html");
        for (String t : texts) if (t.isBlank()) throw new LrpException("empty text: nothing to compare");
        Model m = Models.open(model);
        if (!(m instanceof BertModel b) || b.config().pooling() != BertConfig.Pooling.MEAN) {
            throw new LrpException("model " + m.name() + " is not a mean-pooling sentence encoder (use minilm)");
        }
        Similarity.Pair p = Similarity.explain(b, texts.get(0), texts.get(1));
        List<Explanation> both = List.of(p.a(), p.b());
        StringBuilder sb = new StringBuilder();
        switch (fmt) {
            case "json" -> { for (Explanation e : both) sb.append(JsonLines.toJson(e)).append('\n'); }
            case "html" -> sb.append(HtmlReport.render("lrp similar: " + m.name(), List.of(List.of(p.a()), List.of(p.b())), List.of("similarity")));
            default -> {
                ColorMode mode = out != null ? ColorMode.NONE : ColorMode.detect();
                sb.append(String.format(Locale.ROOT, "cosine similarity %.4f%n%n", p.similarity()));
                for (Explanation e : both) sb.append(TerminalHeatmap.render(List.of(e), List.of("similarity"), mode, tokens)).append('\n');
            }
        }
        if (out != null) {
            io.lrp.io.AtomicOutput.writeString(out, sb);
        } else {
            PrintWriter w = spec.commandLine().getOut();
            w.print(sb);
            w.flush();
        }
        return 0;
    }
}
