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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "similar", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Explain the cosine similarity of two sentence embeddings (LRP, AH+LN rules): exactly two texts, or --pairs FILE.",
        footer = {"", "Examples:",
                "  lrp similar \"a cat sits on the mat\" \"a kitten rests on a rug\"",
                "  lrp similar --pairs pairs.tsv --format json --out similar.jsonl"})
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

    @Option(names = "--pairs", description = "A UTF-8 file of pairs, one per line: TEXT_A<TAB>TEXT_B.")
    Path pairs;

    @Parameters(arity = "0..*", paramLabel = "TEXT", description = "The two texts (exactly two; more pairs: --pairs).")
    List<String> texts = new ArrayList<>();

    @Override public Integer call() throws Exception {
        String fmt = format.toLowerCase(Locale.ROOT).equals("jsonl") ? "json" : format.toLowerCase(Locale.ROOT);
        if (!List.of("text", "json", "html").contains(fmt)) throw new LrpException("unknown format '" + format + "': choose text, json, jsonl or html");
        List<String[]> work = new ArrayList<>();
        if (pairs != null) {
            if (!texts.isEmpty()) throw new LrpException("give either two texts or --pairs FILE, not both");
            work = readPairs(pairs);
        } else {
            if (texts.size() != 2) {
                throw new LrpException("similar compares exactly two texts, got " + texts.size()
                        + (texts.size() > 2 ? " (for several pairs use --pairs FILE, one 'TEXT_A<TAB>TEXT_B' per line)" : ""));
            }
            for (String t : texts) if (t.isBlank()) throw new LrpException("empty text: nothing to compare");
            work.add(new String[] {texts.get(0), texts.get(1)});
        }
        Args.writableFile(out);
        Model m = Models.open(model);
        if (!(m instanceof BertModel b) || b.config().pooling() != BertConfig.Pooling.MEAN) {
            throw new LrpException("model " + m.name() + " is not a mean-pooling sentence encoder (use minilm)");
        }
        StringBuilder sb = new StringBuilder();
        List<List<Explanation>> page = new ArrayList<>();
        ColorMode mode = out != null ? ColorMode.NONE : ColorMode.detect();
        int width = out != null ? 0 : TerminalHeatmap.terminalColumns();
        for (String[] pair : work) {
            Similarity.Pair p = Similarity.explain(b, pair[0], pair[1]);
            List<Explanation> both = List.of(p.a(), p.b());
            switch (fmt) {
                case "json" -> { for (Explanation e : both) sb.append(JsonLines.toJson(e)).append('\n'); }
                case "html" -> { page.add(List.of(p.a())); page.add(List.of(p.b())); }
                default -> {
                    sb.append(String.format(Locale.ROOT, "cosine similarity %.4f%n%n", p.similarity()));
                    for (Explanation e : both) sb.append(TerminalHeatmap.render(List.of(e), List.of("similarity"), mode, tokens, width)).append('\n');
                }
            }
        }
        if (fmt.equals("html")) sb.append(HtmlReport.render("lrp similar: " + m.name(), page, List.of("similarity")));
        if (out != null) {
            io.lrp.io.AtomicOutput.writeString(out, sb);
        } else {
            PrintWriter w = spec.commandLine().getOut();
            w.print(sb);
            w.flush();
        }
        return 0;
    }

    private static List<String[]> readPairs(Path file) {
        if (!Files.isRegularFile(file)) throw new LrpException("pairs file not found: " + file);
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new LrpException("cannot read " + file + ": " + e.getMessage());
        }
        List<String[]> r = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            String[] f = lines.get(i).split("\t", -1);
            if (f.length != 2 || f[0].isBlank() || f[1].isBlank()) {
                throw new LrpException(file + ":" + (i + 1) + ": expected two non-empty texts separated by one tab");
            }
            r.add(f);
        }
        if (r.isEmpty()) throw new LrpException(file + ": no pairs");
        return r;
    }
}
