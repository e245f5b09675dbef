package io.lrp.serve;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrp.LrpException;
import io.lrp.explain.GoldenFiles;
import java.util.List;
import org.junit.jupiter.api.Test;

/** lrp serve refuses a decoder language model when it loads its models, before it listens. */
class ServeDecoderTest {
    @Test
    void aDecoderIsRefusedWithOneMessage() {
        String dir = GoldenFiles.path("families/llama_small").toString();
        String m = assertThrows(LrpException.class, () -> ServedModels.load(List.of(dir))).getMessage();
        assertTrue(m.contains("a llama decoder language model, which lrp serve does not serve"), m);
    }
}
