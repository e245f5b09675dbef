package io.lrp.explain;

/**
 * One explanation: the relevance of every model input token (special tokens included) for one
 * logit, with the numbers needed to check conservation.
 *
 * @param text      the input text (or a rendering of the ids when ids were given)
 * @param model     model name
 * @param method    method name as in methods.md (gi, lrp-ah-ln, ...)
 * @param target    index of the explained logit
 * @param label     the model's name for that index
 * @param logits    the model's logits
 * @param tokens    token strings
 * @param ids       token ids
 * @param offsets   [start, end) character offsets into text; [0, 0] for special tokens
 * @param special   true where the token was added by the tokenizer
 * @param relevance one value per token
 * @param conservation sum of relevance, explained logit, and bias relevance (null where undefined)
 * @param provenance what produced it (library, model and weights, method and rule set, kernels, Java); null if unknown
 */
public record Explanation(String text, String model, String method, int target, String label,
                          double[] logits, String[] tokens, int[] ids, int[][] offsets,
                          boolean[] special, double[] relevance, Conservation conservation, Provenance provenance) {

    /** An explanation without provenance (read back from JSON, built by hand). */
    public Explanation(String text, String model, String method, int target, String label, double[] logits, String[] tokens,
                       int[] ids, int[][] offsets, boolean[] special, double[] relevance, Conservation conservation) {
        this(text, model, method, target, label, logits, tokens, ids, offsets, special, relevance, conservation, null);
    }

    /** sum + bias = logit holds for lrp-ah-ln; bias is null for methods where it is not defined. */
    public record Conservation(double sum, double logit, Double bias) {}
}
