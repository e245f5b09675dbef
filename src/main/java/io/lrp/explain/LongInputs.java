package io.lrp.explain;

import io.lrp.LrpException;
import io.lrp.text.Encoding;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What to do with an input longer than the model's window: refuse it (the default), cut it, or
 * explain it in overlapping windows.
 *
 * <p>Windows: the content tokens (the encoding without its leading and trailing special tokens)
 * are covered by windows of {@code max - specials} tokens starting every {@code stride} tokens
 * (default half a window), the last window ending at the document's end; each window gets the
 * document's own special tokens. The document's logits are the mean of the K windows' logits, and
 * a token's relevance is the sum, over the windows that contain it, of its relevance there,
 * divided by K (the special tokens are in every window). Since each window's relevance plus its
 * bias relevance adds up to the window's logit, the document's does to the mean logit.
 */
public enum LongInputs {
    /** An over-long input is an error naming the two options. */
    REFUSE,
    /** The first {@code max - trailing specials} tokens and the closing special tokens. */
    TRUNCATE,
    /** Overlapping windows, explanations averaged. */
    WINDOW;

    /** --long window|truncate. */
    public static LongInputs parse(String s) {
        if (s == null) return REFUSE;
        return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "window" -> WINDOW;
            case "truncate" -> TRUNCATE;
            default -> throw new LrpException("unknown --long '" + s + "': choose window or truncate");
        };
    }

    /** The message for an input over the limit without --long. */
    static String refusal(int tokens, String model, int max) {
        return "input of " + tokens + " tokens exceeds the limit of model " + model + " (" + max + " tokens); "
                + "pass --long window (explain it in overlapping windows) or --long truncate (cut it)";
    }

    /** A window: content tokens [from, to) of the document, and its encoding with the special tokens. */
    public record Window(int from, int to, Encoding encoding) {}

    /** Leading special tokens of an encoding. */
    static int prefix(Encoding e) {
        int p = 0;
        while (p < e.length() && e.special()[p]) p++;
        return p;
    }

    /** Trailing special tokens of an encoding (none when it is all special). */
    static int suffix(Encoding e) {
        int s = 0;
        while (s < e.length() - prefix(e) && e.special()[e.length() - 1 - s]) s++;
        return s;
    }

    /** Content tokens per window for a model of max tokens. */
    static int windowSize(Encoding e, int max) {
        int w = max - prefix(e) - suffix(e);
        if (w < 1) throw new LrpException("the model's limit of " + max + " tokens leaves no room beside the special tokens");
        return w;
    }

    /**
     * The windows covering an encoding longer than max: starts 0, stride, 2 stride, ... while the
     * previous window ends before the content does; stride 0 means half a window.
     */
    public static List<Window> windows(Encoding e, int max, int stride) {
        int p = prefix(e), s = suffix(e), content = e.length() - p - s, w = windowSize(e, max);
        int step = stride > 0 ? stride : Math.max(1, w / 2);
        if (step > w) throw new LrpException("--stride " + step + " is larger than a window (" + w + " tokens): tokens would be skipped");
        List<Window> out = new ArrayList<>();
        for (int from = 0; ; from += step) {
            int to = Math.min(content, from + w);
            out.add(new Window(from, to, slice(e, p, s, from, to)));
            if (to >= content) break;
        }
        return out;
    }

    private static Encoding slice(Encoding e, int p, int s, int from, int to) {
        int n = p + (to - from) + s;
        String[] tokens = new String[n];
        int[] ids = new int[n];
        int[][] offsets = new int[n][];
        boolean[] special = new boolean[n];
        for (int i = 0; i < n; i++) {
            int src = docIndex(e.length(), p, s, from, to, i);
            tokens[i] = e.tokens()[src];
            ids[i] = e.ids()[src];
            offsets[i] = e.offsets()[src];
            special[i] = e.special()[src];
        }
        return new Encoding(tokens, ids, offsets, special);
    }

    /** The document position of token i of the window over content [from, to). */
    static int docIndex(int docLength, int p, int s, int from, int to, int i) {
        int len = to - from;
        if (i < p) return i;
        if (i < p + len) return p + from + (i - p);
        return docLength - s + (i - p - len);
    }

    /**
     * Relevance of the document from the windows' relevance vectors: for each token, the sum over
     * the windows containing it divided by the number of windows.
     */
    public static double[] combine(Encoding doc, List<Window> windows, List<double[]> relevance) {
        int p = prefix(doc), s = suffix(doc), k = windows.size();
        double[] r = new double[doc.length()];
        for (int w = 0; w < k; w++) {
            Window win = windows.get(w);
            double[] rw = relevance.get(w);
            for (int i = 0; i < rw.length; i++) r[docIndex(doc.length(), p, s, win.from(), win.to(), i)] += rw[i];
        }
        for (int i = 0; i < r.length; i++) r[i] /= k;
        return r;
    }

    /** The first max tokens with the closing special tokens kept; the number of tokens cut is e.length() - max. */
    static Encoding truncate(Encoding e, int max) {
        int s = suffix(e);
        if (s >= max) s = 0;
        int n = max;
        String[] tokens = Arrays.copyOf(e.tokens(), n);
        int[] ids = Arrays.copyOf(e.ids(), n);
        int[][] offsets = Arrays.copyOf(e.offsets(), n);
        boolean[] special = Arrays.copyOf(e.special(), n);
        for (int j = 0; j < s; j++) { // keep the closing [SEP]
            int src = e.length() - s + j, dst = n - s + j;
            tokens[dst] = e.tokens()[src];
            ids[dst] = e.ids()[src];
            offsets[dst] = e.offsets()[src];
            special[dst] = e.special()[src];
        }
        return new Encoding(tokens, ids, offsets, special);
    }
}
