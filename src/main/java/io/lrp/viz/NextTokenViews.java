package io.lrp.viz;

import io.lrp.explain.Explanation;
import io.lrp.models.decoder.DecoderExplainer;
import io.lrp.models.decoder.NextTokenExplanation;

import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;

/**
 * Views of a decoder language model's explanations: the heat map of a next-token logit over the
 * prompt's tokens with the predicted token and the top logits, and, for a generation, one heat
 * map per generated token over everything before it. Tokens are shown as the text they decode
 * to (a newline as ⏎), so the heat map reads as the prompt; the colours and numbers are those
 * of {@link TerminalHeatmap} and {@link HtmlReport}.
 */
public final class NextTokenViews {

    private NextTokenViews() {}

    // ---------------------------------------------------------------- text

    /** One prompt explained by several methods (the list of one {@code DecoderExplainer.explain}). */
    public static String text(List<NextTokenExplanation> explanations, IntFunction<String> piece, ColorMode mode) {
        StringBuilder sb = new StringBuilder();
        if (explanations.isEmpty()) return "";
        NextTokenExplanation first = explanations.get(0);
        sb.append("prompt: ").append(TerminalHeatmap.clean(first.text())).append('\n');
        appendPrediction(sb, first, piece);
        for (NextTokenExplanation e : explanations) {
            sb.append('\n');
            appendMethod(sb, e, piece, mode, first.ids().length);
        }
        return sb.toString();
    }

    /** A generation: the generated text, then each step's explanations over its context. */
    public static String text(DecoderExplainer.Generation g, IntFunction<String> piece, ColorMode mode) {
        StringBuilder sb = new StringBuilder();
        sb.append("prompt: ").append(TerminalHeatmap.clean(g.prompt())).append('\n');
        sb.append("generated ").append(g.generated().length).append(g.generated().length == 1 ? " token" : " tokens")
          .append(g.stoppedAtEos() ? " (stopped at the end-of-sequence token)" : "").append(':');
        for (int id : g.generated()) sb.append(' ').append(quote(piece.apply(id)));
        sb.append('\n');
        for (DecoderExplainer.Step s : g.steps()) {
            sb.append("\nstep ").append(s.index() + 1).append(" of ").append(g.steps().size()).append(": ")
              .append(quote(s.piece())).append(" after ").append(s.context().length)
              .append(s.context().length == 1 ? " token\n" : " tokens\n");
            if (s.explanations().isEmpty()) continue;
            appendPrediction(sb, s.explanations().get(0), piece);
            for (NextTokenExplanation e : s.explanations()) {
                sb.append('\n');
                appendMethod(sb, e, piece, mode, g.promptIds().length);
            }
        }
        return sb.toString();
    }

    private static void appendPrediction(StringBuilder sb, NextTokenExplanation e, IntFunction<String> piece) {
        List<NextTokenExplanation.TopToken> top = e.top();
        if (!top.isEmpty() && top.get(0).id() != e.target()) {
            sb.append("predicted: ").append(quote(piece.apply(top.get(0).id()))).append(" (id ").append(top.get(0).id())
              .append(", logit ").append(fixed(top.get(0).logit())).append("); explained: ");
        } else {
            sb.append("next token: ");
        }
        sb.append(quote(e.label())).append(" (id ").append(e.target()).append(", logit ")
          .append(fixed(e.conservation().logit())).append(")\n");
        sb.append("top ").append(top.size()).append(':');
        for (int i = 0; i < top.size(); i++) {
            sb.append(i == 0 ? " " : ", ").append(quote(piece.apply(top.get(i).id()))).append(' ').append(fixed(top.get(i).logit()));
        }
        sb.append('\n');
    }

    private static void appendMethod(StringBuilder sb, NextTokenExplanation e, IntFunction<String> piece, ColorMode mode,
                                     int promptLength) {
        sb.append(TerminalHeatmap.clean(e.method())).append("  (explaining ").append(quote(e.label())).append(")\n");
        TerminalHeatmap painter = new TerminalHeatmap(mode);
        double max = Heat.maxAbs(e.relevance());
        int dec = Heat.decimals(max);
        for (int i = 0; i < e.ids().length; i++) {
            if (i == promptLength && i > 0) sb.append(" ‖ ");   // the tokens generated before this step follow
            String s = shown(piece.apply(e.ids()[i]));
            double r = e.relevance()[i];
            sb.append(mode == ColorMode.NONE ? s + "[" + Heat.signed(r, dec) + "]" : painter.paint(s, r, max));
        }
        sb.append('\n');
        String m = Heat.signed(max, dec).substring(1);
        if (mode == ColorMode.NONE) {
            sb.append("legend: [value] = relevance R; max |R| = ").append(m).append('\n');
        } else {
            sb.append("legend: -").append(m).append(' ');
            for (int k = -5; k <= 5; k++) sb.append(painter.paint("  ", k / 5.0, 1.0));
            sb.append(" +").append(m).append("  (blue < 0 < red, max |R| = ").append(m).append(")\n");
        }
        sb.append(conservation(e)).append('\n');
    }

