package io.lrp.io;

import io.lrp.LrpException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class HfConfigTest {
    @TempDir Path tmp;

    private static final String BASE = "\"vocab_size\": 100, \"hidden_size\": 64, \"num_hidden_layers\": 2,"
            + " \"num_attention_heads\": 4, \"intermediate_size\": 256, \"max_position_embeddings\": 128";

    private Path config(String json) throws Exception {
        return Files.writeString(tmp.resolve("config.json"), json);
    }

    private LrpException fails(String json) throws Exception {
        Path f = config(json);
        LrpException e = assertThrows(LrpException.class, () -> HfConfig.read(f));
        assertTrue(e.getMessage().contains(f.toString()), "no file in: " + e.getMessage());
        return e;
    }

    private static void assertContains(LrpException e, String phrase) {
        assertTrue(e.getMessage().contains(phrase), "expected '" + phrase + "' in: " + e.getMessage());
    }

    @Test
    void readsGoldenHfBertSmall() {
        HfConfig c = HfConfig.read(RawFiles.resource("golden/hf_bert_small/config.json"));
        assertEquals("bert", c.modelType());
        assertEquals(List.of("BertForSequenceClassification"), c.architectures());
        assertEquals(30522, c.vocabSize());
        assertEquals(64, c.hiddenSize());
        assertEquals(2, c.numHiddenLayers());
        assertEquals(4, c.numAttentionHeads());
        assertEquals(16, c.headDim());
        assertEquals(256, c.intermediateSize());
        assertEquals("gelu", c.hiddenAct());
        assertEquals(128, c.maxPositionEmbeddings());
        assertEquals(2, c.typeVocabSize());
        assertEquals(1e-12, c.layerNormEps());
        assertEquals(0, c.padTokenId());
        assertEquals("absolute", c.positionEmbeddingType());
        assertEquals(List.of("negative", "positive"), c.id2label());
        assertEquals("4.46.3", c.raw().get("transformers_version").asText());
    }

    @Test
    void unsupportedModelTypeNamesItAndTheFile() throws Exception {
        LrpException e = fails("{\"model_type\": \"gpt2\", " + BASE + "}");
        assertEquals("unsupported architecture 'gpt2' in " + tmp.resolve("config.json")
                + ": supported model_type values: bert, roberta, xlm-roberta", e.getMessage());
    }

    @Test
    void malformedJsonNamesFileAndPosition() throws Exception {
        LrpException e = fails("{\"model_type\": \"bert\",\n  \"hidden_size\": 64,,\n}");
        assertContains(e, "malformed JSON at line 2, column");
    }

    @Test
    void missingFile() {
        Path f = tmp.resolve("absent/config.json");
        LrpException e = assertThrows(LrpException.class, () -> HfConfig.read(f));
        assertEquals(f + ": file not found", e.getMessage());
    }

    @Test
    void defaultsAndLabelsFromNumLabels() throws Exception {
        HfConfig c = HfConfig.read(config("{\"model_type\": \"bert\", " + BASE + ", \"num_labels\": 3}"));
        assertEquals(List.of("LABEL_0", "LABEL_1", "LABEL_2"), c.id2label());
        assertEquals(2, c.typeVocabSize());
        assertEquals(1e-12, c.layerNormEps());
        HfConfig d = HfConfig.read(config("{\"model_type\": \"bert\", " + BASE + "}"));
        assertEquals(List.of("LABEL_0", "LABEL_1"), d.id2label());
        assertEquals(List.of(), d.architectures());
    }

    @Test
    void id2labelInIndexOrderRegardlessOfKeyOrder() throws Exception {
        HfConfig c = HfConfig.read(config("{\"model_type\": \"bert\", " + BASE
                + ", \"id2label\": {\"2\": \"c\", \"0\": \"a\", \"1\": \"b\"}}"));
        assertEquals(List.of("a", "b", "c"), c.id2label());
    }

    @Test
    void id2labelKeysMustBeDense() throws Exception {
        assertContains(fails("{\"model_type\": \"bert\", " + BASE + ", \"id2label\": {\"0\": \"a\", \"2\": \"c\"}}"),
                "id2label keys must be 0..1, found key '2'");
        assertContains(fails("{\"model_type\": \"bert\", " + BASE + ", \"id2label\": {\"0\": \"a\", \"x\": \"c\"}}"),
                "found key 'x'");
    }

    @Test
    void missingOrInvalidRequiredIntegers() throws Exception {
        assertContains(fails("{\"model_type\": \"bert\", \"hidden_size\": 64}"), "missing required integer vocab_size");
        assertContains(fails("{\"model_type\": \"bert\", " + BASE.replace("\"num_hidden_layers\": 2", "\"num_hidden_layers\": \"2\"") + "}"),
                "num_hidden_layers must be an integer >= 1, got \"2\"");
        assertContains(fails("{\"model_type\": \"bert\", " + BASE.replace("\"hidden_size\": 64", "\"hidden_size\": 64.5") + "}"),
                "hidden_size must be an integer");
    }

    @Test
    void hiddenSizeNotDivisibleByHeads() throws Exception {
        assertContains(fails("{\"model_type\": \"bert\", " + BASE.replace("\"num_attention_heads\": 4", "\"num_attention_heads\": 5") + "}"),
                "hidden_size 64 is not divisible by num_attention_heads 5");
    }

    @Test
    void unsupportedActivationAndPositionEmbedding() throws Exception {
        assertContains(fails("{\"model_type\": \"bert\", " + BASE + ", \"hidden_act\": \"relu\"}"),
                "unsupported hidden_act 'relu'");
        assertContains(fails("{\"model_type\": \"bert\", " + BASE + ", \"position_embedding_type\": \"relative_key\"}"),
                "unsupported position_embedding_type 'relative_key'");
    }

    @Test
    void missingModelType() throws Exception {
        assertContains(fails("{" + BASE + "}"), "missing model_type");
    }
}
