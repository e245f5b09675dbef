package io.lrp.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lrp.LrpException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A BERT WordPiece tokenizer: a {@link HfTokenizer} whose tokenizer.json must hold a WordPiece
 * model, or one built from a {@code vocab.txt} (and the {@code do_lower_case} /
 * {@code strip_accents} / {@code tokenize_chinese_chars} of tokenizer_config.json), as
 * transformers' BertTokenizerFast converts a vocab-only directory.
 */
public final class WordPieceTokenizer extends HfTokenizer {

    private WordPieceTokenizer(String source, byte[] json, List<JsonNode> siblings) {
        super(source, json, siblings);
        if (!kind().equals("WordPiece")) {
            throw new LrpException("unsupported tokenizer in " + source + ": model type '" + kind() + "', expected WordPiece");
        }
    }

    /** Loads a WordPiece {@code tokenizer.json} file. */
    public static WordPieceTokenizer load(Path tokenizerJson) {
        return new WordPieceTokenizer(tokenizerJson.toString(), read(tokenizerJson), siblings(tokenizerJson));
    }

    /** Loads a WordPiece {@code tokenizer.json} classpath resource, e.g. {@code all-minilm-l6-v2-tokenizer.json}. */
    public static WordPieceTokenizer loadClasspath(String resource) {
        return new WordPieceTokenizer(classpathSource(resource), readClasspath(resource), null);
    }

    /**
     * A BERT tokenizer from {@code vocab.txt} (one token per line, line n = id n - 1) and the
     * tokenizer_config.json beside it (lowercasing defaults to true, as in BertTokenizer).
     */
    public static WordPieceTokenizer fromVocab(Path vocabTxt) {
        List<String> lines;
        try {
            lines = Files.readAllLines(vocabTxt, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LrpException("cannot read " + vocabTxt + ": " + e.getMessage(), e);
        }
        List<JsonNode> siblings = siblings(vocabTxt);
        JsonNode cfg = siblings.isEmpty() ? new ObjectMapper().createObjectNode() : siblings.get(0);
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ObjectNode vocab = m.createObjectNode();
        for (int i = 0; i < lines.size(); i++) {
            String t = lines.get(i);
            if (t.isEmpty() && i == lines.size() - 1) break;
            if (!vocab.has(t)) vocab.put(t, i);
        }
        String unk = text(cfg, "unk_token", "[UNK]"), cls = text(cfg, "cls_token", "[CLS]"), sep = text(cfg, "sep_token", "[SEP]");
        for (String required : List.of(unk, cls, sep)) {
            if (!vocab.has(required)) throw new LrpException(vocabTxt + ": special token " + required + " is not in the vocabulary");
        }
        ArrayNode added = root.putArray("added_tokens");
        for (String key : List.of("pad_token", "unk_token", "cls_token", "sep_token", "mask_token")) {
            String t = text(cfg, key, null);
            if (t == null || !vocab.has(t)) continue;
            ObjectNode a = added.addObject();
            a.put("id", vocab.get(t).asInt()).put("content", t).put("single_word", false).put("lstrip", false)
                    .put("rstrip", false).put("normalized", false).put("special", true);
        }
        boolean lower = cfg.path("do_lower_case").asBoolean(true);
        ObjectNode norm = root.putObject("normalizer");
        norm.put("type", "BertNormalizer").put("clean_text", true)
                .put("handle_chinese_chars", cfg.path("tokenize_chinese_chars").asBoolean(true)).put("lowercase", lower);
        if (cfg.path("strip_accents").isBoolean()) norm.put("strip_accents", cfg.get("strip_accents").asBoolean());
        else norm.putNull("strip_accents"); // null: follow lowercase, as BertTokenizer does
        root.putObject("pre_tokenizer").put("type", "BertPreTokenizer");
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "BertProcessing");
        post.putArray("sep").add(sep).add(vocab.get(sep).asInt());
        post.putArray("cls").add(cls).add(vocab.get(cls).asInt());
        root.putObject("decoder").put("type", "WordPiece").put("prefix", "##").put("cleanup", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "WordPiece").put("unk_token", unk).put("continuing_subword_prefix", "##")
                .put("max_input_chars_per_word", 100);
        model.set("vocab", vocab);
        try {
            return new WordPieceTokenizer(vocabTxt.toString(), m.writeValueAsBytes(root), siblings);
        } catch (IOException e) {
            throw new LrpException("cannot build a tokenizer from " + vocabTxt + ": " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode cfg, String key, String dflt) {
        JsonNode v = cfg.path(key);
        if (v.isTextual()) return v.asText();
        if (v.path("content").isTextual()) return v.path("content").asText();
        return dflt;
    }
}
