package io.lrp.io;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrp.LrpException;
import io.lrp.tensor.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.MappedByteBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reader and writer for the safetensors format: an 8-byte little-endian header length N, N bytes
 * of UTF-8 JSON describing each tensor (dtype, shape, data_offsets relative to the data section),
 * then the raw little-endian data. The file is memory-mapped read-only and the whole header is
 * validated in {@link #open}; tensors are decoded into float32 on demand by {@link #get}.
 */
public final class SafeTensors {
    /** Largest header accepted, as in the reference implementation. */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    /** Size of one mapped window; each window maps 8 extra bytes so no element straddles two. */
    static final long DEFAULT_CHUNK = 1L << 30;
    private static final int OVERLAP = 8;
    private static final String METADATA_KEY = "__metadata__";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private record Entry(String name, String dtype, int[] shape, long begin, long end, long numel) {}

    private final Path file;
    private final long chunk;
    private final MappedByteBuffer[] windows;
    private final long dataStart;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafeTensors(Path file, long chunk, MappedByteBuffer[] windows, long dataStart,
                        Map<String, Entry> entries, Map<String, String> metadata) {
        this.file = file;
        this.chunk = chunk;
        this.windows = windows;
        this.dataStart = dataStart;
        this.entries = Collections.unmodifiableMap(entries);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /** Maps {@code file} and validates its header; no tensor data is read yet. */
    public static SafeTensors open(Path file) {
        return open(file, DEFAULT_CHUNK);
    }

    /** As {@link #open(Path)} with a custom window size (tests use small windows). */
    static SafeTensors open(Path file, long chunk) {
        Objects.requireNonNull(file, "file");
        if (chunk < OVERLAP || chunk > Integer.MAX_VALUE - OVERLAP) {
            throw new IllegalArgumentException("bad chunk size " + chunk);
        }
        if (Files.isDirectory(file)) throw err(file, "is a directory, expected a .safetensors file");
        MappedByteBuffer[] windows;
        long size;
        if (Files.exists(file) || Files.isSymbolicLink(file)) InputFiles.requireRegular(file, "safetensors file");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            size = ch.size();
            if (size < 8) {
                throw err(file, "file too short to be safetensors: " + size + " bytes, need at least 8");
            }
            int count = (int) ((size + chunk - 1) / chunk);
            windows = new MappedByteBuffer[count];
            for (int i = 0; i < count; i++) {
                long pos = i * chunk;
                windows[i] = ch.map(FileChannel.MapMode.READ_ONLY, pos, Math.min(size - pos, chunk + OVERLAP));
            }
        } catch (NoSuchFileException e) {
            throw err(file, "file not found");
        } catch (IOException e) {
            throw new LrpException(file + ": cannot read file: " + e.getMessage(), e);
        }

        long n = windows[0].duplicate().order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        long follow = size - 8;
        if (Long.compareUnsigned(n, follow) > 0) {
            throw err(file, "truncated file: header says " + Long.toUnsignedString(n)
                    + " bytes but only " + follow + " follow (not a safetensors file?)");
        }
        if (n > MAX_HEADER_BYTES) {
            throw err(file, "header length " + n + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
        }
        if (n < 2) throw err(file, "header length " + n + " is too small for a JSON object");

        byte[] headerBytes = new byte[(int) n];
        readBytes(windows, chunk, 8, headerBytes);
        JsonNode root;
        try {
            root = JSON.readTree(headerBytes);
        } catch (JsonProcessingException e) {
            throw new LrpException(file + ": malformed JSON header" + where(e) + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new LrpException(file + ": cannot parse header: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw err(file, "header is not a JSON object");

        long dataSize = follow - n;
        Map<String, Entry> entries = new TreeMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (METADATA_KEY.equals(f.getKey())) {
                readMetadata(file, f.getValue(), metadata);
            } else {
                entries.put(f.getKey(), parseEntry(file, f.getKey(), f.getValue(), dataSize));
            }
        }
        checkOverlaps(file, entries.values());
        return new SafeTensors(file, chunk, windows, 8 + n, entries, metadata);
    }

    private static void readMetadata(Path file, JsonNode node, Map<String, String> out) {
        if (node.isNull()) return;
        if (!node.isObject()) throw err(file, METADATA_KEY + " is not a JSON object");
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> m = it.next();
            if (!m.getValue().isTextual()) {
                throw err(file, METADATA_KEY + " value for key '" + m.getKey() + "' is not a string");
            }
            out.put(m.getKey(), m.getValue().textValue());
        }
    }

    private static Entry parseEntry(Path file, String name, JsonNode node, long dataSize) {
        String t = "tensor '" + name + "'";
        if (!node.isObject()) throw err(file, t + ": header entry is not a JSON object");
        JsonNode dt = node.get("dtype");
        if (dt == null || !dt.isTextual()) throw err(file, t + ": missing or non-string dtype");
        String dtype = dt.textValue();
        int bpe = bytesPerElement(dtype);
        if (bpe < 0) throw err(file, t + ": unknown dtype '" + dtype + "'");

        JsonNode sh = node.get("shape");
        if (sh == null || !sh.isArray()) throw err(file, t + ": missing or non-array shape");
        int[] shape = new int[sh.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = sh.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToInt() || d.intValue() < 0) {
                throw err(file, t + ": shape " + sh + " must contain non-negative integers");
            }
            shape[i] = d.intValue();
            try {
                numel = Math.multiplyExact(numel, shape[i]);
            } catch (ArithmeticException e) {
                throw err(file, t + ": shape " + sh + " has too many elements");
            }
        }

        JsonNode off = node.get("data_offsets");
        if (off == null || !off.isArray() || off.size() != 2) {
            throw err(file, t + ": data_offsets must be an array [begin, end]");
        }
        long[] be = new long[2];
        for (int i = 0; i < 2; i++) {
            JsonNode v = off.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                throw err(file, t + ": data_offsets " + off + " must be non-negative integers");
            }
            be[i] = v.longValue();
        }
        long begin = be[0], end = be[1];
        if (begin > end) throw err(file, t + ": data_offsets " + off + " has begin > end");
        if (end > dataSize) {
            throw err(file, t + ": data_offsets " + off + " point beyond the end of the data section ("
                    + dataSize + " bytes): file truncated?");
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(numel, (long) bpe);
        } catch (ArithmeticException e) {
            throw err(file, t + ": shape " + sh + " has too many elements");
        }
        if (end - begin != bytes) {
            throw err(file, t + ": size mismatch: shape " + Arrays.toString(shape) + " with dtype " + dtype
                    + " needs " + bytes + " bytes but data_offsets " + off + " span " + (end - begin));
        }
        return new Entry(name, dtype, shape, begin, end, numel);
    }

    private static void checkOverlaps(Path file, Iterable<Entry> all) {
        List<Entry> sorted = new ArrayList<>();
        for (Entry e : all) if (e.end > e.begin) sorted.add(e);   // empty tensors occupy no bytes
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        Entry prev = null;
        for (Entry e : sorted) {
            if (prev != null && e.begin < prev.end) {
                throw err(file, "tensors '" + prev.name + "' [" + prev.begin + ", " + prev.end + ") and '"
                        + e.name + "' [" + e.begin + ", " + e.end + ") overlap");
            }
            if (prev == null || e.end > prev.end) prev = e;
        }
    }

    /** Bytes per element of a safetensors dtype, or -1 if the dtype is unknown. */
    static int bytesPerElement(String dtype) {
        switch (dtype) {
            case "F64": case "I64": case "U64": return 8;
            case "F32": case "I32": case "U32": return 4;
            case "F16": case "BF16": case "I16": case "U16": return 2;
            case "I8": case "U8": case "BOOL": case "F8_E4M3": case "F8_E5M2": return 1;
            default: return -1;
        }
    }

    private static boolean convertible(String dtype) {
        return dtype.equals("F32") || dtype.equals("F16") || dtype.equals("BF16") || dtype.equals("F64");
    }

    private static String where(JsonProcessingException e) {
        JsonLocation loc = e.getLocation();
        if (loc == null) return "";
        return " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    }

    private static LrpException err(Path file, String problem) {
        return new LrpException(file + ": " + problem);
    }

    /** Copies bytes starting at absolute file position {@code pos}, across window boundaries. */
    private static void readBytes(MappedByteBuffer[] windows, long chunk, long pos, byte[] dst) {
        int done = 0;
        while (done < dst.length) {
            int w = (int) (pos / chunk);
            int local = (int) (pos - w * chunk);
            int n = (int) Math.min(dst.length - done, chunk - local);
            windows[w].duplicate().position(local).get(dst, done, n);
            done += n;
            pos += n;
        }
    }

    public Path file() { return file; }

    /** Tensor names in sorted order. */
    public Set<String> names() { return entries.keySet(); }

    /** Metadata strings in file order; empty if the file has none. */
    public Map<String, String> metadata() { return metadata; }

    public boolean contains(String name) { return entries.containsKey(name); }

    public int[] shape(String name) { return entry(name).shape.clone(); }

    public String dtype(String name) { return entry(name).dtype; }

    private Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) throw new LrpException("tensor " + name + " not found in " + file);
        return e;
    }

    /** Decodes one tensor into a new float32 tensor. */
    public Tensor get(String name) {
        Entry e = entry(name);
        if (!convertible(e.dtype)) {
            throw err(file, "tensor '" + name + "' has unsupported dtype " + e.dtype
                    + " (supported for float32 weights: F32, F16, BF16, F64)");
        }
        if (e.numel > Integer.MAX_VALUE - 8) {
            throw err(file, "tensor '" + name + "' with shape " + Arrays.toString(e.shape)
                    + " is too large to load as one float32 array");
        }
        int numel = (int) e.numel;
        int bpe = bytesPerElement(e.dtype);
        float[] out = new float[numel];
        long pos = dataStart + e.begin;
        int done = 0;
        while (done < numel) {
            int w = (int) (pos / chunk);
            long local = pos - w * chunk;
            long startsLeft = (chunk - local + bpe - 1) / bpe;    // elements starting in this window
            int n = (int) Math.min(numel - done, startsLeft);
            ByteBuffer bb = windows[w].duplicate().position((int) local).limit((int) (local + (long) n * bpe))
                    .slice().order(ByteOrder.LITTLE_ENDIAN);
            decode(e.dtype, bb, out, done, n);
            done += n;
            pos += (long) n * bpe;
        }
        return new Tensor(out, e.shape);
    }

    /**
     * Decodes one tensor into an F32 matrix of as many elements (direct memory where it fits),
     * a piece at a time, so that no float32 array of the whole tensor is ever held.
     */
    public void getInto(String name, io.lrp.tensor.F32Matrix dst) {
        Entry e = entry(name);
        if (!convertible(e.dtype)) {
            throw err(file, "tensor '" + name + "' has unsupported dtype " + e.dtype
                    + " (supported for float32 weights: F32, F16, BF16, F64)");
        }
        if (e.numel != (long) dst.rows() * dst.cols()) {
            throw new IllegalArgumentException(name + ": " + e.numel + " elements into a " + dst.rows() + " x " + dst.cols() + " matrix");
        }
        int bpe = bytesPerElement(e.dtype);
        float[] piece = new float[1 << 16];
        long pos = dataStart + e.begin, done = 0;
        while (done < e.numel) {
            int w = (int) (pos / chunk);
            long local = pos - w * chunk;
            long startsLeft = (chunk - local + bpe - 1) / bpe;
            int n = (int) Math.min(Math.min(e.numel - done, startsLeft), piece.length);
            ByteBuffer bb = windows[w].duplicate().position((int) local).limit((int) (local + (long) n * bpe))
                    .slice().order(ByteOrder.LITTLE_ENDIAN);
            decode(e.dtype, bb, piece, 0, n);
            dst.put(done, piece, n);
            done += n;
            pos += (long) n * bpe;
        }
    }

    /** A BF16 tensor's raw bits, 2 bytes a value, not widened (BF16 weights kept as they are stored). */
    public short[] getBf16(String name) {
        Entry e = entry(name);
        if (!e.dtype.equals("BF16")) throw err(file, "tensor '" + name + "' is " + e.dtype + ", not BF16");
        if (e.numel > Integer.MAX_VALUE - 8) {
            throw err(file, "tensor '" + name + "' with shape " + Arrays.toString(e.shape) + " is too large for one array");
        }
        int numel = (int) e.numel;
        short[] out = new short[numel];
        long pos = dataStart + e.begin;
        int done = 0;
        while (done < numel) {
            int w = (int) (pos / chunk);
            long local = pos - w * chunk;
            int n = (int) Math.min(numel - done, (chunk - local + 1) / 2);
            windows[w].duplicate().position((int) local).limit((int) (local + 2L * n)).slice()
                    .order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(out, done, n);
            done += n;
            pos += 2L * n;
        }
        return out;
    }

    /** All tensors, decoded, in sorted name order. */
    public Map<String, Tensor> getAll() {
        Map<String, Tensor> all = new LinkedHashMap<>();
        for (String name : entries.keySet()) all.put(name, get(name));
        return all;
    }

    private static void decode(String dtype, ByteBuffer bb, float[] out, int off, int n) {
        switch (dtype) {
            case "F32" -> bb.asFloatBuffer().get(out, off, n);
            case "F64" -> {
                DoubleBuffer db = bb.asDoubleBuffer();
                for (int i = 0; i < n; i++) out[off + i] = (float) db.get(i);
            }
            case "F16" -> {
                ShortBuffer sb = bb.asShortBuffer();
                for (int i = 0; i < n; i++) out[off + i] = halfToFloat(sb.get(i) & 0xffff);
            }
            case "BF16" -> {
                ShortBuffer sb = bb.asShortBuffer();
                for (int i = 0; i < n; i++) out[off + i] = bfloat16ToFloat(sb.get(i) & 0xffff);
            }
            default -> throw new IllegalStateException(dtype);
        }
    }

    /** IEEE 754 binary16 bits to float, exact (every half value is representable as a float). */
    static float halfToFloat(int h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {                      // inf or NaN, keep the payload
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {                         // zero or subnormal: mant * 2^-24, exact in float
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    /** bfloat16 bits are the upper half of a float's bits. */
    static float bfloat16ToFloat(int b) {
        return Float.intBitsToFloat(b << 16);
    }

    /**
     * Writes tensors as F32 in sorted name order, the header padded with spaces to a multiple of
     * 8 bytes and {@code __metadata__} last (omitted if empty). The file is written to a temporary
     * file in the same directory and moved into place atomically.
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        SafeTensorsWriter.write(file, tensors, metadata);
    }

    @Override public String toString() { return "SafeTensors[" + file + ", " + entries.size() + " tensors]"; }
}