    /** The line saying what the values add up to (the encoders' wording, with the decoder's occlusion token). */
    static String conservation(NextTokenExplanation e) {
        NextTokenExplanation.Conservation c = e.conservation();
        if (c.bias() == null && e.method().equals("occlusion")) {
            return "values: drop of the logit when the token is replaced by the tokenizer's unk token (else its end-of-sequence"
                    + " token); they need not add up (logit = " + Heat.num(c.logit()) + ")";
        }
        int n = e.ids().length;
        Explanation x = new Explanation(e.text(), e.model(), e.method(), e.target(), e.label(), new double[0], e.tokens(),
                e.ids(), new int[n][2], new boolean[n], e.relevance(),
                new Explanation.Conservation(c.sum(), c.logit(), c.bias()));
        return ConservationLine.of(x);
    }

    /** A token as it appears in a heat map: its text, a newline as ⏎, a tab as ⇥, other control characters as spaces. */
    static String shown(String piece) {
        return TerminalHeatmap.clean(piece.replace("\r\n", "⏎").replace('\n', '⏎').replace('\t', '⇥'));
    }

    /** A token in quotes with its spaces visible by the quotes and its control characters escaped. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (Character.isISOControl(c)) b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }

    private static String fixed(double v) { return String.format(Locale.ROOT, "%.4f", v); }

    // ---------------------------------------------------------------- HTML

    /** One page for prompts each explained by several methods. */
    public static String html(String title, List<List<NextTokenExplanation>> prompts, IntFunction<String> piece) {
        StringBuilder sb = head(title);
        int n = 0;
        for (List<NextTokenExplanation> group : prompts) {
            if (group.isEmpty()) continue;
            NextTokenExplanation first = group.get(0);
            sb.append("<section class=\"prompt\" data-prompt=\"").append(n).append("\">\n<h2>Prompt ").append(++n)
              .append("</h2>\n<p class=\"input\">").append(HtmlReport.esc(first.text())).append("</p>\n");
            appendPrediction(sb, first, piece, "next token");
            for (NextTokenExplanation e : group) appendMethod(sb, e, piece, first.ids().length);
            sb.append("</section>\n");
        }
        return tail(sb);
    }

    /**
     * One page for generations: the generated tokens as buttons; the reader picks one and sees
     * its step (every step is on the page; without scripts all are shown one after another).
     */
    public static String htmlGenerations(String title, List<DecoderExplainer.Generation> generations, IntFunction<String> piece) {
        StringBuilder sb = head(title);
        int n = 0;
        for (DecoderExplainer.Generation g : generations) {
            sb.append("<section class=\"generation\" data-prompt=\"").append(n).append("\">\n<h2>Generation ").append(++n)
              .append("</h2>\n<p class=\"picker\">pick a generated token: <span class=\"input\">")
              .append(HtmlReport.esc(g.prompt())).append("</span>");
            for (DecoderExplainer.Step s : g.steps()) {
                sb.append("<button type=\"button\" class=\"pick\" data-step=\"").append(s.index()).append("\" title=\"step ")
                  .append(s.index() + 1).append(": id ").append(s.token()).append("\">")
                  .append(HtmlReport.esc(shown(s.piece()))).append("</button>");
            }
            sb.append(g.stoppedAtEos() ? " <small>(stopped at the end-of-sequence token)</small>" : "").append("</p>\n");
            for (DecoderExplainer.Step s : g.steps()) {
                sb.append("<section class=\"step\" data-step=\"").append(s.index()).append("\">\n<h3>Step ").append(s.index() + 1)
                  .append(" of ").append(g.steps().size()).append(": ").append(HtmlReport.esc(quote(s.piece())))
                  .append(" <small>over ").append(s.context().length).append(s.context().length == 1 ? " token" : " tokens").append(" (prompt ")
                  .append(g.promptIds().length).append(", generated before it ").append(s.index()).append(")</small></h3>\n");
                if (!s.explanations().isEmpty()) appendPrediction(sb, s.explanations().get(0), piece, "generated token");
                for (NextTokenExplanation e : s.explanations()) appendMethod(sb, e, piece, g.promptIds().length);
                sb.append("</section>\n");
            }
            sb.append("</section>\n");
        }
        return tail(sb);
    }

    private static StringBuilder head(String title) {
        StringBuilder sb = new StringBuilder(8192);
        sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
          .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
          .append("<title>").append(HtmlReport.esc(title)).append("</title>\n<style>\n").append(CSS)
          .append("</style>\n</head>\n<body>\n<h1>").append(HtmlReport.esc(title)).append("</h1>\n")
          .append("<div class=\"legend\">legend: <span class=\"bar\"></span> blue negative, white 0, red positive;")
          .append(" normalised per explanation by max |R|; hover a token for its value. Tokens generated before a step")
          .append(" are underlined.</div>\n<main>\n");
        return sb;
    }

    private static String tail(StringBuilder sb) {
        return sb.append("</main>\n<script>\n").append(JS).append("</script>\n</body>\n</html>\n").toString();
    }

