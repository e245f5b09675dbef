package io.lrp.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrp.LrpException;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Readers for the labelled text sets the paper evaluates on (see shared/data/PROVENANCE.md):
 * stsa (one "label sentence" per line: SST-2 stsa.binary.*, MR rt-polarity.all), GLUE-style TSV
 * with a header, and JSON Lines (IMDB; Hugging Face data sets exported with {@code to_json}).
 * In TSV and JSON Lines the text is the {@code text} or the {@code sentence} field and the label
 * the {@code label} field, unless {@link Fields} names others; a label is an index, or a class
 * name mapped through the given names. A malformed line is an error naming file and line.
 */
public final class Datasets {
    private Datasets() {}

    public enum Format { STSA, GLUE, JSONL }

    // one object per line: text after it (a second object, a stray brace) is an error, not ignored
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /**
     * Which fields hold the text and the label (TSV columns or JSON Lines keys), and the class names
     * a label given as a string is looked up in.
     *
     * @param text       the text's field; null: {@code text} or {@code sentence} (an error if a line has both)
     * @param label      the label's field; null: {@code label}
     * @param labelNames class names by index, asked for only when a label is a name (may return null: none known)
     * @param namesFrom  where the names come from, for messages ("model minilm-sst2", "--labels")
     */
    public record Fields(String text, String label, java.util.function.Supplier<List<String>> labelNames, String namesFrom) {
        public static final Fields DEFAULT = new Fields(null, null, () -> null, null);

        boolean named() { return text != null || label != null; }
    }

    /** Reads a file in the given format, or the one detected from its content when format is null. */
    public static List<Example> read(Path file, Format format) { return read(file, format, StandardCharsets.UTF_8); }

    /**
     * As {@link #read(Path, Format)}, decoding the file in charset cs (UTF-8, or Latin-1 for files such
     * as MR that are Latin-1 on purpose): a line that is not valid in it is an error naming the line.
     */
    public static List<Example> read(Path file, Format format, Charset cs) {
        return read(file, format, cs, Fields.DEFAULT);
    }

    /** As {@link #read(Path, Format, Charset)}, the text and label taken from the given fields. */
    public static List<Example> read(Path file, Format format, Charset cs, Fields fields) {
        if (!Files.isRegularFile(file)) {
            io.lrp.io.InputFiles.requireRegular(file, "data file");   // a loop of links, a pipe, ...: say so
            throw new LrpException("data file not found: " + file);
        }
        String text = decode(file, cs);
        Format f = format != null ? format : detect(file, text);
        if (f == Format.STSA && fields.named()) {
            throw new LrpException(file + ": --text-field and --label-field name the fields of TSV and JSON Lines files; this one is stsa ('label sentence' lines)");
        }
        Labels labels = new Labels(file, fields);
        return switch (f) {
            case STSA -> stsa(file, text);
            case GLUE -> glue(file, text, fields, labels);
            case JSONL -> jsonl(file, text, fields, labels);
        };
    }

    /** Maps a label as written in the file to its index. */
    private static final class Labels {
        private final Path file;
        private final Fields fields;
        private List<String> names;
        private boolean asked;

        Labels(Path file, Fields fields) {
            this.file = file;
            this.fields = fields;
        }

        int parse(int line, String s) {
            String v = s.strip();
            if (v.isEmpty()) throw new LrpException(file + ":" + line + ": label must be a non-negative integer, got '" + abbreviate(s) + "'");
            if (v.chars().allMatch(c -> c >= '0' && c <= '9')) {
                try {
                    return Integer.parseInt(v);
                } catch (NumberFormatException e) {
                    throw new LrpException(file + ":" + line + ": label " + abbreviate(v) + " is too large");
                }
            }
            if (!asked) {
                names = fields.labelNames().get();
                asked = true;
            }
            if (names != null) {
                for (int i = 0; i < names.size(); i++) if (names.get(i).equalsIgnoreCase(v)) return i;
                throw new LrpException(file + ":" + line + ": unknown label '" + abbreviate(s) + "': "
                        + (fields.namesFrom() == null ? "the labels are " : fields.namesFrom() + " has the labels ")
                        + String.join(", ", names) + " (or give their indices 0.." + (names.size() - 1) + ")");
            }
            throw new LrpException(file + ":" + line + ": label must be a non-negative integer, got '" + abbreviate(s) + "'");
        }
    }

