package io.lrp.text;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrp.LrpException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A tokenizer read from a Hugging Face {@code tokenizer.json} and run by the HF tokenizers library
 * (Rust, through DJL's bundled native library): WordPiece (BERT), BPE (byte-level as in GPT-2 and
 * RoBERTa, or SentencePiece-style) and Unigram models. The unknown token is the model's
 * {@code unk_token} (Unigram: {@code unk_id}), else the {@code unk_token} of
 * tokenizer_config.json / special_tokens_map.json beside the file, else the end-of-sequence token;
 * the first and last added tokens come from the post-processor.
 *
 * <p>Padding and truncation are always off, whatever the file says; {@code [CLS]}/{@code [SEP]}
 * are added. Offsets in the returned {@link Encoding} are Java String (UTF-16) indices into the
 * original text: DJL reports spans in Unicode code points of the original string, which are
 * converted here. A span runs from the first to the last source character that survives
 * normalization (accents inside a word belong to it; combining marks stripped at the end of a
 * token are attached to it here; dropped control/format characters between pieces, e.g. U+200B,
 * belong to no token). Special tokens get [0, 0].
 *
 * <p>DJL runs offline: the class sets {@code ai.djl.offline=true} and {@code OPT_OUT_TRACKING=true}
 * as system properties (unless already set) before any DJL class is used, so no telemetry or hub
 * request is made. The native library is extracted once from the DJL jar into
 * {@code ~/.djl.ai/tokenizers/<version>-cpu-<platform>/} (or {@code $DJL_CACHE_DIR}).
 */
public class HfTokenizer implements Tokenizer, AutoCloseable {

    static {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        if (System.getProperty("OPT_OUT_TRACKING") == null) {
            System.setProperty("OPT_OUT_TRACKING", "true");
        }
    }

    private static final Map<String, String> OPTIONS = Map.of(
            "padding", "false", "truncation", "false",
            "addSpecialTokens", "true", "withOverflowingTokens", "false");

    private final HuggingFaceTokenizer tokenizer;
    private final String source;
    private final Map<Integer, String> vocab; // id -> token (a map: a forged id must not size an array)
    private final int vocabSize;              // largest id + 1
    private final Map<String, Integer> ids;  // token -> id
    private final Set<Integer> specialIds;   // added special tokens except the unknown token
    private final String kind;
    private final int unkId;
    private final boolean unkMissing;   // the model names an unknown token its vocabulary lacks
    private final int clsId;
    private final int sepId;
    private final int padId;

