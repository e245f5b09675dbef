package io.lrp.serve;

import io.lrp.LrpException;
import io.lrp.models.Model;
import io.lrp.models.ModelLoader;
import io.lrp.models.bert.BertConfig;
import io.lrp.models.bert.BertModel;
import io.lrp.models.paper.PaperModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The models a server was started with, loaded once and shared by every request (a model is
 * read-only after loading). A request names a model by its name here; the name is only ever a
 * key of this map, never a path, so no request can make the server open a file.
 */
final class ServedModels {
    private final Map<String, Model> byName;

    private ServedModels(Map<String, Model> byName) { this.byName = Collections.unmodifiableMap(byName); }

    static ServedModels load(List<String> specs) {
        Map<String, Model> m = new LinkedHashMap<>();
        for (String spec : specs) {
            Model model = ModelLoader.load(spec);
            if (model instanceof io.lrp.models.decoder.DecoderModel) {
                throw new LrpException(spec + ": a " + model.family() + " decoder language model, which lrp serve does not serve"
                        + " (explain its next tokens with lrp explain)");
            }
            String name = ModelLoader.BUILT_IN.contains(spec) ? spec : model.name();
            if (m.containsKey(name)) throw new LrpException("two models named '" + name + "' in --models");
            m.put(name, model);
        }
        return new ServedModels(m);
    }

    static ServedModels of(Map<String, Model> models) { return new ServedModels(new LinkedHashMap<>(models)); }

    List<String> names() { return new ArrayList<>(byName.keySet()); }

    Map<String, Model> all() { return byName; }

    /** The model of this name, or a 400 that lists the names there are. */
    Model get(String name) {
        Model m = byName.get(name);
        if (m == null) throw ApiException.badRequest("unknown model '" + Json.clip(name) + "': this server has " + String.join(", ", byName.keySet()));
        return m;
    }

    /** The first model that can explain (the default of /api/explain). */
    String defaultClassifier() {
        for (var e : byName.entrySet()) if (canExplain(e.getValue())) return e.getKey();
        return null;
    }

    /** The first mean-pooling encoder, the plain encoder preferred (the default of /api/similar). */
    String defaultEncoder() {
        String any = null;
        for (var e : byName.entrySet()) {
            if (!canCompare(e.getValue())) continue;
            if (e.getValue().labels().isEmpty()) return e.getKey();
            if (any == null) any = e.getKey();
        }
        return any;
    }

    static boolean canExplain(Model m) { return !m.labels().isEmpty() && m.tokenizer() != null; }

    static boolean canCompare(Model m) {
        return m instanceof BertModel b && b.config().pooling() == BertConfig.Pooling.MEAN && m.tokenizer() != null;
    }

    static String family(Model m) {
        if (m instanceof BertModel) return "bert";
        if (m instanceof PaperModel) return "paper";
        return m.getClass().getSimpleName();
    }
}
