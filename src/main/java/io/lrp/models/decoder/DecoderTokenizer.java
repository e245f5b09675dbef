package io.lrp.models.decoder;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import io.lrp.LrpException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A decoder's tokenizer from its {@code tokenizer.json} (byte-level BPE as in GPT-2,
 * SentencePiece-style BPE with byte fallback as in LLaMA and Mistral), run by the Hugging Face
 * tokenizers library (DJL, offline). Special tokens are added as the HF fast tokenizer adds them
 * by default (the file's post-processor; BOS prepended when {@code tokenizer_config.json} says
 * {@code add_bos_token} and the post-processor did not); no padding, no truncation.
 */
public final class DecoderTokenizer implements AutoCloseable {

    static {
        if (System.getProperty("ai.djl.offline") == null) System.setProperty("ai.djl.offline", "true");
        if (System.getProperty("OPT_OUT_TRACKING") == null) System.setProperty("OPT_OUT_TRACKING", "true");
    }

    private static final Map<String, String> OPTIONS = Map.of(
            "padding", "false", "truncation", "false",
            "addSpecialTokens", "true", "withOverflowingTokens", "false");

    /** How a vocabulary entry maps to text. */
    enum Pieces { BYTE_LEVEL, SENTENCEPIECE }

    private final HuggingFaceTokenizer tokenizer;
    private final Map<Integer, String> tokens = new HashMap<>();
    private final Map<String, Integer> ids = new HashMap<>();
    private final Pieces pieces;
    private final int bos, eos, unk;  // -1 when the tokenizer has none
    private final boolean addBos;

    private DecoderTokenizer(Path dir, Checkpoint.Config config) {
        Path file = dir.resolve("tokenizer.json");
        if (!Files.exists(file)) throw new LrpException(dir + ": no tokenizer.json (a decoder needs its Hugging Face tokenizer.json)");
        JsonNode root = Checkpoint.readJson(file);
        JsonNode model = root.path("model");
        if (!"BPE".equals(model.path("type").asText()) || !model.path("vocab").isObject()) {
            throw new LrpException(file + ": unsupported tokenizer model '" + model.path("type").asText()
                    + "' (decoders read BPE tokenizers: byte-level as in GPT-2, byte fallback as in LLaMA)");
        }
        for (var e : model.get("vocab").properties()) put(e.getKey(), e.getValue().asInt());
        for (JsonNode t : root.path("added_tokens")) put(t.path("content").asText(), t.path("id").asInt());
        pieces = model.path("byte_fallback").asBoolean(false) || root.path("normalizer").toString().contains("\u2581")
                ? Pieces.SENTENCEPIECE : Pieces.BYTE_LEVEL;

        Path tc = dir.resolve("tokenizer_config.json");
        JsonNode tconf = Files.exists(tc) ? Checkpoint.readJson(tc) : null;
        bos = special(file, tc, tconf, "bos_token", config, "bos_token_id");
        eos = special(file, tc, tconf, "eos_token", config, "eos_token_id");
        int u = tokenId(tconf, "unk_token");
        if (u < 0 && model.hasNonNull("unk_token")) u = ids.getOrDefault(model.get("unk_token").asText(), -1);
        unk = u;
        addBos = tconf != null && tconf.path("add_bos_token").asBoolean(false);
        if (addBos && bos < 0) throw new LrpException(tc + ": add_bos_token is true but the tokenizer has no BOS token");
        try {
            tokenizer = HuggingFaceTokenizer.newInstance(file, OPTIONS);
        } catch (IOException | RuntimeException e) {
            throw new LrpException(file + ": the tokenizers library cannot read it: " + e.getMessage(), e);
        }
    }

    private void put(String token, int id) {
        if (id < 0) throw new LrpException("tokenizer.json: negative id " + id + " for '" + token + "'");
        tokens.put(id, token);
        ids.put(token, id);
    }

    /**
     * The id of a special token named by tokenizer_config.json (a string or {content: ...}),
     * checked against the config.json id when both exist; -1 when neither names one. A name the
     * vocabulary lacks is an error: the model would be fed a token its tokenizer cannot produce.
     */
    private int special(Path file, Path tc, JsonNode tconf, String key, Checkpoint.Config config, String idKey) {
        int[] configIds = config.ids(idKey);
        for (int id : configIds) {
            if (!tokens.containsKey(id)) {
                throw new LrpException(config.file() + ": " + idKey + " " + id + " is not a token of " + file);
            }
        }
        String name = tokenName(tconf, key);
        if (name != null) {
            Integer id = ids.get(name);
            if (id == null) throw new LrpException(tc + " names " + key + " '" + name + "', which " + file + " does not have");
            return id;
        }
        if (configIds.length > 0) return configIds[0];
        return -1;
    }

    private int tokenId(JsonNode tconf, String key) {
        String name = tokenName(tconf, key);
        return name == null ? -1 : ids.getOrDefault(name, -1);
    }

