package io.lrp.data;

import io.lrp.LrpException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The lines of a text file, decoded one way everywhere: split on '\n' bytes (a '\r' before it is
 * dropped), a UTF-8 byte-order mark accepted, each line decoded strictly in the given charset. A
 * line that is not valid in it carries a problem instead of a text (the caller skips it or stops);
 * a '\r' elsewhere (CR-only line endings) is an error, not one long example.
 */
public final class TextLines {
    private TextLines() {}

    /** One line: its 1-based number, and its text, or the reason it could not be decoded (text null). */
    public record Line(int number, String text, String problem) {}

    /** The charset an --encoding option names: utf-8 (the default) or latin-1. */
    public static Charset parseEncoding(String s) {
        if (s == null) return StandardCharsets.UTF_8;
        return switch (s.toLowerCase(Locale.ROOT).replace("_", "-")) {
            case "utf-8", "utf8" -> StandardCharsets.UTF_8;
            case "latin-1", "latin1", "iso-8859-1" -> StandardCharsets.ISO_8859_1;
            default -> throw new LrpException("unknown --encoding '" + s + "': choose utf-8 or latin-1");
        };
    }

    /** Decodes bytes; source names the file in messages. */
    public static List<Line> decode(byte[] b, Charset cs, String source) {
        int start = 0;
        if (b.length >= 3 && (b[0] & 0xff) == 0xEF && (b[1] & 0xff) == 0xBB && (b[2] & 0xff) == 0xBF && cs.equals(StandardCharsets.UTF_8)) {
            start = 3;
        }
        CharsetDecoder dec = cs.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        List<Line> out = new ArrayList<>();
        int number = 1;
        for (int i = start; i <= b.length; number++) {
            int end = i;
            while (end < b.length && b[end] != '\n') end++;
            if (end == b.length && i == b.length) break;           // nothing after the last '\n'
            int stop = end > i && b[end - 1] == '\r' ? end - 1 : end;
            for (int k = i; k < stop; k++) {
                if (b[k] == '\r') {
                    throw new LrpException(source + ":" + number + ": carriage return without a line feed: "
                            + "CR-only line endings are not supported (convert them: tr '\\r' '\\n' < FILE)");
                }
            }
            try {
                out.add(new Line(number, dec.reset().decode(ByteBuffer.wrap(b, i, stop - i)).toString(), null));
            } catch (CharacterCodingException e) {
                out.add(new Line(number, null, "invalid " + name(cs) + " (byte 0x" + badByte(b, i, stop, cs)
                        + ")" + (cs.equals(StandardCharsets.UTF_8) ? "; for a Latin-1 file use --encoding latin-1" : "")));
            }
            i = end + 1;
        }
        return out;
    }

    private static String name(Charset cs) { return cs.equals(StandardCharsets.UTF_8) ? "UTF-8" : cs.name(); }

    /** The first byte of the line where strict decoding fails, in hex. */
    private static String badByte(byte[] b, int from, int to, Charset cs) {
        CharsetDecoder dec = cs.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(b, from, to - from);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(to - from + 1);
        java.nio.charset.CoderResult r = dec.decode(in, out, true);
        int at = r.isError() ? in.position() : from;
        return String.format("%02X at column %d", b[at] & 0xff, at - from + 1);
    }
}
