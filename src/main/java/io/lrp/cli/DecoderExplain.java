package io.lrp.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lrp.LrpException;
import io.lrp.explain.Method;
import io.lrp.explain.Provenance;
import io.lrp.explain.Relevance;
import io.lrp.models.decoder.DecoderExplainer;
import io.lrp.models.decoder.DecoderModel;
import io.lrp.models.decoder.DecoderTokenizer;
import io.lrp.models.decoder.NextTokenExplanation;
import io.lrp.train.Progress;
import io.lrp.viz.ColorMode;
import io.lrp.viz.NextTokenViews;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * {@code lrp explain} on a decoder language model: the logit of the next token (the predicted
 * one, or {@code --target}) over each prompt's tokens, or with {@code --generate N} each
 * generated token's logit over everything before it. JSON: one line per method for a next
 * token; one line per generation step (its explanations in {@code explanations}) with --generate.
 */
final class DecoderExplain {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ExplainCommand cmd;
    private final DecoderModel model;
    private final List<Method> methods;
    private final String fmt;
    private final Relevance.Options options;
    private final IntFunction<String> piece;

    DecoderExplain(ExplainCommand cmd, DecoderModel model, List<Method> methods, String fmt) {
        this.cmd = cmd;
        this.model = model;
        this.methods = methods;
        this.fmt = fmt;
        this.options = new Relevance.Options(cmd.gamma, Relevance.Options.DEFAULT.igSteps(), cmd.seed);
        DecoderTokenizer tok = model.decoderTokenizer();
        this.piece = id -> tok == null ? "<" + id + ">" : tok.piece(id);
    }

    /** A prompt: the text shown and the ids the model reads. */
    private record Prompt(String text, int[] ids) {}

    int run() throws IOException {
        if (cmd.longInputs != null || cmd.truncate || cmd.stride != null) {
            throw new LrpException("--long, --truncate and --stride apply to encoder models; " + model.name()
                    + " is a " + model.family() + " decoder, which reads prompts of up to " + model.maxLength() + " tokens");
        }
        DecoderExplainer ex = DecoderExplainer.of(model).options(options);
        Integer target = ex.parseTarget(cmd.target);
        if (target != null && cmd.generate != null) {
            throw new LrpException("--target and --generate exclude each other: a generation explains the tokens it generates");
        }
        List<Prompt> prompts = prompts(ex);
        PrintWriter err = cmd.spec.commandLine().getErr();
        io.lrp.io.AtomicOutput atomic = cmd.out != null ? io.lrp.io.AtomicOutput.open(cmd.out) : null;
        PrintWriter sink = atomic != null ? atomic.writer() : cmd.spec.commandLine().getOut();
        ColorMode mode = cmd.out != null ? ColorMode.NONE : ColorMode.detect();
        List<List<NextTokenExplanation>> page = new ArrayList<>();
        List<DecoderExplainer.Generation> generations = new ArrayList<>();
        try {
            try (Progress p = new Progress(System.err, "explain", prompts.size()).ticking()) {
                for (Prompt prompt : prompts) {
                    if (cmd.generate == null) {
                        List<NextTokenExplanation> r = ex.explainIds(prompt.text(), prompt.ids(), methods, target);
                        switch (fmt) {
                            case "json" -> { for (NextTokenExplanation e : r) sink.append(json(e).toString()).append('\n'); }
                            case "html" -> page.add(r);
                            default -> sink.append(NextTokenViews.text(r, piece, mode)).append('\n');
                        }
                    } else {
                        DecoderExplainer.Generation g = ex.generateIds(prompt.text(), prompt.ids(), cmd.generate, methods);
                        switch (fmt) {
                            case "json" -> { for (DecoderExplainer.Step s : g.steps()) sink.append(json(g, s).toString()).append('\n'); }
                            case "html" -> generations.add(g);
                            default -> sink.append(NextTokenViews.text(g, piece, mode)).append('\n');
                        }
                    }
                    sink.flush();
                    p.advance(1, "");
                }
            }
            if (fmt.equals("html")) {
                String title = "lrp explain: " + model.name();
                sink.append(cmd.generate == null ? NextTokenViews.html(title, page, piece)
                        : NextTokenViews.htmlGenerations(title, generations, piece));
            }
            sink.flush();
            if (atomic != null) atomic.commit();
        } finally {
            if (atomic != null) atomic.close(); // standard output stays open
        }
        if (cmd.out != null) err.println("wrote " + cmd.out);
        return 0;
    }