    private static String tokenName(JsonNode tconf, String key) {
        if (tconf == null) return null;
        JsonNode v = tconf.get(key);
        if (v == null || v.isNull()) return null;
        if (v.isTextual()) return v.textValue();
        if (v.isObject() && v.path("content").isTextual()) return v.get("content").textValue();
        return null;
    }

    /** Reads dir/tokenizer.json (and tokenizer_config.json when present), checking the special tokens config.json names. */
    public static DecoderTokenizer load(Path dir, Checkpoint.Config config) { return new DecoderTokenizer(dir, config); }

    /** The ids of a text, special tokens added as the model expects (BOS for LLaMA, none for GPT-2). */
    public int[] encode(String text) {
        long[] raw = tokenizer.encode(text).getIds();
        boolean prepend = addBos && (raw.length == 0 || raw[0] != bos);
        int[] out = new int[raw.length + (prepend ? 1 : 0)];
        if (prepend) out[0] = bos;
        for (int i = 0; i < raw.length; i++) out[i + (prepend ? 1 : 0)] = Math.toIntExact(raw[i]);
        return out;
    }

    /**
     * The id of the one vocabulary entry whose text is exactly this ("▁Paris" for " Paris" in a
     * SentencePiece vocabulary, "ĠParis" in a byte-level one), or -1.
     */
    public int tokenOf(String text) {
        String piece;
        if (pieces == Pieces.SENTENCEPIECE) {
            piece = text.replace(' ', '\u2581');
        } else {
            StringBuilder b = new StringBuilder();
            for (byte x : text.getBytes(StandardCharsets.UTF_8)) b.append(CHAR_OF_BYTE[x & 0xff]);
            piece = b.toString();
        }
        Integer id = ids.get(piece);
        return id == null ? -1 : id;
    }

    /** The ids of a text without special tokens (a continuation such as " Paris"). */
    public int[] encodeContinuation(String text) {
        long[] raw = tokenizer.encode(text, false, false).getIds();
        int[] out = new int[raw.length];
        for (int i = 0; i < raw.length; i++) out[i] = Math.toIntExact(raw[i]);
        return out;
    }

    /** The vocabulary entry of an id ("Ġthe", "▁the", "<0x40>"), or "<id>" for an id outside the vocabulary. */
    public String token(int id) {
        String t = tokens.get(id);
        return t != null ? t : "<" + id + ">";
    }

    public String[] tokens(int[] ids) {
        String[] r = new String[ids.length];
        for (int i = 0; i < r.length; i++) r[i] = token(ids[i]);
        return r;
    }

    /**
     * A token decoded on its own: byte-level pieces back to their bytes, SentencePiece's ▁ to a
     * space and {@code <0xXX>} to its byte, then UTF-8 (an incomplete sequence shows as U+FFFD).
     */
    public String piece(int id) { return decode(new int[] {id}); }

    /** Ids decoded to text as a concatenation of their pieces (no space stripping, special tokens kept). */
    public String decode(int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : ids) {
            String t = token(id);
            if (pieces == Pieces.SENTENCEPIECE) {
                if (t.length() == 6 && t.startsWith("<0x") && t.endsWith(">")) {
                    bytes.write(Integer.parseInt(t.substring(3, 5), 16));
                } else {
                    bytes.writeBytes(t.replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8));
                }
            } else {
                for (int i = 0; i < t.length(); i++) {
                    int b = BYTE_OF_CHAR.getOrDefault(t.charAt(i), -1);
                    if (b >= 0) bytes.write(b);
                    else bytes.writeBytes(String.valueOf(t.charAt(i)).getBytes(StandardCharsets.UTF_8));
                }
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** GPT-2's byte-to-unicode table, inverted: printable bytes stand for themselves, the others for 256 + n. */
    private static final Map<Character, Integer> BYTE_OF_CHAR = new HashMap<>();
    private static final char[] CHAR_OF_BYTE = new char[256];
    static {
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (256 + n++);
            BYTE_OF_CHAR.put(c, b);
            CHAR_OF_BYTE[b] = c;
        }
    }

    /** How its vocabulary maps to text, in the words of {@code io.lrp.text.Tokenizer#kind}. */
    public String kind() { return pieces == Pieces.SENTENCEPIECE ? "BPE (SentencePiece, byte fallback)" : "BPE (byte-level)"; }

    public int bosId() { return bos; }
    public int eosId() { return eos; }
    /** The unk token, or -1 (GPT-2's tokenizer_config names &lt;|endoftext|&gt; as its unk token). */
    public int unkId() { return unk; }
    public int vocabSize() {
        int max = -1;
        for (int id : tokens.keySet()) max = Math.max(max, id);
        return max + 1;
    }

    @Override public void close() { tokenizer.close(); }
}
