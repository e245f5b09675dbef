package io.lrp.models.roberta;

import io.lrp.LrpException;
import io.lrp.autograd.Ops;
import io.lrp.autograd.Role;
import io.lrp.autograd.Tape;
import io.lrp.autograd.Var;
import io.lrp.explain.Cost;
import io.lrp.models.Batch;
import io.lrp.models.Model;
import io.lrp.models.bert.BertConfig;
import io.lrp.models.bert.BertModel;
import io.lrp.nn.Linear;
import io.lrp.nn.Weights;
import io.lrp.tensor.Tensor;
import io.lrp.text.Tokenizer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RobertaForSequenceClassification (also XLM-RoBERTa, the same layout): BERT's encoder under the
 * "roberta." names, position ids that start after the padding id (cumsum(ids != pad) * (ids != pad)
 * + pad), and the head out_proj(tanh(dense(h[0]))). Roles: methods.md section 8.2.
 */
public final class RobertaModel implements Model {
    private final String name, family;
    private final BertConfig config;
    private final BertModel encoder;        // embeddings and layers; its own head unused
    private final Linear dense, outProj;    // classifier.dense [H, H], classifier.out_proj [C, H]

    private RobertaModel(String name, String family, BertConfig config, BertModel encoder, Linear dense, Linear outProj) {
        this.name = name;
        this.family = family;
        this.config = config;
        this.encoder = encoder;
        this.dense = dense;
        this.outProj = outProj;
    }

    /** The weight names: BERT's below "roberta." (prefix optional), the head's "classifier.dense" and "classifier.out_proj". */
    public static RobertaModel load(String name, String family, BertConfig c, Weights weights, Tokenizer tokenizer) {
        Weights w = weights.withPrefixes("roberta.");
        if (c.maxPositions() <= c.padId() + 1) {
            throw new LrpException(w.source() + ": max_position_embeddings " + c.maxPositions() + " leaves no position after pad_token_id "
                    + c.padId());
        }
        BertModel encoder = BertModel.load(name, c, w, null, tokenizer);
        Linear dense = null, out = null;
        if (w.has("classifier.out_proj.weight")) {
            dense = Linear.load(w, "classifier.dense", c.hidden(), c.hidden(), Role.HEAD_LINEAR);
            out = Linear.load(w, "classifier.out_proj", c.labels().size(), c.hidden(), Role.HEAD_LINEAR);
        }
        return new RobertaModel(name, family, c, encoder, dense, out);
    }

    @Override public String name() { return name; }
    @Override public String family() { return family; }
    @Override public String source() { return encoder.source(); }
    @Override public List<String> labels() { return config.labels(); }
    /** Positions pad + 1 .. max - 1 are usable. */
    @Override public int maxLength() { return config.maxPositions() - config.padId() - 1; }
    @Override public int unkId() { return encoder.unkId(); }
    @Override public int padId() { return config.padId(); }
    @Override public Tokenizer tokenizer() { return encoder.tokenizer(); }

    @Override public String head() { return outProj == null ? "none (encoder only)" : "token 0: dense, tanh, out_proj"; }

    @Override public String describe() {
        return String.format("RoBERTa encoder, %d layers, hidden %d, %d heads, FFN %d, vocab %d, max %d tokens, head %s, %d labels",
                config.layers(), config.hidden(), config.heads(), config.intermediate(), config.vocabSize(), maxLength(),
                head(), config.labels().size());
    }

    @Override public Cost cost(int tokens) { return encoder.cost(tokens); }

    @Override public Tensor embed(Batch batch) {
        int[] pos = new int[batch.ids().length];
        int pad = config.padId();
        for (int b = 0; b < batch.size(); b++) {
            int count = 0;
            for (int t = 0; t < batch.length(); t++) {
                int i = b * batch.length() + t;
                boolean real = batch.ids()[i] != pad;
                if (real) count++;
                pos[i] = real ? count + pad : pad;
            }
        }
        return encoder.embeddings().embed(batch, pos);
    }

    @Override public Var forward(Tape tape, Var x, Batch batch) {
        if (outProj == null) {
            throw new LrpException("model " + name + " is an encoder without a classification head: give a "
                    + "RobertaForSequenceClassification checkpoint");
        }
        Var last = encoder.encode(tape, x, batch);
        tape.mark("encoder_output", last);
        Var first = Ops.firstToken(tape, last, batch.size(), batch.length());
        Var hidden = Ops.tanh(tape, dense.apply(tape, first), Role.ACTIVATION);
        return outProj.apply(tape, hidden);
    }

    @Override public Map<String, Var> parameters() {
        Map<String, Var> p = new LinkedHashMap<>(encoder.parameters());
        for (Linear lin : new Linear[] {dense, outProj}) {
            if (lin == null) continue;
            p.put(lin.name() + ".weight", lin.weight());
            p.put(lin.name() + ".bias", lin.bias());
        }
        return p;
    }
}
