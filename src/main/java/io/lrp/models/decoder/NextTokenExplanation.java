package io.lrp.models.decoder;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * One method's explanation of a next-token logit over the tokens before it, with the fields of
 * the decoder JSON contract (golden README, "Causal LMs"): {@code logits} is null (the vocabulary
 * is too large to print), {@code top} holds the highest next-token logits, {@code label} is the
 * explained token's text.
 */
public record NextTokenExplanation(String text, String model, String method, int target, String label,
                                   List<TopToken> top, String[] tokens, int[] ids, double[] relevance,
                                   Conservation conservation) {

    /** One of the highest next-token logits: id, vocabulary entry, logit. */
    public record TopToken(int id, String token, double logit) {}

    /** sum of relevance, the explained logit, and the bias relevance (lrp-ah-ln only, else null). */
    public record Conservation(double sum, double logit, Double bias) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The explanation as one JSON object (one line of a JSON Lines file). */
    public String toJson() { return toJsonObject().toString(); }

    /** The fields of {@link #toJson} as a tree (callers may add fields, e.g. provenance). */
    public ObjectNode toJsonObject() {
        ObjectNode o = JSON.createObjectNode();
        o.put("text", text);
        o.put("model", model);
        o.put("method", method);
        o.put("target", target);
        o.put("label", label);
        o.putNull("logits");
        ArrayNode t = o.putArray("top");
        for (TopToken tt : top) t.addArray().add(tt.id()).add(tt.token()).add(tt.logit());
        ArrayNode tok = o.putArray("tokens");
        for (String s : tokens) tok.add(s);
        ArrayNode id = o.putArray("ids");
        for (int i : ids) id.add(i);
        ArrayNode r = o.putArray("relevance");
        for (double v : relevance) r.add(v);
        ObjectNode c = o.putObject("conservation");
        c.put("sum", conservation.sum());
        c.put("logit", conservation.logit());
        if (conservation.bias() == null) c.putNull("bias");
        else c.put("bias", conservation.bias());
        return o;
    }
}
