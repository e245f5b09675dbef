package io.lrp.models.distilbert;

import io.lrp.models.Checkpoint;
import io.lrp.models.Family;
import io.lrp.models.Model;
import java.util.List;

/** DistilBERT ({@code model_type: distilbert}): config {@link DistilBertConfig}, weights and forward {@link DistilBertModel}. */
public final class DistilBertFamily implements Family {
    @Override public List<String> modelTypes() { return List.of("distilbert"); }
    @Override public List<String> architectures() { return List.of("DistilBertModel", "DistilBertForSequenceClassification"); }

    @Override public Model load(Checkpoint c) {
        return DistilBertModel.load(c.name(), DistilBertConfig.read(c.configFile()), c.weights(), c.tokenizer());
    }
}
