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

    public static ObjectNode json(Map<String, Curves.Summary> summaries) {
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
        }
        return root;
    }

    /** Method names by AUAC descending (ties: the given order). */
    public static List<String> byAuac(Map<String, Curves.Summary> summaries) {
        List<String> names = new ArrayList<>(summaries.keySet());
        names.sort(Comparator.comparingDouble((String m) -> summaries.get(m).auac()).reversed());
        return names;
    }

    public static String markdown(Map<String, Curves.Summary> summaries) {
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
