package io.lrp.models;

import io.lrp.LrpException;
import io.lrp.models.bert.BertFamily;
import io.lrp.models.distilbert.DistilBertFamily;
import io.lrp.models.gpt2.Gpt2Family;
import io.lrp.models.llama.LlamaFamily;
import io.lrp.models.graph.GraphFamily;
import io.lrp.models.paper.PaperFamily;
import io.lrp.models.roberta.RobertaFamily;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The family registry, keyed by config.json's model_type: a new family is one package and one line here. */
public final class Families {
    private Families() {}

    public static final List<Family> ALL = List.of(
            new BertFamily(),
            new DistilBertFamily(),
            new RobertaFamily(),
            new PaperFamily(),
            new Gpt2Family(),
            new LlamaFamily(),
            new GraphFamily());

    /** Every model_type value some family loads. */
    public static List<String> modelTypes() {
        List<String> t = new ArrayList<>();
        for (Family f : ALL) t.addAll(f.modelTypes());
        return t;
    }

    /** The family of a model_type; an unknown one is an error naming the config file and the supported values. */
    public static Family forModelType(String modelType, Path config) {
        for (Family f : ALL) if (f.modelTypes().contains(modelType)) return f;
        throw new LrpException("unsupported architecture '" + modelType + "' in " + config
                + ": supported model_type values: " + String.join(", ", modelTypes()));
    }
}
