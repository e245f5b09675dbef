package io.lrp.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lrp.LrpException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A template post-processor that names a special token its special_tokens map lacks made the
 * native tokenizers library panic (aborting the JVM) at the first encode: such a file is refused
 * when loaded, in both template forms (pieces and string), and a correct template still works.
 */
class TemplateCheckTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path withTemplate(Path dir, Object single, String sepKey) throws Exception {
        return withTemplate(dir, single, sepKey, "TemplateProcessing");
    }

    private static Path withTemplate(Path dir, Object single, String sepKey, String type) throws Exception {
        ObjectNode root = (ObjectNode) JSON.readTree(Path.of("src/test/resources/golden/hf_bert_small/tokenizer.json").toFile());
        int cls = root.at("/model/vocab/[CLS]").asInt(), sep = root.at("/model/vocab/[SEP]").asInt();
        ObjectNode post = JSON.createObjectNode();
        if (type != null) post.put("type", type);
        post.set("single", JSON.valueToTree(single));
        post.set("pair", JSON.valueToTree(single instanceof String t ? t + " $B:1 [SEP]:1" : single));
        ObjectNode specials = post.putObject("special_tokens");
        specials.putObject("[CLS]").put("id", "[CLS]").set("ids", JSON.valueToTree(new int[] {cls}));
        ((ObjectNode) specials.get("[CLS]")).set("tokens", JSON.valueToTree(new String[] {"[CLS]"}));
        specials.putObject(sepKey).put("id", "[SEP]").set("ids", JSON.valueToTree(new int[] {sep}));
        ((ObjectNode) specials.get(sepKey)).set("tokens", JSON.valueToTree(new String[] {"[SEP]"}));
        root.set("post_processor", post);
        Path f = dir.resolve("tokenizer.json");
        Files.write(f, JSON.writeValueAsBytes(root));
        return f;
    }

    @Test
    void aTemplateNamingAnUndefinedSpecialTokenIsRefused(@TempDir Path dir) throws Exception {
        for (Object template : new Object[] {"[CLS] $A [SEP]", java.util.List.of(java.util.Map.of("SpecialToken", java.util.Map.of("id", "[CLS]", "type_id", 0)),
                java.util.Map.of("Sequence", java.util.Map.of("id", "A", "type_id", 0)), java.util.Map.of("SpecialToken", java.util.Map.of("id", "[SEP]", "type_id", 0)))}) {
            Path f = withTemplate(dir, template, "[SP]E");
            LrpException e = assertThrows(LrpException.class, () -> HfTokenizer.load(f).encode("a fine film"));
            assertTrue(e.getMessage().contains("names special token '[SEP]'"), e.getMessage());
        }
    }

    @Test
    void aCorrectTemplateEncodes(@TempDir Path dir) throws Exception {
        Path f = withTemplate(dir, java.util.List.of(java.util.Map.of("SpecialToken", java.util.Map.of("id", "[CLS]", "type_id", 0)),
                java.util.Map.of("Sequence", java.util.Map.of("id", "A", "type_id", 0)),
                java.util.Map.of("SpecialToken", java.util.Map.of("id", "[SEP]", "type_id", 0))), "[SEP]");
        Encoding e = HfTokenizer.load(f).encode("a fine film");
        Encoding plain = HfTokenizer.load(Path.of("src/test/resources/golden/hf_bert_small/tokenizer.json")).encode("a fine film");
        assertArrayEquals(plain.ids(), e.ids());
    }

    /**
     * The native reader takes a processor with an unknown or missing type for a template one
     * (found by fuzzing: "type": "Templsing" with an undefined [SEP] aborted the JVM).
     */
    @Test
    void aTemplateIsCheckedWhateverItsTypeSays(@TempDir Path dir) throws Exception {
        for (String type : new String[] {"Templsing", null}) {
            Path f = withTemplate(dir, "[CLS] $A [SEP]", "[SP]E", type);
            LrpException e = assertThrows(LrpException.class, () -> HfTokenizer.load(f).encode("a fine film"));
            assertTrue(e.getMessage().contains("names special token '[SEP]'"), e.getMessage());
        }
    }

    /** A single template that reads sequence B would index past the one encoding the native code has. */
    @Test
    void aSingleTemplateReadingSequenceBIsRefused(@TempDir Path dir) throws Exception {
        for (Object template : new Object[] {"[CLS] $B [SEP]", java.util.List.of(java.util.Map.of("SpecialToken", java.util.Map.of("id", "[CLS]", "type_id", 0)),
                java.util.Map.of("Sequence", java.util.Map.of("id", "B", "type_id", 0)))}) {
            Path f = withTemplate(dir, template, "[SEP]");
            LrpException e = assertThrows(LrpException.class, () -> HfTokenizer.load(f).encode("a fine film"));
            assertTrue(e.getMessage().contains("reads sequence B"), e.getMessage());
        }
    }

    /** Two spaces in a string template make an empty piece, a special token named "" to the native code. */
    @Test
    void anEmptyPieceOfAStringTemplateIsRefused(@TempDir Path dir) throws Exception {
        Path f = withTemplate(dir, "[CLS]  $A [SEP]", "[SEP]");
        LrpException e = assertThrows(LrpException.class, () -> HfTokenizer.load(f).encode("a fine film"));
        assertTrue(e.getMessage().contains("names special token ''"), e.getMessage());
    }
}