    /** siblings: tokenizer_config.json or special_tokens_map.json content (may be null). */
    protected HfTokenizer(String source, byte[] json, List<JsonNode> siblings) {
        this.source = source;
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new LrpException("malformed tokenizer.json: " + source + ": "
                    + firstLine(e.getMessage()), e);
        }
        JsonNode model = root == null ? null : root.get("model");
        if (model == null) throw new LrpException("malformed tokenizer.json: " + source + ": no model");
        String type = model.path("type").asText();
        ids = new HashMap<>();
        switch (type) {
            case "WordPiece", "BPE", "WordLevel" -> {
                if (!model.path("vocab").isObject()) throw new LrpException("malformed tokenizer.json: " + source + ": no model.vocab");
                for (Map.Entry<String, JsonNode> e : model.get("vocab").properties()) ids.put(e.getKey(), e.getValue().asInt());
            }
            case "Unigram" -> {
                if (!model.path("vocab").isArray()) throw new LrpException("malformed tokenizer.json: " + source + ": no model.vocab");
                int i = 0;
                for (JsonNode piece : model.get("vocab")) ids.putIfAbsent(piece.path(0).asText(), i++);
            }
            default -> throw new LrpException("unsupported tokenizer in " + source + ": model type '" + type
                    + "', expected WordPiece, BPE, Unigram or WordLevel");
        }
        kind = !type.equals("BPE") ? type
                : isByteLevel(root) ? "BPE (byte-level)"
                : model.path("byte_fallback").asBoolean(false) ? "BPE (SentencePiece, byte fallback)" : "BPE";
        Set<Integer> special = new HashSet<>();
        for (JsonNode t : root.path("added_tokens")) {
            ids.putIfAbsent(t.path("content").asText(), t.path("id").asInt());
            if (t.path("special").asBoolean(false)) {
                special.add(t.path("id").asInt());
            }
        }
        int size = 0;
        for (int id : ids.values()) {
            if (id < 0 || id == Integer.MAX_VALUE) {
                throw new LrpException("malformed tokenizer.json: " + source + ": invalid id " + id);
            }
            size = Math.max(size, id + 1);
        }
        vocabSize = size;
        vocab = new HashMap<>();
        ids.forEach((tok, id) -> vocab.put(id, tok));
        unkId = unknown(model, siblings);
        unkMissing = model.path("unk_token").isTextual() && !ids.containsKey(model.get("unk_token").asText());
        JsonNode post = root.path("post_processor");
        clsId = specialId(post, "cls", 0, "[CLS]", "<s>");
        sepId = specialId(post, "sep", -1, "[SEP]", "</s>");
        JsonNode padding = root.path("padding");
        padId = padding.has("pad_id") ? padding.get("pad_id").asInt() : idOf(siblingToken(siblings, "pad_token"), "[PAD]", "<pad>");
        special.remove(unkId);
        specialIds = Set.copyOf(special);
        checkTemplates(source, post);
        try (InputStream in = new ByteArrayInputStream(json)) {
            tokenizer = HuggingFaceTokenizer.newInstance(in, OPTIONS);
        } catch (IOException | RuntimeException e) {
            throw new LrpException("malformed tokenizer.json: " + source + ": "
                    + firstLine(e.getMessage()), e);
        }
    }

    /**
     * A template post-processor whose template names a special token its special_tokens map does
     * not hold under that key, or whose single template reads sequence B, makes the native
     * library panic at the first encode, which aborts the JVM (found by fuzzing): refuse it here
     * with a message instead. The native reader falls back to trying every processor kind when
     * the "type" tag is unknown or missing, so every object shaped like a template processor
     * (one with "single", "pair" or "special_tokens") is checked, whatever its type says.
     */
    private static void checkTemplates(String source, JsonNode post) {
        if (post == null || !post.isObject()) return;
        for (JsonNode p : post.path("processors")) checkTemplates(source, p);
        if (!post.has("single") && !post.has("pair") && !post.has("special_tokens")
                && !"TemplateProcessing".equals(post.path("type").asText())) return;
        JsonNode specials = post.path("special_tokens");
        for (String part : List.of("single", "pair")) {
            // a template is a list of pieces or a string such as "[CLS] $A [SEP]" (pieces ":type_id"-suffixed or not)
            List<String> named = new ArrayList<>();
            JsonNode template = post.path(part);
            List<JsonNode> pieces = new ArrayList<>();
            if (template.isTextual()) {
                for (String w : template.asText().split(" ", -1)) pieces.add(new com.fasterxml.jackson.databind.node.TextNode(w));
            } else {
                template.forEach(pieces::add);
            }
            for (JsonNode piece : pieces) {
                if (piece.isTextual()) {
                    String w = piece.asText();
                    if (w.startsWith("$")) {
                        if (part.equals("single") && w.matches("\\$[Bb](:.*)?")) throw secondSequence(source);
                    } else {
                        named.add(w.replaceFirst(":\\d+$", ""));
                    }
                } else if (piece.has("SpecialToken")) {
                    named.add(piece.get("SpecialToken").path("id").asText());
                } else if (part.equals("single") && !"A".equals(piece.path("Sequence").path("id").asText("A"))) {
                    throw secondSequence(source);
                }
            }
            for (String id : named) {
                JsonNode entry = specials.get(id);
                if (entry == null || !id.equals(entry.path("id").asText())
                        || entry.path("ids").size() != entry.path("tokens").size()) {
                    throw new LrpException("malformed tokenizer.json: " + source + ": the post_processor's " + part
                            + " template names special token '" + id + "', which its special_tokens do not define");
                }
            }
        }
    }

    private static LrpException secondSequence(String source) {
        return new LrpException("malformed tokenizer.json: " + source
                + ": the post_processor's single template reads sequence B, which a single text does not have");
    }

    private static boolean isByteLevel(JsonNode root) {
        for (String k : List.of("pre_tokenizer", "decoder")) {
            JsonNode n = root.path(k);
            if ("ByteLevel".equals(n.path("type").asText())) return true;
            for (JsonNode p : n.path("pretokenizers")) if ("ByteLevel".equals(p.path("type").asText())) return true;
        }
        return false;
    }

    /** The model's unknown token, else the sibling files', else the end-of-sequence token (methods.md 8.3). */
    private int unknown(JsonNode model, List<JsonNode> siblings) {
        if (model.path("unk_id").canConvertToInt()) return model.get("unk_id").asInt();
        JsonNode unk = model.path("unk_token");
        if (unk.isTextual() && ids.containsKey(unk.asText())) return ids.get(unk.asText());
        int id = idOf(siblingToken(siblings, "unk_token"), "[UNK]", "<unk>");
        return id >= 0 ? id : idOf(siblingToken(siblings, "eos_token"), "</s>", "<|endoftext|>");
    }

    /** A special token named in tokenizer_config.json / special_tokens_map.json (a string or {content: ...}). */
    private static String siblingToken(List<JsonNode> siblings, String key) {
        for (JsonNode s : siblings == null ? List.<JsonNode>of() : siblings) {
            JsonNode v = s.path(key);
            if (v.isTextual()) return v.asText();
            if (v.path("content").isTextual()) return v.path("content").asText();
        }
        return null;
    }

    private int idOf(String... candidates) {
        for (String c : candidates) if (c != null && ids.containsKey(c)) return ids.get(c);
        return -1;
    }

    /**
     * The first (cls) or last (sep) token the post-processor adds: Bert/RobertaProcessing name
     * them, TemplateProcessing lists them in its single template; else the usual names.
     */
    private int specialId(JsonNode post, String key, int templateIndex, String... fallback) {
        if (post.path(key).isArray()) return post.get(key).path(1).asInt();
        JsonNode single = post.path("single");
        if (single.isArray() && single.size() > 0) {
            JsonNode item = single.get(templateIndex < 0 ? single.size() - 1 : templateIndex);
            JsonNode sp = item.path("SpecialToken");
            if (sp.isObject()) return idOf(sp.path("id").asText());
            return -1;
        }
        return "ByteLevel".equals(post.path("type").asText()) || post.isMissingNode() || post.isNull() ? -1 : idOf(fallback);
    }

    /**
     * Loads a {@code tokenizer.json} file (with the tokenizer_config.json and
     * special_tokens_map.json beside it, where present, for the special tokens).
     */
    public static HfTokenizer load(Path tokenizerJson) { return new HfTokenizer(tokenizerJson.toString(), read(tokenizerJson), siblings(tokenizerJson)); }

    static byte[] read(Path tokenizerJson) {
        if (!Files.exists(tokenizerJson) && !Files.isSymbolicLink(tokenizerJson)) throw new LrpException("tokenizer not found: " + tokenizerJson);
        return io.lrp.io.InputFiles.readBounded(tokenizerJson, io.lrp.io.InputFiles.TOKENIZER_LIMIT, "tokenizer");
    }

    /** The special-token files beside a tokenizer.json (absent or unreadable ones are skipped: they only name tokens). */
    static List<JsonNode> siblings(Path tokenizerJson) {
        List<JsonNode> out = new ArrayList<>();
        Path dir = tokenizerJson.toAbsolutePath().getParent();
        for (String f : List.of("tokenizer_config.json", "special_tokens_map.json")) {
            Path p = dir.resolve(f);
            if (!Files.isRegularFile(p)) continue;
            try {
                JsonNode n = new ObjectMapper().readTree(p.toFile());
                if (n != null && n.isObject()) out.add(n);
            } catch (IOException e) {
                throw new LrpException(p + ": malformed JSON: " + firstLine(e.getMessage()), e);
            }
        }
        return out;
    }

    /** Loads a {@code tokenizer.json} classpath resource, e.g. {@code all-minilm-l6-v2-tokenizer.json}. */
    public static HfTokenizer loadClasspath(String resource) { return new HfTokenizer(classpathSource(resource), readClasspath(resource), null); }

    static String classpathSource(String resource) {
        return "classpath:" + (resource.startsWith("/") ? resource.substring(1) : resource);
    }

    static byte[] readClasspath(String resource) {
        String name = resource.startsWith("/") ? resource.substring(1) : resource;
        String source = "classpath:" + name;
        try (InputStream in = HfTokenizer.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new LrpException("tokenizer not found: " + source);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new LrpException("cannot read tokenizer " + source + ": " + e.getMessage(), e);
        }
    }

    @Override public String kind() { return kind; }

    /** Where the tokenizer came from: a file path or {@code classpath:NAME}. */
    public String source() { return source; }

    /** Tokenizes one text: special tokens added ({@code [CLS] ... [SEP]}, {@code <s> ... </s>}), no padding, no truncation. */
    public Encoding encode(String text) {
        if (text == null || text.isBlank()) {
            throw new LrpException("empty text: nothing to explain");
        }
        ai.djl.huggingface.tokenizers.Encoding enc;
        try {
            enc = tokenizer.encode(text);
        } catch (RuntimeException e) {   // the native tokenizer's own failures, e.g. no unknown token for an unknown word
            throw new LrpException("cannot tokenize the text with " + source + ": " + firstLine(e.getMessage())
                    + (unkId < 0 || unkMissing ? " (the tokenizer has no unknown token for words outside its vocabulary)" : ""), e);
        }
        long[] rawIds = enc.getIds();
        String[] tokens = enc.getTokens();
        long[] specialMask = enc.getSpecialTokenMask();
        CharSpan[] spans = enc.getCharTokenSpans();
        int[] cpToUtf16 = codePointIndex(text);
        int n = rawIds.length;
        int[] outIds = new int[n];
        int[][] offsets = new int[n][];
        boolean[] special = new boolean[n];
        int content = 0;
        for (int i = 0; i < n; i++) {
            outIds[i] = Math.toIntExact(rawIds[i]);
            special[i] = specialMask[i] != 0;
            CharSpan span = spans[i];
            if (special[i] || span == null) {
                offsets[i] = new int[] {0, 0};
            } else {
                offsets[i] = new int[] {toUtf16(cpToUtf16, span.getStart(), text),
                        toUtf16(cpToUtf16, span.getEnd(), text)};
            }
            if (!special[i]) {
                content++;
            }
        }
        if (content == 0) {
            throw new LrpException("empty text: nothing to explain");
        }
        attachTrailingMarks(text, offsets, special);
        return new Encoding(tokens, outIds, offsets, special);
    }

    /**
     * An encoding for given ids: tokens from the vocabulary, offsets [0, 0], special = the id is one
     * of the file's special added tokens ({@code [CLS]}, {@code [SEP]}, {@code [PAD]}, {@code [MASK]};
     * the unknown token is not special, as in {@link #encode}).
     */
    public Encoding fromIds(int[] tokenIds) {
        int n = tokenIds.length;
        String[] tokens = new String[n];
        int[][] offsets = new int[n][];
        boolean[] special = new boolean[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = token(tokenIds[i]);
            offsets[i] = new int[] {0, 0};
            special[i] = specialIds.contains(tokenIds[i]);
        }
        return new Encoding(tokens, tokenIds.clone(), offsets, special);
    }

    /** Number of ids (largest id + 1), added tokens included. */
    public int vocabSize() { return vocabSize; }

    public int unkId() { return unkId; }

    public int clsId() { return clsId; }

    public int sepId() { return sepId; }

    public int padId() { return padId; }

    /** The token string of an id; LrpException if the id is not in the vocabulary. */
    public String token(int id) {
        String t = vocab.get(id);
        if (t == null) {
            throw new LrpException("token id " + id + " is not in the vocabulary of " + source
                    + " (size " + vocabSize + ")");
        }
        return t;
    }

    /** The id of a token string, or -1 if the vocabulary does not contain it. */
    public int id(String token) { return ids.getOrDefault(token, -1); }

    @Override
    public void close() { tokenizer.close(); }

    /** index[k] = UTF-16 index of code point k; index[count] = text.length(). */
    private static int[] codePointIndex(String text) {
        int[] index = new int[text.codePointCount(0, text.length()) + 1];
        int k = 0;
        for (int i = 0; i < text.length(); i += Character.charCount(text.codePointAt(i))) {
            index[k++] = i;
        }
        index[k] = text.length();
        return index;
    }

    /**
     * The tokenizer's span ends at the last character that survives normalization, so a combining
     * mark the normalizer strips at the end of a token ("cafe" + U+0301) is left out; extend the
     * span over such marks (never into the next token) so that the substring shows the whole word.
     */
    private static void attachTrailingMarks(String text, int[][] offsets, boolean[] special) {
        int limit = text.length();
        for (int i = offsets.length - 1; i >= 0; i--) {
            if (special[i] || offsets[i][1] == offsets[i][0]) {
                continue;
            }
            int end = offsets[i][1];
            while (end < limit && Character.getType(text.codePointAt(end)) == Character.NON_SPACING_MARK) {
                end += Character.charCount(text.codePointAt(end));
            }
            offsets[i][1] = end;
            limit = offsets[i][0];
        }
    }

    private static int toUtf16(int[] cpToUtf16, int cp, String text) {
        if (cp < 0 || cp >= cpToUtf16.length) {
            throw new IllegalStateException("tokenizer span " + cp + " outside text of "
                    + (cpToUtf16.length - 1) + " code points: " + text);
        }
        return cpToUtf16[cp];
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
