package io.lrp.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lrp.explain.GoldenFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tokenizers of the golden families through the one interface: ids and tokens of every case of
 * families/*_tokenization.json (the HF fast tokenizer's), special and unknown tokens from the files,
 * and a vocab.txt-only BERT directory tokenizing like its tokenizer.json.
 */
class FamilyTokenizerTest {
    @TempDir Path tmp;

    private static int check(Tokenizer tok, String golden) { return check(tok, golden, true); }

    private static int check(Tokenizer tok, String golden, boolean closedBySpecials) {
        int n = 0;
        for (JsonNode c : GoldenFiles.json("families/" + golden).get("cases")) {
            Encoding e = tok.encode(c.get("text").asText());
            String where = golden + ": " + c.get("text").asText();
            assertArrayEquals(GoldenFiles.ints(c.get("input_ids")), e.ids(), where);
            for (int i = 0; i < e.length(); i++) {
                assertEquals(c.get("tokens").get(i).asText(), e.tokens()[i], where + " token " + i);
                int[] o = e.offsets()[i];
                assertTrue(0 <= o[0] && o[0] <= o[1] && o[1] <= c.get("text").asText().length(), where + " offsets " + i);
                // special tokens have [0, 0]; a byte-level whitespace token ("Ġ") may have an empty span too (trim_offsets)
                if (e.special()[i]) assertArrayEquals(new int[] {0, 0}, o, where + " special " + i);
                else if (o[0] == o[1]) assertTrue(e.tokens()[i].matches("[ĠĊĉ▁]+"), where + " empty span of " + e.tokens()[i]);
            }
            if (closedBySpecials) assertTrue(e.special()[0] && e.special()[e.length() - 1], where);
            n++;
        }
        return n;
    }

    @Test
    void robertaByteLevelBpe() {
        Tokenizer tok = Tokenizers.forDirectory(GoldenFiles.path("families/roberta_small"));
        assertEquals("BPE (byte-level)", tok.kind());
        assertEquals(16, check(tok, "roberta_small_tokenization.json"));
        // the BPE model names no unk_token: tokenizer_config.json's <unk> (methods.md 8.3)
        assertEquals(3, tok.unkId());
        assertEquals(0, tok.clsId());
        assertEquals(2, tok.sepId());
        assertEquals(1, tok.padId());
        assertEquals(50261, tok.vocabSize());
        Encoding e = tok.encode("Never again");
        assertEquals("again", "Never again".substring(e.offsets()[2][0], e.offsets()[2][1]));
    }

    @Test
    void decoderTokenizersGpt2AndLlama() {
        // (the decoder families are not built yet; their tokenizers already load through the same interface)
        Tokenizer gpt2 = Tokenizers.forDirectory(GoldenFiles.path("families/gpt2_small"));
        assertEquals("BPE (byte-level)", gpt2.kind());
        assertEquals(16, check(gpt2, "gpt2_small_tokenization.json", false));
        assertEquals(50256, gpt2.unkId(), "GPT-2's unk_token is <|endoftext|> (methods.md 8.3)");
        assertEquals(-1, gpt2.clsId());
        assertEquals(-1, gpt2.sepId());
        Tokenizer llama = Tokenizers.forDirectory(GoldenFiles.path("families/llama_small"));
        assertEquals("BPE (SentencePiece, byte fallback)", llama.kind());
        assertEquals(16, check(llama, "llama_small_tokenization.json", false));
        assertEquals(0, llama.unkId());
        assertEquals(1, llama.clsId(), "<s> is prepended");
        assertEquals(-1, llama.sepId(), "nothing is appended");
    }

    @Test
    void distilBertWordPieceFromTokenizerJsonAndFromVocabTxtAlone() throws Exception {
        Path golden = GoldenFiles.path("families/distilbert_small");
        Tokenizer json = Tokenizers.forDirectory(golden);
        assertEquals("WordPiece", json.kind());
        assertEquals(16, check(json, "distilbert_small_tokenization.json"));
        assertEquals(100, json.unkId());

        Path dir = Files.createDirectories(tmp.resolve("vocab_only"));
        Files.copy(golden.resolve("vocab.txt"), dir.resolve("vocab.txt"));
        Files.copy(golden.resolve("tokenizer_config.json"), dir.resolve("tokenizer_config.json"));
        Tokenizer vocab = Tokenizers.forDirectory(dir);
        assertInstanceOf(WordPieceTokenizer.class, vocab);
        assertEquals(16, check(vocab, "distilbert_small_tokenization.json"));
        assertEquals(100, vocab.unkId());
        assertEquals(101, vocab.clsId());
        assertEquals(102, vocab.sepId());
        assertEquals(0, vocab.padId());
        assertFalse(vocab.fromIds(new int[] {101, 100, 102}).special()[1], "[UNK] is not an added special token");
        assertEquals(json.encode("Naïve 😞 snargleflux").ids().length, vocab.encode("Naïve 😞 snargleflux").ids().length);
    }
}