    public static Format parseFormat(String s) {
        if (s == null) return null;
        try {
            return Format.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new LrpException("unknown data format '" + s + "': choose stsa, glue or jsonl");
        }
    }

    /** The file's lines joined by '\n' (BOM dropped, CR LF accepted); invalid bytes are an error naming the line. */
    static String decode(Path file, Charset cs) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new LrpException("cannot read " + file + ": " + e.getMessage());
        } catch (OutOfMemoryError e) {
            throw new LrpException(file + ": too large to read (" + e.getMessage() + ")");
        }
        StringBuilder sb = new StringBuilder(bytes.length);
        for (TextLines.Line l : TextLines.decode(bytes, cs, file.toString())) {
            if (l.text() == null) throw new LrpException(file + ":" + l.number() + ": " + l.problem());
            if (l.number() > 1) sb.append('\n');
            sb.append(l.text());
        }
        return sb.toString();
    }

    static Format detect(Path file, String text) {
        String first = text.lines().filter(l -> !l.isBlank()).findFirst().orElse("");
        if (first.startsWith("{")) return Format.JSONL;
        if (first.contains("\t")) return Format.GLUE;
        // DOTALL: '.' must also match U+0085 (MR's 0x85 byte read as Latin-1), a line terminator to java.util.regex
        if (first.matches("(?s)-?\\d+ .*")) return Format.STSA;
        throw new LrpException(file + ": cannot tell the data format from the first line; give --format stsa|glue|jsonl");
    }

    /** Splits on '\n' only (MR holds 0x85 bytes, which other line splitters treat as breaks). */
    private static String[] lines(String text) {
        String[] l = text.split("\n", -1);
        for (int i = 0; i < l.length; i++) if (l[i].endsWith("\r")) l[i] = l[i].substring(0, l[i].length() - 1);
        return l;
    }

    static List<Example> stsa(Path file, String text) {
        List<Example> out = new ArrayList<>();
        String[] lines = lines(text);
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            if (l.isBlank()) continue;
            int sp = l.indexOf(' ');
            if (sp <= 0) throw new LrpException(file + ":" + (i + 1) + ": expected 'label sentence', got '" + abbreviate(l) + "'");
            int label = parseLabel(file, i + 1, l.substring(0, sp));
            String sentence = l.substring(sp + 1).strip();
            if (sentence.isEmpty()) throw new LrpException(file + ":" + (i + 1) + ": empty sentence");
            out.add(new Example(sentence, label, file.toString(), i + 1));
        }
        return out;
    }

    static List<Example> glue(Path file, String text) { return glue(file, text, Fields.DEFAULT, new Labels(file, Fields.DEFAULT)); }

    private static List<Example> glue(Path file, String text, Fields fields, Labels labels) {
        String[] lines = lines(text);
        if (lines.length == 0) throw new LrpException(file + ": empty file");
        String[] header = lines[0].split("\t", -1);
        int textCol = -1, labelCol = -1;
        String labelName = fields.label() != null ? fields.label() : "label";
        for (int c = 0; c < header.length; c++) {
            String h = header[c].strip();
            boolean isText = fields.text() != null ? h.equalsIgnoreCase(fields.text().strip())
                    : h.equalsIgnoreCase("text") || h.equalsIgnoreCase("sentence");
            if (isText) {
                if (textCol >= 0) {
                    throw new LrpException(file + ":1: two text columns, '" + header[textCol].strip() + "' and '" + h
                            + "'; choose one with --text-field");
                }
                textCol = c;
            }
            if (h.equalsIgnoreCase(labelName.strip())) labelCol = c;
        }
        if (textCol < 0 || labelCol < 0) {
            String want = fields.named()
                    ? "'" + (fields.text() != null ? fields.text() : "sentence' (or 'text") + "' and '" + labelName + "' columns"
                    : "'sentence' (or 'text') and 'label' columns (or name them with --text-field and --label-field)";
            throw new LrpException(file + ":1: expected a header with " + want + ", got '" + abbreviate(lines[0]) + "'");
        }
        List<Example> out = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isBlank()) continue;
            String[] f = lines[i].split("\t", -1);
            if (f.length <= Math.max(textCol, labelCol)) {
                throw new LrpException(file + ":" + (i + 1) + ": expected " + header.length + " tab-separated columns, got " + f.length);
            }
            String sentence = f[textCol].strip();
            if (sentence.isEmpty()) throw new LrpException(file + ":" + (i + 1) + ": empty sentence");
            out.add(new Example(sentence, labels.parse(i + 1, f[labelCol]), file.toString(), i + 1));
        }
        return out;
    }

    static List<Example> jsonl(Path file, String text) { return jsonl(file, text, Fields.DEFAULT, new Labels(file, Fields.DEFAULT)); }

    private static List<Example> jsonl(Path file, String text, Fields fields, Labels labels) {
        List<Example> out = new ArrayList<>();
        String[] lines = lines(text);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) continue;
            JsonNode n;
            try {
                n = JSON.readTree(lines[i]);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                String m = e.getOriginalMessage();
                if (m != null && m.startsWith("Trailing token")) {
                    throw new LrpException(file + ":" + (i + 1) + ": text after the JSON object (JSON Lines: one object per line)");
                }
                throw new LrpException(file + ":" + (i + 1) + ": malformed JSON: " + m);
            }
            if (n == null || !n.isObject()) throw new LrpException(file + ":" + (i + 1) + ": expected a JSON object, got " + abbreviate(lines[i]));
            String where = file + ":" + (i + 1) + ": ";
            String textKey = fields.text();
            if (textKey == null) {
                if (n.has("text") && n.has("sentence")) {
                    throw new LrpException(where + "both 'text' and 'sentence' fields; choose one with --text-field");
                }
                textKey = n.has("sentence") ? "sentence" : "text";
            }
            String labelKey = fields.label() != null ? fields.label() : "label";
            JsonNode t = n.get(textKey), l = n.get(labelKey);
            if (t == null || l == null) {
                String missing = t == null ? (fields.text() == null ? "no 'text' or 'sentence' field (name the text's field with --text-field)"
                        : "no '" + textKey + "' field") : "no '" + labelKey + "' field" + (fields.label() == null ? " (name the label's field with --label-field)" : "");
                throw new LrpException(where + missing + "; the object has " + abbreviate(fieldNames(n)));
            }
            if (!t.isTextual()) throw new LrpException(where + "'" + textKey + "' must be a string, got " + abbreviate(t.toString()));
            int label;
            if (l.isTextual()) {
                label = labels.parse(i + 1, l.asText());
            } else if (l.isIntegralNumber() && l.canConvertToInt() && l.intValue() >= 0) {
                label = l.asInt();
            } else {
                throw new LrpException(where + "label must be a non-negative integer or a label name, got " + abbreviate(l.toString()));
            }
            String sentence = t.asText().replaceAll("<br\\s*/?>", " ").replaceAll("\\s+", " ").strip();
            if (sentence.isEmpty()) throw new LrpException(where + "empty text");
            out.add(new Example(sentence, label, file.toString(), i + 1));
        }
        return out;
    }

    private static int parseLabel(Path file, int line, String s) {
        try {
            int v = Integer.parseInt(s.strip());
            if (v < 0) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new LrpException(file + ":" + line + ": label must be a non-negative integer, got '" + abbreviate(s) + "'");
        }
    }

    private static String fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(k -> names.add("'" + k + "'"));
        return names.isEmpty() ? "no fields" : "the fields " + String.join(", ", names);
    }

    private static String abbreviate(String s) { return s.length() <= 60 ? s : s.substring(0, 57) + "..."; }

    /**
     * The examples an evaluation with --limit takes: all of them, the first {@code limit}, or with
     * {@code shuffle} {@code limit} of them drawn with {@code java.util.Random(seed)} and kept in
     * file order (the local and the Spark evaluation draw the same ones).
     */
    public static List<Example> select(List<Example> all, Integer limit, boolean shuffle, long seed) {
        if (limit == null || limit >= all.size()) return all;
        if (!shuffle) return new ArrayList<>(all.subList(0, limit));
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) idx.add(i);
        java.util.Collections.shuffle(idx, new java.util.Random(seed));
        List<Integer> pick = new ArrayList<>(idx.subList(0, limit));
        java.util.Collections.sort(pick);
        List<Example> out = new ArrayList<>();
        for (int i : pick) out.add(all.get(i));
        return out;
    }
}
