package io.lrp.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The summary files of an evaluation. summary.json: an object keyed by method name, each with
 * n, auac, aupc, au_mse, au_generate_m (the area of the mean generate M), fracs and the mean
 * curves mean_generate_e, mean_generate_m, mean_pruning_e, mean_pruning_m. summary.md and
 * summary.csv: one row per method, by AUAC descending.
 */
public final class Reports {
    private Reports() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    public static ObjectNode json(Map<String, Curves.Summary> summaries) { return json(summaries, null); }

    /**
     * As above; with bootstrap intervals each method also has auac_ci95 [lo, hi] and auac_diff:
     * for every other method, the difference this - other with its 95% paired bootstrap interval
     * (diff, ci95, n paired samples, excludes_zero), and bootstrap {resamples, seed, level}.
     */
    public static ObjectNode json(Map<String, Curves.Summary> summaries, Bootstrap.Result boot) {
        ObjectNode root = JSON.createObjectNode();
        for (var e : summaries.entrySet()) {
            Curves.Summary s = e.getValue();
            ObjectNode o = root.putObject(e.getKey());
            o.put("n", s.n());
            o.put("auac", s.auac());
            o.put("aupc", s.aupc());
            o.put("au_mse", s.auMse());
            o.put("au_generate_m", s.auGenerateM());
            o.set("fracs", array(s.fracs()));
            o.set("mean_generate_e", array(s.meanGenerateE()));
            o.set("mean_generate_m", array(s.meanGenerateM()));
            o.set("mean_pruning_e", array(s.meanPruningE()));
            o.set("mean_pruning_m", array(s.meanPruningM()));
            if (boot != null) addBootstrap(o, e.getKey(), summaries.keySet(), boot);
        }
        return root;
    }

    /** Method names by AUAC descending (ties: the given order). */
    public static List<String> byAuac(Map<String, Curves.Summary> summaries) {
        List<String> names = new ArrayList<>(summaries.keySet());
        names.sort(Comparator.comparingDouble((String m) -> summaries.get(m).auac()).reversed());
        return names;
    }

    private static void addBootstrap(ObjectNode o, String method, Iterable<String> methods, Bootstrap.Result boot) {
        Bootstrap.Interval ci = boot.auac().get(method);
        if (ci != null) o.set("auac_ci95", array(new double[] {ci.lo(), ci.hi()}));
        ObjectNode diffs = o.putObject("auac_diff");
        for (String other : methods) {
            if (other.equals(method)) continue;
            Bootstrap.Pair p = boot.pair(method, other);
            if (p == null) continue;
            ObjectNode d = diffs.putObject(other);
            d.put("diff", p.diff().estimate());
            d.set("ci95", array(new double[] {p.diff().lo(), p.diff().hi()}));
            d.put("n", p.n());
            d.put("excludes_zero", p.diff().excludesZero());
        }
        ObjectNode b = o.putObject("bootstrap");
        b.put("resamples", boot.resamples());
        b.put("seed", boot.seed());
        b.put("level", Bootstrap.LEVEL);
    }

    public static String markdown(Map<String, Curves.Summary> summaries) { return markdown(summaries, null); }

    /**
     * The table by AUAC descending; with bootstrap intervals, the AUAC's 95% interval in the table
     * and a second table of every pair's AUAC difference (higher minus lower) with its interval.
     */
    public static String markdown(Map<String, Curves.Summary> summaries, Bootstrap.Result boot) {
        if (boot == null) return plainMarkdown(summaries);
        StringBuilder sb = new StringBuilder();
        sb.append("| method | AUAC | AUAC 95% CI | AUPC | AU-MSE | n |\n");
        sb.append("| --- | ---: | :---: | ---: | ---: | ---: |\n");
        List<String> order = byAuac(summaries);
        for (String m : order) {
            Curves.Summary s = summaries.get(m);
            Bootstrap.Interval ci = boot.auac().get(m);
            sb.append(String.format(Locale.ROOT, "| %s | %.4f | [%.4f, %.4f] | %.4f | %.4f | %d |\n", m, s.auac(),
                    ci == null ? Double.NaN : ci.lo(), ci == null ? Double.NaN : ci.hi(), s.aupc(), s.auMse(), s.n()));
        }
        sb.append(String.format(Locale.ROOT, "%nAUAC differences with 95%% paired bootstrap intervals (%d resamples, seed %d); "
                + "\"yes\": the interval excludes 0.%n%n", boot.resamples(), boot.seed()));
        sb.append("| higher | lower | AUAC difference | 95% CI | excludes 0 | n |\n");
        sb.append("| --- | --- | ---: | :---: | :---: | ---: |\n");
        for (int i = 0; i < order.size(); i++) {
            for (int j = i + 1; j < order.size(); j++) {
                Bootstrap.Pair p = boot.pair(order.get(i), order.get(j));
                if (p == null) continue;
                Bootstrap.Interval d = p.diff();
                sb.append(String.format(Locale.ROOT, "| %s | %s | %+.4f | [%+.4f, %+.4f] | %s | %d |\n", p.a(), p.b(),
                        d.estimate(), d.lo(), d.hi(), d.excludesZero() ? "yes" : "no", p.n()));
            }
        }
        return sb.toString();
    }

    private static String plainMarkdown(Map<String, Curves.Summary> summaries) {
        StringBuilder sb = new StringBuilder();
        sb.append("| method | AUAC | AUPC | AU-MSE | n |\n");
        sb.append("| --- | ---: | ---: | ---: | ---: |\n");
        for (String m : byAuac(summaries)) {
            Curves.Summary s = summaries.get(m);
            sb.append(String.format(Locale.ROOT, "| %s | %.4f | %.4f | %.4f | %d |\n", m, s.auac(), s.aupc(), s.auMse(), s.n()));
        }
        return sb.toString();
    }

    public static String csv(Map<String, Curves.Summary> summaries) {
        StringBuilder sb = new StringBuilder("method,auac,aupc,au_mse,au_generate_m,n\n");
        for (String m : byAuac(summaries)) {
            Curves.Summary s = summaries.get(m);
            sb.append(m).append(',').append(s.auac()).append(',').append(s.aupc()).append(',')
                    .append(s.auMse()).append(',').append(s.auGenerateM()).append(',').append(s.n()).append('\n');
        }
        return sb.toString();
    }

    private static ArrayNode array(double[] v) {
        ArrayNode a = JSON.createArrayNode();
        for (double d : v) a.add(d);
        return a;
    }
}