    private static void appendPrediction(StringBuilder sb, NextTokenExplanation e, IntFunction<String> piece, String what) {
        sb.append("<p class=\"prediction\">").append(what).append(": <b>").append(HtmlReport.esc(quote(e.label())))
          .append("</b> (id ").append(e.target()).append(", logit ").append(fixed(e.conservation().logit())).append(")</p>\n")
          .append("<table class=\"top\"><tr><th>top token</th><th>id</th><th>logit</th></tr>");
        for (NextTokenExplanation.TopToken t : e.top()) {
            sb.append(t.id() == e.target() ? "<tr class=\"target\">" : "<tr>").append("<td>")
              .append(HtmlReport.esc(quote(piece.apply(t.id())))).append("</td><td>").append(t.id()).append("</td><td>")
              .append(fixed(t.logit())).append("</td></tr>");
        }
        sb.append("</table>\n");
    }

    private static void appendMethod(StringBuilder sb, NextTokenExplanation e, IntFunction<String> piece, int promptLength) {
        sb.append("<div class=\"method\" data-method=\"").append(HtmlReport.esc(e.method())).append("\">\n<h4>")
          .append(HtmlReport.esc(e.method())).append(" <small>explaining ").append(HtmlReport.esc(quote(e.label())))
          .append("</small></h4>\n<div class=\"heat\">");
        double max = Heat.maxAbs(e.relevance());
        for (int i = 0; i < e.ids().length; i++) {
            String s = shown(piece.apply(e.ids()[i]));
            double r = e.relevance()[i];
            int[] c = Heat.rgb(r, max);
            sb.append("<span class=\"t").append(i >= promptLength ? " gen" : "").append("\" data-i=\"").append(i)
              .append("\" data-id=\"").append(e.ids()[i]).append("\" data-r=\"").append(r).append("\" title=\"")
              .append(HtmlReport.esc(quote(piece.apply(e.ids()[i])) + " (id " + e.ids()[i] + ")  R = " + Heat.signed(r, 6)))
              .append("\" style=\"background:rgb(").append(c[0]).append(',').append(c[1]).append(',').append(c[2])
              .append(");color:").append(Heat.darkText(c) ? "#000" : "#fff").append("\">").append(HtmlReport.esc(s))
              .append("</span>");
        }
        sb.append("</div>\n<div class=\"scale\">max |R|: ").append(Heat.num(max)).append("</div>\n<p class=\"cons\">")
          .append(HtmlReport.esc(conservation(e))).append("</p>\n</div>\n");
    }

    private static final String CSS = """
            body{font-family:system-ui,sans-serif;margin:1.5em;color:#222;background:#fafafa}
            h1{font-size:1.4em}h2{font-size:1.15em;margin-bottom:.2em}h3{font-size:1.05em}h4{font-size:1em;margin:.8em 0 .3em}
            h3 small,h4 small{font-weight:normal;color:#666}
            .prompt,.generation{border-top:1px solid #ccc;margin-top:1em}
            .input{font-style:italic;color:#444;white-space:pre-wrap}
            .heat{font-family:ui-monospace,monospace;line-height:2;white-space:pre-wrap;
              background:#fff;border:1px solid #ddd;padding:.3em .5em}
            .heat span{padding:.1em 0;border-radius:2px;cursor:default}
            .heat .gen{text-decoration:underline}
            .bar{display:inline-block;width:10em;height:.9em;vertical-align:middle;margin:0 .4em;
              border:1px solid #aaa;background:linear-gradient(to right,rgb(0,0,255),#fff,rgb(255,0,0))}
            .scale,.cons,.legend{font-size:.85em;color:#555;margin:.2em 0}
            table.top{border-collapse:collapse;font-size:.85em;margin:.3em 0}
            table.top td,table.top th{border:1px solid #ddd;padding:.1em .5em;text-align:left}
            table.top tr.target{font-weight:bold}
            .pick{font-family:ui-monospace,monospace;white-space:pre;margin:0 .1em;cursor:pointer;
              border:1px solid #999;background:#fff;border-radius:3px}
            .pick[aria-pressed=true]{background:#333;color:#fff}
            .step{border-left:3px solid #ddd;padding-left:.8em;margin:.8em 0}
            .step[hidden]{display:none}
            """;

    /** Picks a step per generation: the buttons show one step and hide the others. */
    private static final String JS = """
            (function(){
              document.querySelectorAll('.generation').forEach(function(g){
                var buttons=g.querySelectorAll('.pick'), steps=g.querySelectorAll('.step');
                function show(k){
                  steps.forEach(function(s){s.hidden=s.getAttribute('data-step')!==k;});
                  buttons.forEach(function(b){b.setAttribute('aria-pressed',b.getAttribute('data-step')===k?'true':'false');});
                }
                buttons.forEach(function(b){b.addEventListener('click',function(){show(b.getAttribute('data-step'));});});
                if(buttons.length)show(buttons[0].getAttribute('data-step'));
              });
            })();
            """;
}
