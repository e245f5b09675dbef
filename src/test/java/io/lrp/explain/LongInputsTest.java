package io.lrp.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrp.LrpException;
import io.lrp.models.ModelLoader;
import io.lrp.models.bert.BertConfig;
import io.lrp.models.bert.BertModel;
import io.lrp.models.bert.RandomBert;
import io.lrp.text.Encoding;
import io.lrp.text.WordPieceTokenizer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * --long window on a BERT classifier of 16 positions (14 content tokens per window, stride 7): a
 * document of 26 content tokens is 3 windows, [0, 14), [7, 21), [14, 26), each explained here by
 * hand as its own input, and the document's explanation must be their mean.
 */
class LongInputsTest {
    static BertModel model;
    static String doc;

    @BeforeAll
    static void setUp() {
        WordPieceTokenizer tok = WordPieceTokenizer.loadClasspath(ModelLoader.MINILM_TOKENIZER);
        BertConfig c = new BertConfig(30522, 32, 2, 4, 64, 16, 2, 1e-12, 0, List.of("negative", "positive"), BertConfig.Pooling.CLS_POOLER);
        model = RandomBert.create("tiny16", c, 3, tok);
        String[] words = {"the", "film", "is", "a", "good", "funny", "story", "but", "the", "plot", "is", "slow", "and", "the",
            "acting", "feels", "flat", "while", "the", "music", "is", "great", "and", "its", "ending", "works"};
        doc = String.join(" ", words);
        assertEquals(28, tok.encode(doc).length(), "26 words of one token each, [CLS] and [SEP]");
    }

    @Test
    void threeWindowsSplitAsDocumented() {
        Encoding e = model.tokenizer().encode(doc);
        List<LongInputs.Window> ws = LongInputs.windows(e, 16, 0);
        assertEquals(3, ws.size());
        int[][] expected = {{0, 14}, {7, 21}, {14, 26}};
        for (int k = 0; k < 3; k++) {
            LongInputs.Window w = ws.get(k);
            assertEquals(expected[k][0], w.from());
            assertEquals(expected[k][1], w.to());
            Encoding we = w.encoding();
            assertEquals("[CLS]", we.tokens()[0]);
            assertEquals("[SEP]", we.tokens()[we.length() - 1]);
            for (int i = 1; i < we.length() - 1; i++) assertEquals(e.ids()[1 + w.from() + i - 1], we.ids()[i]);
            assertTrue(we.length() <= 16);
        }
    }

    @Test
    void documentIsTheMeanOfItsThreeWindowsAndConserves() {
        for (Method method : List.of(Method.LRP_AH_LN, Method.GI, Method.ROLLOUT)) {
            Explanation d = Explainer.of(model).method(method).longInputs(LongInputs.WINDOW).explain(doc);
            Encoding e = model.tokenizer().encode(doc);
            assertEquals(28, d.relevance().length, "the whole document");
            assertEquals(28, d.tokens().length);
            // by hand: each window explained alone, for the document's target
            int[][] ranges = {{0, 14}, {7, 21}, {14, 26}};
            double[] expected = new double[28];
            double[] meanLogits = new double[2];
            double meanBias = 0;
            for (int[] rg : ranges) {
                int[] ids = new int[rg[1] - rg[0] + 2];
                ids[0] = e.ids()[0];
                for (int i = rg[0]; i < rg[1]; i++) ids[1 + i - rg[0]] = e.ids()[1 + i];
                ids[ids.length - 1] = e.ids()[27];
                Explanation w = Explainer.of(model).method(method).explainIds(ids, d.target());
                expected[0] += w.relevance()[0] / 3;
                for (int i = rg[0]; i < rg[1]; i++) expected[1 + i] += w.relevance()[1 + i - rg[0]] / 3;
                expected[27] += w.relevance()[ids.length - 1] / 3;
                for (int c = 0; c < 2; c++) meanLogits[c] += w.logits()[c] / 3;
                if (w.conservation().bias() != null) meanBias += w.conservation().bias() / 3;
            }
            double scale = 0;
            for (double v : expected) scale = Math.max(scale, Math.abs(v));
            for (int t = 0; t < 28; t++) assertEquals(expected[t], d.relevance()[t], 1e-5 * scale + 1e-9, method.id() + " token " + t);
            for (int c = 0; c < 2; c++) assertEquals(meanLogits[c], d.logits()[c], 1e-6 * Math.max(1, Math.abs(meanLogits[c])), "logit " + c);
            if (method == Method.LRP_AH_LN) {
                double logit = d.logits()[d.target()], sum = d.conservation().sum();
                assertEquals(meanBias, d.conservation().bias(), 1e-5 * Math.max(1, Math.abs(meanBias)));
                assertEquals(logit, sum + d.conservation().bias(), 1e-5 * Math.max(1, Math.abs(logit)), "sum R + bias = mean logit");
                assertEquals(logit, d.conservation().logit(), 0);
            }
        }
    }

    @Test
    void predictedClassIsTheArgmaxOfTheMeanLogits() {
        Explanation d = Explainer.of(model).longInputs(LongInputs.WINDOW).explain(doc);
        assertEquals(d.logits()[1] > d.logits()[0] ? 1 : 0, d.target());
    }

    @Test
    void strideAndRefusal() {
        Explanation d = Explainer.of(model).method(Method.GI).longInputs(LongInputs.WINDOW).stride(14).explain(doc);
        assertEquals(28, d.relevance().length);
        assertEquals(2, LongInputs.windows(model.tokenizer().encode(doc), 16, 14).size()); // [0, 14), [14, 26): no overlap
        LrpException ex = assertThrows(LrpException.class, () -> Explainer.of(model).explain(doc));
        assertTrue(ex.getMessage().contains("--long window") && ex.getMessage().contains("--long truncate"), ex.getMessage());
        assertThrows(LrpException.class, () -> LongInputs.windows(model.tokenizer().encode(doc), 16, 15));
        List<String> notes = new ArrayList<>();
        Explanation cut = Explainer.of(model).longInputs(LongInputs.TRUNCATE).notices(notes::add).explain(doc);
        assertEquals(16, cut.relevance().length);
        assertEquals("[SEP]", cut.tokens()[15]);
        assertEquals(1, notes.size());
        assertTrue(notes.get(0).contains("28 tokens cut to the model's 16: 12 tokens"), notes.get(0));
    }
}
