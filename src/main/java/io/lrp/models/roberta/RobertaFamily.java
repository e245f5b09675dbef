package io.lrp.models.roberta;

import io.lrp.io.HfConfig;
import io.lrp.models.Checkpoint;
import io.lrp.models.Family;
import io.lrp.models.Model;
import io.lrp.models.bert.BertConfig;
import io.lrp.models.bert.BertFamily;
import java.util.List;

/** RoBERTa and XLM-RoBERTa ({@code model_type: roberta, xlm-roberta}): BERT's config fields ({@link HfConfig}), {@link RobertaModel}. */
public final class RobertaFamily implements Family {
    @Override public List<String> modelTypes() { return List.of("roberta", "xlm-roberta"); }

    @Override public List<String> architectures() {
        return List.of("RobertaModel", "RobertaForSequenceClassification", "XLMRobertaModel", "XLMRobertaForSequenceClassification");
    }

    @Override public Model load(Checkpoint c) {
        HfConfig hf = HfConfig.read(c.configFile());
        BertConfig config = BertFamily.config(hf, BertConfig.Pooling.MEAN); // (the encoder's own head is not used)
        return RobertaModel.load(c.name(), hf.modelType(), config, c.weights(), c.tokenizer());
    }
}