    private List<Prompt> prompts(DecoderExplainer ex) throws IOException {
        List<Prompt> out = new ArrayList<>();
        if (cmd.ids != null) {
            DecoderTokenizer tok = model.decoderTokenizer();
            for (int id : cmd.ids) {
                if (id < 0 || id >= model.vocabSize()) {
                    throw new LrpException("--ids: token id " + id + " outside the vocabulary of " + model.vocabSize());
                }
            }
            out.add(new Prompt(tok == null ? "" : tok.decode(cmd.ids), cmd.ids.clone()));
        } else if (cmd.file != null) {
            fileLines(ex, out);
        } else {
            for (String t : cmd.texts) out.add(new Prompt(t, checked(ex.encode(t), t)));
        }
        return out;
    }

    private int[] checked(int[] ids, String text) {
        int room = cmd.generate == null ? 0 : 1;   // a generation needs a position for its first token
        if (ids.length + room > model.maxLength()) {
            throw new LrpException("prompt of " + ids.length + " tokens " + (room > 0 ? "leaves no room to generate within" : "exceeds")
                    + " the model's limit of " + model.maxLength() + " positions: " + abbreviate(text));
        }
        return ids;
    }

    private static String abbreviate(String s) { return s.length() <= 40 ? "'" + s + "'" : "'" + s.substring(0, 37) + "...'"; }

    /** One prompt per line; a line that is empty, not valid text or too long is reported and skipped. */
    private void fileLines(DecoderExplainer ex, List<Prompt> out) throws IOException {
        boolean stdin = cmd.file.toString().equals("-");
        String name = stdin ? "<stdin>" : cmd.file.toString();
        byte[] bytes;
        if (stdin) {
            bytes = System.in.readAllBytes();
        } else {
            if (!Files.isRegularFile(cmd.file)) throw new LrpException("text file not found: " + cmd.file);
            bytes = Files.readAllBytes(cmd.file);
        }
        PrintWriter err = cmd.spec.commandLine().getErr();
        List<io.lrp.data.TextLines.Line> lines = io.lrp.data.TextLines.decode(bytes, io.lrp.data.TextLines.parseEncoding(cmd.encoding), name);
        Map<Integer, String> skipped = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String text = lines.get(i).text();
            String problem = text == null ? lines.get(i).problem() : text.isBlank() ? "empty line" : null;
            if (problem == null) {
                try {
                    out.add(new Prompt(text, checked(ex.encode(text), text)));
                } catch (LrpException e) {
                    problem = e.getMessage();
                }
            }
            if (problem != null) {
                skipped.put(i, problem);
                err.println("lrp: " + name + ":" + (i + 1) + ": " + problem + "; line skipped");
            }
        }
        if (!skipped.isEmpty()) err.println("lrp: " + skipped.size() + " of " + lines.size() + " lines skipped");
        if (out.isEmpty()) throw new LrpException(name + ": no line to explain");
    }

    /** An explanation's JSON object with the provenance of its method. */
    private ObjectNode json(NextTokenExplanation e) {
        ObjectNode o = e.toJsonObject();
        o.set("provenance", Provenance.of(model, Method.parse(e.method()), options).toJson());
        return o;
    }

    /** One generation step: the token, whether it ended the generation, and its explanations by every method. */
    private ObjectNode json(DecoderExplainer.Generation g, DecoderExplainer.Step s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("prompt", g.prompt());
        o.put("model", model.name());
        o.put("step", s.index());
        o.put("steps", g.steps().size());
        o.put("token", s.token());
        o.put("piece", s.piece());
        o.put("eos", g.stoppedAtEos() && s.index() == g.steps().size() - 1);
        var prompt = o.putArray("prompt_ids");
        for (int id : g.promptIds()) prompt.add(id);
        var list = o.putArray("explanations");
        for (NextTokenExplanation e : s.explanations()) list.add(json(e));
        return o;
    }
}
