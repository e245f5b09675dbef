package io.lrp.viz;

import io.lrp.explain.Explanation;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.select.Elements;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HtmlReportTest {

    private static final String INJECTION = "<script>alert(1)</script> & \"quotes\"";

    private static final List<List<Explanation>> TEXTS = List.of(
            List.of(Fixtures.film(), Fixtures.film("gi", Fixtures.RELEVANCE, null)),
            List.of(Fixtures.simple(INJECTION, "lrp-ah-ln"), Fixtures.simple(INJECTION, "gi")));

    private static final String HTML = HtmlReport.render("report <b>", TEXTS, Fixtures.LABELS);

    @Test
    void tokenSpansCarryIndexAndExactRelevance() {
        Document doc = Jsoup.parse(HTML);
        Elements sections = doc.select("section.text");
        assertEquals(2, sections.size());
        int methods = 0;
        for (int s = 0; s < TEXTS.size(); s++) {
            Elements blocks = sections.get(s).select("div.method");
            assertEquals(TEXTS.get(s).size(), blocks.size());
            for (int m = 0; m < blocks.size(); m++) {
                Explanation e = TEXTS.get(s).get(m);
                Element block = blocks.get(m);
                assertEquals(e.method(), block.attr("data-method"));
                Elements spans = block.select("span.t");
                assertEquals(e.tokens().length, spans.size());
                for (int i = 0; i < spans.size(); i++) {
                    Element sp = spans.get(i);
                    assertEquals(i, Integer.parseInt(sp.attr("data-i")));
                    assertEquals(e.tokens()[i], sp.text());
                    double r = Double.parseDouble(sp.attr("data-r"));
                    assertEquals(e.relevance()[i], r, 1e-9 * Math.abs(e.relevance()[i]));
                    assertTrue(sp.hasAttr("title"));
                }
                List<Words.Word> words = Words.words(e);
                Elements ws = block.select("span.w");
                assertEquals(words.size(), ws.size());
                for (int w = 0; w < ws.size(); w++) {
                    assertEquals(words.get(w).text(), ws.get(w).text());
                    assertEquals(words.get(w).relevance(), Double.parseDouble(ws.get(w).attr("data-r")),
                            1e-9 * Math.abs(words.get(w).relevance()));
                }
                String cons = block.selectFirst("p.cons").text();
                assertEquals(ConservationLine.of(e), cons);
                assertEquals(e.conservation().bias() != null, cons.startsWith("sum R + bias = "), cons);
                methods++;
            }
        }
        assertEquals(4, methods);
    }

    @Test
    void wordViewSumsSubTokensAndColoursByScale() {
        Document doc = Jsoup.parse(HTML);
        Element block = doc.select("div.method").first();
        Element snarg = block.select("span.w").stream()
                .filter(x -> x.text().equals("snarglefluxy")).findFirst().orElseThrow();
        assertEquals("6 7 8 9 10 11", snarg.attr("data-tokens"));
        assertEquals(-0.1 + -0.05 + 0.02 + -0.07 + 0.01 + -0.04,
                Double.parseDouble(snarg.attr("data-r")), 0.0);
        Element charming = block.select("span.t[data-i=4]").first();
        assertTrue(charming.attr("style").contains("background:rgb(255,0,0)"), charming.outerHtml());
        Element is = block.select("span.t[data-i=3]").first();
        assertTrue(is.attr("style").contains("background:rgb(204,204,255)"), is.outerHtml());
        assertTrue(block.selectFirst("p.cons").text().startsWith("sum R + bias = 0.461 + 0.25 = 0.711, logit = 1.75: not equal"));
    }

    @Test
    void pageHasSwitchLegendAndPrediction() {
        Document doc = Jsoup.parse(HTML);
        Elements radios = doc.select("input[type=radio][name=level]");
        assertEquals(2, radios.size());
        assertEquals(1, doc.select("input#lvl-word[checked]").size());
        assertEquals(1, doc.select("div.legend").size());
        String pred = doc.select("p.prediction").first().text();
        assertEquals("prediction: POSITIVE (NEGATIVE 0.0474, POSITIVE 0.9526)", pred);
        assertEquals("report <b>", doc.title());
    }

    @Test
    void selfContainedAndInjectionEscaped() {
        Document doc = Jsoup.parse(HTML);
        assertEquals(0, doc.select("script[src]").size());
        assertEquals(0, doc.select("link").size());
        assertEquals(0, doc.select("img, iframe, object, embed").size());
        String lower = HTML.toLowerCase(Locale.ROOT);
        assertFalse(lower.contains("http://"));
        assertFalse(lower.contains("https://"));
        assertFalse(lower.contains("url("));
        assertFalse(lower.contains("@import"));
        Elements scripts = doc.select("script");
        assertEquals(1, scripts.size());
        assertFalse(scripts.first().data().contains("alert"));
        assertFalse(HTML.contains("<script>alert"));
        assertTrue(HTML.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;"));
        Element input = doc.select("section.text").get(1).selectFirst("p.input");
        assertEquals(INJECTION, input.text());
        assertEquals(0, doc.select("b:not(p.prediction b)").size());
    }

    @Test
    void writesUtf8File(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("r.html");
        HtmlReport.write(f, "t", TEXTS, Fixtures.LABELS);
        assertEquals(HtmlReport.render("t", TEXTS, Fixtures.LABELS), Files.readString(f));
    }
}
