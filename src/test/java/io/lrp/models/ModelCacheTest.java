package io.lrp.models;

import static io.lrp.explain.GoldenFiles.*;
import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.lrp.explain.Method;
import io.lrp.explain.Provenance;
import io.lrp.explain.Relevance;
import io.lrp.models.bert.BertModel;
import io.lrp.nn.Weights;
import io.lrp.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache of assembled MiniLM tensors: a model loaded from it is bit for bit the model built
 * from the resources (and gives the golden numbers); a damaged file or one of another key is not used.
 */
class ModelCacheTest {
    static JsonNode golden;
    static BertModel uncached;   // the golden-head MiniLM built from the ONNX export, no cache

    @TempDir Path dir;

    @BeforeAll
    static void load() {
        golden = json("minilm_explanations.json");
        uncached = miniLmWithGoldenHead();
    }

    /** The golden head, counting how often it is asked for (once per assembly from the resources). */
    private static Supplier<ModelLoader.Head> goldenHead(AtomicInteger calls) {
        JsonNode cls = golden.get("classifier");
        return () -> {
            calls.incrementAndGet();
            Tensor w = Tensor.zeros(2, 384), b = Tensor.zeros(2);
            for (int i = 0; i < 2; i++) for (int j = 0; j < 384; j++) w.data[i * 384 + j] = (float) cls.get("W").get(i).get(j).asDouble();
            for (int i = 0; i < 2; i++) b.data[i] = (float) cls.get("b").get(i).asDouble();
            return new ModelLoader.Head(new Weights(Map.of("classifier.weight", w, "classifier.bias", b), "golden head"), null);
        };
    }

    private static void assertSameModel(BertModel expected, BertModel actual) {
        assertEquals(expected.source(), actual.source());
        assertEquals(expected.labels(), actual.labels());
        var pe = expected.parameters();
        var pa = actual.parameters();
        assertEquals(pe.keySet(), pa.keySet());
        for (String k : pe.keySet()) {
            assertArrayEquals(pe.get(k).shape(), pa.get(k).shape(), k);
            assertArrayEquals(pe.get(k).value.data, pa.get(k).value.data, k); // exact: float bits
        }
        // the embeddings (not parameters): every word, position and token type through one batch
        int[] ids = new int[512];
        for (int i = 0; i < ids.length; i++) ids[i] = (i * 59 + 7) % 30522;
        Batch batch = Batch.single(ids);
        assertArrayEquals(expected.embed(batch).data, actual.embed(batch).data);
    }

    private static void assertSameExplanations(BertModel expected, BertModel actual, boolean againstGolden) {
        for (JsonNode c : golden.get("cases")) {
            Batch batch = Batch.single(ints(c.get("input_ids")));
            for (Method method : new Method[] {Method.LRP_AH_LN, Method.GI}) {
                Relevance.Result e = Relevance.compute(expected, batch, method, null, Relevance.Options.DEFAULT);
                Relevance.Result a = Relevance.compute(actual, batch, method, null, Relevance.Options.DEFAULT);
                assertArrayEquals(e.relevance()[0], a.relevance()[0], c.get("text") + " " + method.id());
                if (againstGolden) {
                    assertClose(c.get("text").asText() + " " + method.id(), doubles(c.get("methods").get(method.id()).get("R")),
                            a.relevance()[0], 1e-4, 1e-4);
                }
            }
        }
    }

    @Test
    void cachedModelIsBitIdenticalAndGivesTheGoldenNumbers() {
        AtomicInteger calls = new AtomicInteger();
        BertModel first = ModelLoader.cachedMiniLm("minilm", "key A", dir, goldenHead(calls));
        assertEquals(1, calls.get());
        Path file = ModelCache.file(dir, "minilm", "key A");
        assertTrue(Files.isRegularFile(file), "the first load writes the cache");
        BertModel cached = ModelLoader.cachedMiniLm("minilm", "key A", dir, goldenHead(calls));
        assertEquals(1, calls.get(), "the second load reads the cache, not the head");
        assertSameModel(uncached, first);
        assertSameModel(uncached, cached);
        assertEquals(Provenance.fingerprint(uncached), Provenance.fingerprint(cached));
        assertSameExplanations(uncached, cached, true);
    }

