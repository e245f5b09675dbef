package io.lrp.viz;

import io.lrp.explain.Explanation;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One self-contained HTML page (inline CSS and JS, no external resources) with heat maps for
 * one or more texts, each explained by one or more methods shown one above the other.
 *
 * <p>Per method there are two views, switched by radio buttons for the whole page (pure CSS,
 * works without JS): words (relevance summed over sub-tokens, special tokens hidden) and tokens
 * (all tokens incl. [CLS]/[SEP]). Every token span is {@code <span class="t" data-i=".."
 * data-r="..">} with {@code data-r} the exact relevance ({@link Double#toString}); word spans are
 * {@code <span class="w" data-r=".." data-tokens="i j ..">}. All spans have a {@code title}
 * with the value; a small script also shows the hovered value in a status bar. Colours are
 * normalised by max |R| per explanation and level, as in {@link TerminalHeatmap}.
 */
public final class HtmlReport {

    private HtmlReport() {}

    /** Writes {@link #render} to {@code file} in UTF-8. */
    public static void write(Path file, String title, List<List<Explanation>> texts,
                             List<String> labelNames) throws IOException {
        io.lrp.io.AtomicOutput.writeString(file, render(title, texts, labelNames));
    }

    /**
     * @param title      page title
     * @param texts      one list per input text, each with the explanations of that text by
     *                   several methods; the first one's logits give the prediction
     * @param labelNames class names by logit index; may be null (then "class i")
     */
    public static String render(String title, List<List<Explanation>> texts,
                                List<String> labelNames) {
        StringBuilder sb = new StringBuilder(4096);
        sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
          .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
          .append("<title>").append(esc(title)).append("</title>\n<style>\n").append(CSS)
          .append("</style>\n</head>\n<body>\n");
        sb.append("<h1>").append(esc(title)).append("</h1>\n");
        sb.append("<input type=\"radio\" name=\"level\" id=\"lvl-word\" checked>")
          .append("<label for=\"lvl-word\">words</label>\n")
          .append("<input type=\"radio\" name=\"level\" id=\"lvl-token\">")
          .append("<label for=\"lvl-token\">tokens</label>\n");
        sb.append("<main>\n<div class=\"legend\">legend: <span class=\"lo\">&minus;max |R|</span>")
          .append("<span class=\"bar\"></span><span class=\"hi\">+max |R|</span>")
          .append(" &mdash; blue negative, white 0, red positive; normalised per method and ")
          .append("level (word values are sums of their sub-tokens). Hover for values.</div>\n");
        int n = 0;
        for (List<Explanation> group : texts) {
            appendText(sb, n++, group, labelNames);
        }
        sb.append("</main>\n<div id=\"status\" class=\"status\"></div>\n<script>\n").append(JS)
          .append("</script>\n</body>\n</html>\n");
        return sb.toString();
    }

    private static void appendText(StringBuilder sb, int n, List<Explanation> group,
                                   List<String> labels) {
        sb.append("<section class=\"text\" data-text=\"").append(n).append("\">\n");
        if (group.isEmpty()) {
            sb.append("</section>\n");
            return;
        }
        Explanation first = group.get(0);
        sb.append("<h2>Text ").append(n + 1).append("</h2>\n<p class=\"input\">")
          .append(esc(first.text())).append("</p>\n");
        double[] p = Heat.softmax(first.logits());
        if (p.length == 1) { // a single score (a similarity): its softmax is 1 and means nothing
            sb.append("<p class=\"prediction\">").append(esc(Heat.label(labels, 0, first.label()))).append(": <b>")
              .append(String.format(Locale.ROOT, "%.4f", first.logits()[0])).append("</b></p>\n");
        } else if (p.length > 0) {
            int best = Heat.argmax(p);
            sb.append("<p class=\"prediction\">prediction: <b>")
              .append(esc(Heat.label(labels, best, null))).append("</b> (");
            for (int i = 0; i < p.length; i++) {
                sb.append(i > 0 ? ", " : "").append(esc(Heat.label(labels, i, null))).append(' ')
                  .append(String.format(Locale.ROOT, "%.4f", p[i]));
            }
            sb.append(")</p>\n");
        }
        for (Explanation e : group) {
            appendMethod(sb, e, labels, !Objects.equals(e.text(), first.text()));
        }
        sb.append("</section>\n");
    }

    private static void appendMethod(StringBuilder sb, Explanation e, List<String> labels,
                                     boolean showText) {
        sb.append("<div class=\"method\" data-method=\"").append(esc(e.method())).append("\">\n")
          .append("<h3>").append(esc(e.method())).append(" <small>explaining ")
          .append(esc(Heat.label(labels, e.target(), e.label()))).append("</small></h3>\n");
        if (showText) {
            sb.append("<p class=\"input\">").append(esc(e.text())).append("</p>\n");
        }
        List<Words.Word> words = Words.words(e);
        double wordMax = Heat.maxAbs(words.stream().mapToDouble(Words.Word::relevance).toArray());
        double tokMax = Heat.maxAbs(e.relevance());

        sb.append("<div class=\"heat lvl-word\">");
        String text = e.text();
        int pos = 0;
        for (Words.Word w : words) {
            sb.append(esc(w.start() >= pos ? text.substring(pos, w.start()) : " "));
            StringBuilder idx = new StringBuilder();
            for (int i : w.tokenIndices()) {
                idx.append(idx.length() > 0 ? " " : "").append(i);
            }
            appendSpan(sb, "w", "data-tokens=\"" + idx + "\"", w.text(), w.relevance(), wordMax);
            pos = Math.max(pos, w.end());
        }
        sb.append("</div>\n<div class=\"heat lvl-token\">");
        for (Words.Token t : Words.tokens(e)) {
            sb.append(t.index() > 0 ? " " : "");
            appendSpan(sb, t.special() ? "t sp" : "t", "data-i=\"" + t.index() + "\"", t.token(),
                    t.relevance(), tokMax);
        }
        sb.append("</div>\n<div class=\"scale\"><span class=\"bar\"></span> max |R|: ")
          .append("<span class=\"lvl-word\">").append(Heat.num(wordMax)).append(" (words)</span>")
          .append("<span class=\"lvl-token\">").append(Heat.num(tokMax)).append(" (tokens)</span>")
          .append("</div>\n<p class=\"cons\">")
          .append(esc(ConservationLine.of(e))).append("</p>\n</div>\n");
    }

    private static void appendSpan(StringBuilder sb, String cls, String attr, String label,
                                   double r, double max) {
        int[] c = Heat.rgb(r, max);
        String fg = Heat.darkText(c) ? "#000" : "#fff";
        sb.append("<span class=\"").append(cls).append("\" ").append(attr)
          .append(" data-r=\"").append(r).append("\" title=\"")
          .append(esc(label + "  R = " + Heat.signed(r, 6)))
          .append("\" style=\"background:rgb(").append(c[0]).append(',').append(c[1]).append(',')
          .append(c[2]).append(");color:").append(fg).append("\">").append(esc(label))
          .append("</span>");
    }

    /** Escapes text for HTML element content and quoted attribute values. */
    public static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(Character.isISOControl(ch) && ch != '\n' && ch != '\t'
                        ? '\uFFFD' : ch);
            }
        }
        return b.toString();
    }

    private static final String CSS = """
            body{font-family:system-ui,sans-serif;margin:1.5em;color:#222;background:#fafafa}
            h1{font-size:1.4em}h2{font-size:1.15em;margin-bottom:.2em}h3{font-size:1em;margin:.8em 0 .3em}
            h3 small{font-weight:normal;color:#666}
            input[name=level]{margin-left:1em}
            .text{border-top:1px solid #ccc;margin-top:1em}
            .input{font-style:italic;color:#444;white-space:pre-wrap}
            .heat{font-family:ui-monospace,monospace;line-height:2;white-space:pre-wrap;
              background:#fff;border:1px solid #ddd;padding:.3em .5em}
            .heat span{padding:.1em .15em;border-radius:3px;cursor:default}
            .heat .sp{outline:1px dashed #999}
            .bar{display:inline-block;width:10em;height:.9em;vertical-align:middle;margin:0 .4em;
              border:1px solid #aaa;background:linear-gradient(to right,rgb(0,0,255),#fff,rgb(255,0,0))}
            .scale,.cons{font-size:.85em;color:#555;margin:.2em 0}
            .scale .bar{width:6em;height:.7em}
            #lvl-word:checked~main .lvl-token{display:none}
            #lvl-token:checked~main .lvl-word{display:none}
            .status{position:fixed;bottom:0;right:0;background:#333;color:#fff;padding:.2em .6em;
              font-family:ui-monospace,monospace;font-size:.85em;display:none}
            """;

    private static final String JS = """
            (function(){
              var st=document.getElementById('status');
              document.addEventListener('mouseover',function(ev){
                var el=ev.target.closest?ev.target.closest('[data-r]'):null;
                if(!el){st.style.display='none';return;}
                var what=el.hasAttribute('data-i')?'token '+el.getAttribute('data-i')
                  :'tokens '+el.getAttribute('data-tokens');
                st.textContent=what+'  '+el.textContent+'  R = '+el.getAttribute('data-r');
                st.style.display='block';
              });
            })();
            """;
}
