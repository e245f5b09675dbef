package io.lrp.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrp.LrpException;
import io.lrp.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class SafeTensorsTest {
    @TempDir Path tmp;

    private static final Path PAPER = RawFiles.resource("golden/paper_small.safetensors");

    @Test
    void readsGoldenPaperModel() {
        SafeTensors st = SafeTensors.open(PAPER);
        assertEquals(PAPER, st.file());
        assertEquals(33, st.names().size());
        assertTrue(st.names().contains("embeddings.word_embeddings.weight"));
        assertArrayEquals(new int[] {64, 32}, st.shape("embeddings.word_embeddings.weight"));
        assertArrayEquals(new int[] {2, 32}, st.shape("classifier.weight"));
        assertEquals("F32", st.dtype("classifier.weight"));
        assertFalse(st.metadata().isEmpty());
        assertEquals("20220701", st.metadata().get("seed"));
        assertEquals("PAD=0 CLS=1 SEP=2 UNK=3", st.metadata().get("special_ids"));

        // Literals printed with python3 + numpy: np.frombuffer(raw[8+N+begin : 8+N+end], '<f4')
        // reshaped to the header shape, for the golden file copied from /work/shared/golden.
        Tensor w = st.get("embeddings.word_embeddings.weight");
        assertArrayEquals(new int[] {64, 32}, w.shape());
        assertEquals(0.25241277f, w.get(0, 0));
        assertEquals(-0.020444028f, w.get(5, 7));
        assertEquals(-1.2558875f, w.get(63, 31));
        Tensor c = st.get("classifier.weight");
        assertEquals(-0.20113438f, c.get(0, 0));
        assertEquals(-0.17381978f, c.get(1, 31));
        assertArrayEquals(new float[] {-0.22400706f, -0.06936843f}, st.get("classifier.bias").data);
    }

    /** Every tensor of the golden file equals an independent decode with Jackson + ByteBuffer. */
    @Test
    void goldenMatchesIndependentByteBufferDecode() throws Exception {
        byte[] raw = Files.readAllBytes(PAPER);
        ByteBuffer bb = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) bb.getLong(0);
        JsonNode header = new ObjectMapper().readTree(new String(raw, 8, n, "UTF-8"));
        SafeTensors st = SafeTensors.open(PAPER);
        int checked = 0;
        for (var it = header.fields(); it.hasNext(); ) {
            var f = it.next();
            if (f.getKey().equals("__metadata__")) continue;
            long begin = f.getValue().get("data_offsets").get(0).longValue();
            long end = f.getValue().get("data_offsets").get(1).longValue();
            float[] got = st.get(f.getKey()).data;
            assertEquals((end - begin) / 4, got.length, f.getKey());
            for (int i = 0; i < got.length; i++) {
                float expected = bb.getFloat((int) (8 + n + begin + 4L * i));
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(got[i]), f.getKey() + "[" + i + "]");
            }
            checked++;
        }
        assertEquals(33, checked);
    }

    /** Small mapping windows (odd size, so elements straddle window edges) give the same values. */
    @Test
    void multiWindowMappingDecodesIdentically() {
        Map<String, Tensor> whole = SafeTensors.open(PAPER).getAll();
        Map<String, Tensor> windowed = SafeTensors.open(PAPER, 1001).getAll();
        assertEquals(whole.keySet(), windowed.keySet());
        for (String name : whole.keySet()) {
            assertArrayEquals(whole.get(name).data, windowed.get(name).data, name);
            assertArrayEquals(whole.get(name).shape(), windowed.get(name).shape(), name);
        }
        assertEquals(List.copyOf(whole.keySet()), List.copyOf(SafeTensors.open(PAPER).names()));
    }

    /** getInto (large decoder matrices, straight into direct memory) decodes every 2-d tensor as get does, across window edges too. */
    @Test
    void getIntoAMatrixEqualsGet() throws Exception {
        for (SafeTensors st : new SafeTensors[] {SafeTensors.open(PAPER), SafeTensors.open(PAPER, 1001)}) {
            int checked = 0;
            for (String name : st.names()) {
                int[] shape = st.shape(name);
                if (shape.length != 2) continue;
                io.lrp.tensor.F32Matrix m = io.lrp.tensor.F32Matrix.allocate(shape[0], shape[1]);
                st.getInto(name, m);
                assertRowsEqual(st.get(name).data, m, name);
                checked++;
            }
            assertTrue(checked > 10, checked + " matrices");
        }
        int[] bits = {0x3C00, 0xC100, 0x7BFF, 0x0001, 0x03FF, 0x0400};
        Path f = RawFiles.write(tmp.resolve("f16m.safetensors"), "{\"h\":{\"dtype\":\"F16\",\"shape\":[2,3],\"data_offsets\":[0,12]}}",
                RawFiles.shortsLE(bits));
        SafeTensors st = SafeTensors.open(f);
        io.lrp.tensor.F32Matrix m = io.lrp.tensor.F32Matrix.allocate(2, 3);
        st.getInto("h", m);
        assertRowsEqual(st.get("h").data, m, "F16");
        assertThrows(IllegalArgumentException.class, () -> st.getInto("h", io.lrp.tensor.F32Matrix.allocate(3, 3)));
    }

    private static void assertRowsEqual(float[] want, io.lrp.tensor.F32Matrix m, String what) {
        float[] row = new float[m.cols()];
        for (int r = 0; r < m.rows(); r++) {
            m.row(r, row, 0);
            for (int c = 0; c < row.length; c++) {
                assertEquals(Float.floatToRawIntBits(want[r * m.cols() + c]), Float.floatToRawIntBits(row[c]), what + "[" + r + "," + c + "]");
            }
        }
    }

    @Test
    void hfBertSmallWeightsMatchConfig() {
        Path dir = RawFiles.resource("golden/hf_bert_small");
        HfConfig cfg = HfConfig.read(dir.resolve("config.json"));
        SafeTensors st = SafeTensors.open(dir.resolve("model.safetensors"));
        Shapes.requireShape("bert.embeddings.word_embeddings.weight",
                st.shape("bert.embeddings.word_embeddings.weight"),
                new int[] {cfg.vocabSize(), cfg.hiddenSize()}, st.file());
        Shapes.requireShape("classifier.weight", st.shape("classifier.weight"),
                new int[] {cfg.numLabels(), cfg.hiddenSize()}, st.file());
        assertEquals("pt", st.metadata().get("format"));
        Tensor w = st.get("bert.encoder.layer.1.intermediate.dense.weight");
        assertArrayEquals(new int[] {256, 64}, w.shape());
    }

    @Test
    void decodesF16Exactly() throws Exception {
        int[] bits = {0x3C00, 0xC100, 0x7BFF, 0x0001, 0x03FF, 0x0400, 0x8000, 0x7C00, 0xFC00, 0x7E00};
        String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[2,5],\"data_offsets\":[0,20]}}";
        Path f = RawFiles.write(tmp.resolve("f16.safetensors"), header, RawFiles.shortsLE(bits));
        SafeTensors st = SafeTensors.open(f);
        assertEquals("F16", st.dtype("h"));
        float[] v = st.get("h").data;
        assertEquals(1.0f, v[0]);
        assertEquals(-2.5f, v[1]);
        assertEquals(65504f, v[2]);
        assertEquals(0x1p-24f, v[3]);             // smallest subnormal half
        assertEquals(1023 * 0x1p-24f, v[4]);      // largest subnormal half
        assertEquals(0x1p-14f, v[5]);             // smallest normal half
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(v[6]));
        assertEquals(Float.POSITIVE_INFINITY, v[7]);
        assertEquals(Float.NEGATIVE_INFINITY, v[8]);
        assertTrue(Float.isNaN(v[9]));
        assertEquals(0x7FC00000, Float.floatToRawIntBits(v[9]));  // quiet NaN stays quiet NaN
    }

    @Test
    void f16ConversionIsExactForAllHalfValues() {
        // every finite half value is a float; converting back by float arithmetic must be exact
        for (int h = 0; h < 0x10000; h++) {
            int exp = (h >>> 10) & 0x1f, mant = h & 0x3ff;
            float v = SafeTensors.halfToFloat(h);
            if (exp == 0x1f) {
                assertEquals(mant == 0, Float.isInfinite(v), Integer.toHexString(h));
                continue;
            }
            double expected = (exp == 0 ? mant * Math.pow(2, -24) : (1024 + mant) * Math.pow(2, exp - 25));
            if ((h & 0x8000) != 0) expected = -expected;
            assertEquals(expected, (double) v, 0.0, Integer.toHexString(h));
        }
    }

    @Test
    void decodesBf16Exactly() throws Exception {
        int[] bits = {0x3F80, 0xC020, 0x7F7F, 0x0001, 0x7F80, 0x7FC0};
        String header = "{\"b\":{\"dtype\":\"BF16\",\"shape\":[6],\"data_offsets\":[0,12]}}";
        float[] v = SafeTensors.open(RawFiles.write(tmp.resolve("bf16.safetensors"), header,
                RawFiles.shortsLE(bits))).get("b").data;
        assertEquals(1.0f, v[0]);
        assertEquals(-2.5f, v[1]);
        assertEquals(3.3895314e38f, v[2]);        // largest finite bfloat16
        assertEquals(0x1p-133f, v[3]);            // smallest subnormal bfloat16, about 9.18e-41
        assertEquals(Float.POSITIVE_INFINITY, v[4]);
        assertTrue(Float.isNaN(v[5]));
    }

    @Test
    void decodesF64AndEmptyTensors() throws Exception {
        ByteBuffer d = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.1).putDouble(-3.0);
        String header = "{\"d\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                + "\"e\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[16,16]}}";
        SafeTensors st = SafeTensors.open(RawFiles.write(tmp.resolve("f64.safetensors"), header, d.array()));
        assertArrayEquals(new float[] {0.1f, -3.0f}, st.get("d").data);
        assertEquals(0, st.get("e").size());
        assertArrayEquals(new int[] {0, 3}, st.get("e").shape());
        assertTrue(st.metadata().isEmpty());
    }

    @Test
    void writeReadRoundTripWithMetadata() throws Exception {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("z.last", new Tensor(new float[] {1f, -2f, 3.5f, Float.MIN_VALUE, Float.NaN, -0f}, 2, 3));
        tensors.put("a.first", new Tensor(new float[] {42f}, 1));
        tensors.put("scalar", new Tensor(new float[] {7f}));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("note", "ünïcode \"quoted\"");
        Path f = tmp.resolve("rt.safetensors");
        SafeTensors.write(f, tensors, meta);

        byte[] raw = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertEquals(0, n % 8, "header padded to a multiple of 8");
        assertEquals(8 + n + 4 * 8, raw.length);
        try (var files = Files.list(tmp)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }

        SafeTensors st = SafeTensors.open(f);
        assertEquals(List.of("a.first", "scalar", "z.last"), List.copyOf(st.names()));
        assertEquals(meta, st.metadata());
        for (var e : tensors.entrySet()) {
            Tensor got = st.get(e.getKey());
            assertArrayEquals(e.getValue().shape(), got.shape(), e.getKey());
            for (int i = 0; i < got.size(); i++) {
                assertEquals(Float.floatToRawIntBits(e.getValue().data[i]), Float.floatToRawIntBits(got.data[i]));
            }
        }
        // data in sorted name order: a.first comes first in the data section
        assertEquals(42f, ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).getFloat((int) (8 + n)));

        // overwriting an existing file replaces it
        SafeTensors.write(f, Map.of("only", new Tensor(new float[] {5f}, 1)), Map.of());
        SafeTensors again = SafeTensors.open(f);
        assertEquals(List.of("only"), List.copyOf(again.names()));
        assertTrue(again.metadata().isEmpty());
    }

    @Test
    void rewritingGoldenFileReproducesItByteForByte() throws Exception {
        SafeTensors st = SafeTensors.open(PAPER);
        Path f = tmp.resolve("copy.safetensors");
        SafeTensors.write(f, st.getAll(), st.metadata());
        assertArrayEquals(Files.readAllBytes(PAPER), Files.readAllBytes(f));
    }

    @Test
    void missingTensorNameIsReported() {
        SafeTensors st = SafeTensors.open(PAPER);
        LrpException e = assertThrows(LrpException.class, () -> st.get("no.such.weight"));
        assertTrue(e.getMessage().contains("tensor no.such.weight not found in"), e.getMessage());
        assertTrue(e.getMessage().contains("paper_small.safetensors"), e.getMessage());
        assertThrows(LrpException.class, () -> st.shape("no.such.weight"));
    }
}