    @Test
    void truncatedFileIsRebuilt() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        ModelLoader.cachedMiniLm("minilm", "key A", dir, goldenHead(calls));
        Path file = ModelCache.file(dir, "minilm", "key A");
        long size = Files.size(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size - 4); // one float short: the header still parses
        }
        assertNull(ModelCache.read(file, "key A"));
        BertModel m = ModelLoader.cachedMiniLm("minilm", "key A", dir, goldenHead(calls));
        assertEquals(2, calls.get(), "a truncated cache is not used");
        assertEquals(size, Files.size(file), "and is written again");
        assertNotNull(ModelCache.read(file, "key A"));
        assertSameModel(uncached, m);

        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size / 2); // half of it: the header's offsets point past the end
        }
        assertNull(ModelCache.read(file, "key A"));
        assertSameModel(uncached, ModelLoader.cachedMiniLm("minilm", "key A", dir, goldenHead(calls)));
        assertEquals(3, calls.get());

        for (int keep : new int[] {0, 5, 100}) { // nothing, part of the length, part of the header
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(keep);
            }
            assertNull(ModelCache.read(file, "key A"), keep + " bytes");
        }
        assertSameModel(uncached, ModelLoader.cachedMiniLm("minilm", "key A", dir, goldenHead(calls)));
        assertEquals(4, calls.get());
        assertEquals(size, Files.size(file));
    }

    @Test
    void alteredBytesAreDetected() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        ModelLoader.cachedMiniLm("minilm", "key A", dir, goldenHead(calls));
        Path file = ModelCache.file(dir, "minilm", "key A");
        long at = Files.size(file) - 1000; // inside the data of the last tensor
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, at);
            one.put(0, (byte) (one.get(0) ^ 0x01)); // one bit of one weight
            ch.write(one.rewind(), at);
        }
        assertNull(ModelCache.read(file, "key A"), "a changed weight fails the checksum");
        BertModel m = ModelLoader.cachedMiniLm("minilm", "key A", dir, goldenHead(calls));
        assertEquals(2, calls.get());
        assertSameModel(uncached, m);
        assertNotNull(ModelCache.read(file, "key A"), "the rebuilt file is whole again");
    }

    @Test
    void anotherKeyDoesNotUseTheCache() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        ModelLoader.cachedMiniLm("minilm", "key A", dir, goldenHead(calls));
        Path a = ModelCache.file(dir, "minilm", "key A"), b = ModelCache.file(dir, "minilm", "key B");
        assertNotEquals(a, b);
        // even under the other key's file name, a file written for key A is refused for key B
        Files.copy(a, b);
        assertNull(ModelCache.read(b, "key B"));
        assertNotNull(ModelCache.read(a, "key A"));
        BertModel m = ModelLoader.cachedMiniLm("minilm", "key B", dir, goldenHead(calls));
        assertEquals(2, calls.get(), "a model of another key is built from its resources");
        assertSameModel(uncached, m);
        assertNotNull(ModelCache.read(b, "key B"));
    }

    @Test
    void builtInClassifierThroughTheCacheEqualsTheUncachedOne() {
        BertModel plain = ModelLoader.builtInMiniLmClassifier("minilm-sst2", ModelLoader.MINILM_SST2, null);
        assertEquals(0, dir.toFile().list().length);
        BertModel written = ModelLoader.builtInMiniLmClassifier("minilm-sst2", ModelLoader.MINILM_SST2, dir);
        assertEquals(1, dir.toFile().list().length);
        BertModel cached = ModelLoader.builtInMiniLmClassifier("minilm-sst2", ModelLoader.MINILM_SST2, dir);
        assertSameModel(plain, written);
        assertSameModel(plain, cached);
        assertEquals(Provenance.fingerprint(plain), Provenance.fingerprint(cached));
        Batch batch = Batch.single(plain.tokenizer().encode("the film is a charming, funny delight").ids());
        Relevance.Result e = Relevance.compute(plain, batch, Method.LRP_AH_LN, null, Relevance.Options.DEFAULT);
        Relevance.Result c = Relevance.compute(cached, batch, Method.LRP_AH_LN, null, Relevance.Options.DEFAULT);
        assertArrayEquals(e.relevance()[0], c.relevance()[0]);
        assertArrayEquals(e.bias(), c.bias());
        assertEquals("positive", cached.labels().get(Relevance.argmax(Relevance.logits(cached, batch)[0])));
    }

    @Test
    void keyFollowsTheResourcesContent() throws Exception {
        // a resource in a directory: the SHA-256 of its bytes
        byte[] head;
        try (var in = getClass().getClassLoader().getResourceAsStream(ModelLoader.MINILM_SST2)) { head = in.readAllBytes(); }
        String hex = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(head));
        String id = ModelLoader.resourceIdentity(ModelLoader.MINILM_SST2);
        assertTrue(id.equals(ModelLoader.MINILM_SST2 + " sha256:" + hex) || id.contains("crc32"), id);
        assertNotEquals(id, ModelLoader.resourceIdentity(ModelLoader.PAPER_SST2));
        // the ONNX export inside its jar: the entry's size and CRC-32 from the jar's directory
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        long size = 0;
        try (var in = getClass().getClassLoader().getResourceAsStream(ModelLoader.MINILM_ONNX)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; size += n) crc.update(buf, 0, n);
        }
        String onnx = ModelLoader.resourceIdentity(ModelLoader.MINILM_ONNX);
        assertTrue(onnx.endsWith("!" + ModelLoader.MINILM_ONNX + " size " + size + " crc32 " + Long.toHexString(crc.getValue())), onnx);
    }

    @Test
    void paperModelEmbeddingsThroughTheCache() throws IOException {
        Map<String, Tensor> plain = ModelLoader.miniLmEmbeddingTensors(null);
        assertEquals(0, dir.toFile().list().length);
        Map<String, Tensor> written = ModelLoader.miniLmEmbeddingTensors(dir);
        String[] files = dir.toFile().list();
        assertEquals(1, files.length);
        Map<String, Tensor> cached = ModelLoader.miniLmEmbeddingTensors(dir);
        assertEquals(plain.keySet(), cached.keySet());
        assertTrue(plain.containsKey("embeddings.word_embeddings.weight"));
        for (String k : plain.keySet()) {
            assertArrayEquals(plain.get(k).shape(), cached.get(k).shape(), k);
            assertArrayEquals(plain.get(k).data, written.get(k).data, k);
            assertArrayEquals(plain.get(k).data, cached.get(k).data, k);
        }
        Path file = dir.resolve(files[0]);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(Files.size(file) - 4);
        }
        Map<String, Tensor> rebuilt = ModelLoader.miniLmEmbeddingTensors(dir);
        for (String k : plain.keySet()) assertArrayEquals(plain.get(k).data, rebuilt.get(k).data, k);

        // paper-sst2 (its embeddings are MiniLM's) explains the same with the cache as without
        String before = System.getProperty(ModelCache.DIR_PROPERTY);
        Model viaCache, direct;
        try {
            System.clearProperty(ModelCache.DIR_PROPERTY);
            direct = ModelLoader.load("paper-sst2");
            System.setProperty(ModelCache.DIR_PROPERTY, dir.toString());
            viaCache = ModelLoader.load("paper-sst2");
        } finally {
            if (before == null) System.clearProperty(ModelCache.DIR_PROPERTY);
            else System.setProperty(ModelCache.DIR_PROPERTY, before);
        }
        assertEquals(direct.source(), viaCache.source());
        assertEquals(Provenance.fingerprint(direct), Provenance.fingerprint(viaCache));
        Batch batch = Batch.single(direct.tokenizer().encode("the film is a charming, funny delight").ids());
        Relevance.Result e = Relevance.compute(direct, batch, Method.LRP_AH_LN, null, Relevance.Options.DEFAULT);
        Relevance.Result c = Relevance.compute(viaCache, batch, Method.LRP_AH_LN, null, Relevance.Options.DEFAULT);
        assertArrayEquals(e.relevance()[0], c.relevance()[0]);
    }

    @Test
    void noDirectoryNoCache() {
        String before = System.getProperty(ModelCache.DIR_PROPERTY);
        try {
            System.clearProperty(ModelCache.DIR_PROPERTY);
            assertNull(ModelCache.dir());
            System.setProperty(ModelCache.DIR_PROPERTY, "");
            assertNull(ModelCache.dir());
            System.setProperty(ModelCache.DIR_PROPERTY, dir.toString());
            assertEquals(dir, ModelCache.dir());
        } finally {
            if (before == null) System.clearProperty(ModelCache.DIR_PROPERTY);
            else System.setProperty(ModelCache.DIR_PROPERTY, before);
        }
    }
}
