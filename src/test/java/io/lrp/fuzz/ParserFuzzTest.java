package io.lrp.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.lrp.LrpException;
import io.lrp.data.Datasets;
import io.lrp.data.TextLines;
import io.lrp.io.HfConfig;
import io.lrp.io.SafeTensors;
import io.lrp.io.onnx.OnnxWeights;
import io.lrp.text.WordPieceTokenizer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzz targets for every parser of user files: any exception other than {@link LrpException}
 * (the library's one error type, printed as "lrp: error: ...") is a finding, and so is a hang or
 * an allocation beyond the heap. In a plain test run each target replays its seed inputs
 * (src/test/resources/io/lrp/fuzz/ParserFuzzTestInputs/TARGET/: the bad files of the tests and a
 * few good ones); with JAZZER_FUZZ=1 one target is fuzzed (docs/fuzzing.md).
 */
class ParserFuzzTest {
    private static final Path DIR = tempDir();

    private static Path tempDir() {
        try {
            Path shm = Path.of("/dev/shm");
            return Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "lrp-fuzz") : Files.createTempDirectory("lrp-fuzz");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The input as a file (the readers take paths, as the CLI gives them). */
    private static Path file(String name, byte[] data) {
        try {
            return Files.write(DIR.resolve(name), data);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @FuzzTest(maxDuration = "10s")
    void safetensors(byte[] data) {
        try {
            SafeTensors st = SafeTensors.open(file("f.safetensors", data));
            st.metadata();
            for (String n : st.names()) st.get(n);
        } catch (LrpException expected) {
            // a clear refusal is the contract
        }
    }

    @FuzzTest(maxDuration = "10s")
    void onnx(byte[] data) {
        try {
            OnnxWeights.read(new ByteArrayInputStream(data), "fuzz.onnx").tensors();
        } catch (LrpException expected) {
            // a clear refusal is the contract
        }
    }

    @FuzzTest(maxDuration = "10s")
    void configJson(byte[] data) {
        try {
            HfConfig.read(file("config.json", data));
        } catch (LrpException expected) {
            // a clear refusal is the contract
        }
    }

    @FuzzTest(maxDuration = "10s")
    void tokenizerJson(byte[] data) {
        try (WordPieceTokenizer t = WordPieceTokenizer.load(file("tokenizer.json", data))) {
            t.encode("a fine film, tr\u00e8s r\u00e9ussi");
        } catch (LrpException expected) {
            // a clear refusal is the contract
        }
    }

    @FuzzTest(maxDuration = "10s")
    void dataFile(byte[] data) {
        Path f = file("data.txt", data);
        for (Datasets.Format format : new Datasets.Format[] {null, Datasets.Format.STSA, Datasets.Format.GLUE, Datasets.Format.JSONL}) {
            try {
                Datasets.read(f, format);
            } catch (LrpException expected) {
                // a clear refusal is the contract
            }
        }
        try {
            TextLines.decode(data, StandardCharsets.ISO_8859_1, "fuzz");
        } catch (LrpException expected) {
            // CR-only input
        }
    }
}
