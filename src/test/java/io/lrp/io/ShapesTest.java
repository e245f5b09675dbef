package io.lrp.io;

import io.lrp.LrpException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class ShapesTest {
    private static final Path FILE = Path.of("/models/x/model.safetensors");

    @Test
    void equalShapesPass() {
        assertDoesNotThrow(() -> Shapes.requireShape("w", new int[] {3, 4}, new int[] {3, 4}, FILE));
    }

    @Test
    void mismatchNamesFileTensorAndBothShapes() {
        LrpException e = assertThrows(LrpException.class,
                () -> Shapes.requireShape("classifier.weight", new int[] {3, 64}, new int[] {2, 64}, FILE));
        assertEquals("/models/x/model.safetensors: tensor classifier.weight has shape [3, 64], "
                + "config.json implies [2, 64]", e.getMessage());
    }

    @Test
    void rankMismatchAndMissingTensorFail() {
        assertThrows(LrpException.class, () -> Shapes.requireShape("b", new int[] {64, 1}, new int[] {64}, FILE));
        LrpException e = assertThrows(LrpException.class, () -> Shapes.requireShape("b", null, new int[] {64}, FILE));
        assertTrue(e.getMessage().contains("tensor b not found"), e.getMessage());
    }
}
