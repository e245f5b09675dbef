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
 * with a header, and IMDB JSON Lines. A malformed line is an error naming file and line.
 */
public final class Datasets {
    private Datasets() {}

    public enum Format { STSA, GLUE, JSONL }

    // one object per line: text after it (a second object, a stray brace) is an error, not ignored
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /** Reads a file in the given format, or the one detected from its content when format is null. */
    public static List<Example> read(Path file, Format format) { return read(file, format, StandardCharsets.UTF_8); }

    /**
     * As {@link #read(Path, Format)}, decoding the file in charset cs (UTF-8, or Latin-1 for files such
     * as MR that are Latin-1 on purpose): a line that is not valid in it is an error naming the line.
     */
    public static List<Example> read(Path file, Format format, Charset cs) {
        if (!Files.isRegularFile(file)) {
            io.lrp.io.InputFiles.requireRegular(file, "data file");   // a loop of links, a pipe, ...: say so
            throw new LrpException("data file not found: " + file);
        }
        String text = decode(file, cs);
        Format f = format != null ? format : detect(file, text);
        return switch (f) {
            case STSA -> stsa(file, text);
            case GLUE -> glue(file, text);
            case JSONL -> jsonl(file, text);
        };
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

    static List<Example> glue(Path file, String text) {
        String[] lines = lines(text);
        if (lines.length == 0) throw new LrpException(file + ": empty file");
        String[] header = lines[0].split("\t", -1);
        int textCol = -1, labelCol = -1;
        for (int c = 0; c < header.length; c++) {
            String h = header[c].strip().toLowerCase(Locale.ROOT);
            if (h.equals("text") || h.equals("sentence")) textCol = c;
            if (h.equals("label")) labelCol = c;
        }
        if (textCol < 0 || labelCol < 0) {
            throw new LrpException(file + ":1: expected a header with 'sentence' (or 'text') and 'label' columns, got '" + abbreviate(lines[0]) + "'");
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
            out.add(new Example(sentence, parseLabel(file, i + 1, f[labelCol]), file.toString(), i + 1));
        }
        return out;
    }

    static List<Example> jsonl(Path file, String text) {
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
            JsonNode t = n.get("text"), l = n.get("label");
            if (t == null || !t.isTextual() || l == null) {
                throw new LrpException(file + ":" + (i + 1) + ": expected an object with a string 'text' and an integer 'label'");
            }
            if (!l.isIntegralNumber() || !l.canConvertToInt() || l.intValue() < 0) {
                throw new LrpException(file + ":" + (i + 1) + ": label must be a non-negative integer, got " + abbreviate(l.toString()));
            }
            String sentence = t.asText().replaceAll("<br\\s*/?>", " ").replaceAll("\\s+", " ").strip();
            if (sentence.isEmpty()) throw new LrpException(file + ":" + (i + 1) + ": empty text");
            out.add(new Example(sentence, l.asInt(), file.toString(), i + 1));
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
