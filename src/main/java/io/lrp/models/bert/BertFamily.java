package io.lrp.models.bert;

import io.lrp.io.HfConfig;
import io.lrp.models.Checkpoint;
import io.lrp.models.Family;
import io.lrp.models.Model;
import io.lrp.nn.Weights;
import java.util.List;

/**
 * BERT ({@code model_type: bert}): BertModel (encoder only) and BertForSequenceClassification
 * ([CLS] pooler, tanh, classifier). Config fields: {@link HfConfig}; weights "bert."-prefixed or not.
 */
public final class BertFamily implements Family {
    @Override public List<String> modelTypes() { return List.of("bert"); }
    @Override public List<String> architectures() { return List.of("BertModel", "BertForSequenceClassification"); }

    @Override public Model load(Checkpoint c) { return load(c.name(), HfConfig.read(c.configFile()), c.weights(), c.tokenizer()); }

    /** A BERT model from its config and weights (safetensors or an ONNX export's initializers). */
    public static BertModel load(String name, HfConfig hf, Weights weights, io.lrp.text.Tokenizer tokenizer) {
        Weights w = weights.withPrefixes("bert.");
        // the layer count before anything is allocated; unused weights and special tokens after
        io.lrp.models.ModelChecks.checkLayerCount(w, hf.numHiddenLayers(), w.configSource(), "num_hidden_layers");
        boolean classifier = w.has("classifier.weight");
        BertConfig c = config(hf, classifier && w.has("pooler.dense.weight") ? BertConfig.Pooling.CLS_POOLER : BertConfig.Pooling.MEAN);
        BertModel m = BertModel.load(name, c, w, classifier ? w : null, tokenizer);
        io.lrp.models.ModelChecks.checkUnused(w, hf.numHiddenLayers(), w.configSource());
        io.lrp.models.ModelChecks.warnIfNoSpecialTokens(tokenizer, c.pooling() == BertConfig.Pooling.CLS_POOLER, name);
        return m;
    }

    public static BertConfig config(HfConfig hf, BertConfig.Pooling pooling) {
        return new BertConfig(hf.vocabSize(), hf.hiddenSize(), hf.numHiddenLayers(), hf.numAttentionHeads(),
                hf.intermediateSize(), hf.maxPositionEmbeddings(), hf.typeVocabSize(), hf.layerNormEps(),
                hf.padTokenId(), hf.id2label(), pooling);
    }
}
