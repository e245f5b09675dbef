package io.lrp.viz;

import io.lrp.explain.Explanation;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Hand-built explanations for the view tests. */
final class Fixtures {

    private Fixtures() {}

    static final String TEXT = "the film is charming, snarglefluxy";
    static final String[] TOKENS = {"[CLS]", "the", "film", "is", "charming", ",", "s", "##nar",
        "##gle", "##fl", "##ux", "##y", "[SEP]"};
    static final int[][] OFFSETS = {{0, 0}, {0, 3}, {4, 8}, {9, 11}, {12, 20}, {20, 21},
        {22, 23}, {23, 26}, {26, 29}, {29, 31}, {31, 33}, {33, 34}, {0, 0}};
    static final double[] RELEVANCE = {0.05, 0.01, 0.1, -0.082, 0.41, 0.003, -0.1, -0.05, 0.02,
        -0.07, 0.01, -0.04, 0.2};
    static final double[] LOGITS = {-1.25, 1.75};
    static final List<String> LABELS = List.of("NEGATIVE", "POSITIVE");

    /** The film sentence explained by {@code method} for POSITIVE. */
    static Explanation film(String method, double[] relevance, Double bias) {
        boolean[] special = new boolean[TOKENS.length];
        special[0] = true;
        special[TOKENS.length - 1] = true;
        int[] ids = new int[TOKENS.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = 100 + 7 * i;
        }
        double sum = 0;
        for (double r : relevance) {
            sum += r;
        }
        return new Explanation(TEXT, "toy-bert", method, 1, "POSITIVE", LOGITS.clone(),
                TOKENS.clone(), ids, deepCopy(OFFSETS), special, relevance.clone(),
                new Explanation.Conservation(sum, LOGITS[1], bias));
    }

    static Explanation film() {
        return film("lrp-ah-ln", RELEVANCE, 0.25);
    }

    /** [CLS] + word/punctuation tokens of {@code text} + [SEP]; relevance i-th = (i%5-2)/10. */
    static Explanation simple(String text, String method) {
        List<String> toks = new ArrayList<>(List.of("[CLS]"));
        List<int[]> offs = new ArrayList<>(List.of(new int[] {0, 0}));
        Matcher m = Pattern.compile("\\w+|[^\\w\\s]").matcher(text);
        while (m.find()) {
            toks.add(m.group());
            offs.add(new int[] {m.start(), m.end()});
        }
        toks.add("[SEP]");
        offs.add(new int[] {0, 0});
        int n = toks.size();
        boolean[] special = new boolean[n];
        special[0] = true;
        special[n - 1] = true;
        double[] rel = new double[n];
        int[] ids = new int[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            rel[i] = (i % 5 - 2) / 10.0 + i * 1e-3;
            ids[i] = i;
            sum += rel[i];
        }
        return new Explanation(text, "toy", method, 0, "NEGATIVE", new double[] {0.3, -0.3},
                toks.toArray(String[]::new), ids, offs.toArray(int[][]::new), special, rel,
                new Explanation.Conservation(sum, 0.3, null));
    }

    private static int[][] deepCopy(int[][] a) {
        int[][] out = new int[a.length][];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i].clone();
        }
        return out;
    }
}
