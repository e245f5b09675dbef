package io.lrp.models.graph;

import static org.junit.jupiter.api.Assertions.*;

import io.lrp.LrpException;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IDX files (hand-made headers and the shared MNIST), SLIC superpixels and the graphs built from them. */
class MnistSuperpixelsTest {

    static byte[] idxImages(int magic, int count, int rows, int cols, int pixels) {
        byte[] b = new byte[16 + pixels];
        int[] h = {magic, count, rows, cols};
        for (int k = 0; k < 4; k++) for (int j = 0; j < 4; j++) b[4 * k + j] = (byte) (h[k] >>> (24 - 8 * j));
        for (int i = 0; i < pixels; i++) b[16 + i] = (byte) (i * 7);
        return b;
    }

    static byte[] gzip(byte[] b) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(b);
        }
        return out.toByteArray();
    }

    @Test void handMadeIdxFilesParse(@TempDir Path dir) throws Exception {
        Path img = dir.resolve("t10k-images-idx3-ubyte.gz"), lab = dir.resolve("t10k-labels-idx1-ubyte");
        Files.write(img, gzip(idxImages(2051, 2, 28, 28, 2 * 784)));
        Files.write(lab, new byte[] {0, 0, 8, 1, 0, 0, 0, 2, 7, 3});
        byte[][] images = MnistData.images(img);
        assertEquals(2, images.length);
        assertEquals(784, images[1].length);
        assertEquals((byte) (5 * 7), images[0][5]);
        assertEquals((byte) ((784 + 10) * 7), images[1][10], "the second image starts 784 bytes after the header");
        assertArrayEquals(new int[] {7, 3}, MnistData.labels(lab));
        assertTrue(MnistData.isMnistDir(dir));
        List<MnistData.Digit> test = MnistData.read(dir, MnistData.Part.TEST);
        assertEquals(3, test.get(1).label());
        assertEquals("test#1", test.get(1).name());
        assertEquals((10 * 7 + 784 * 7) & 0xff, test.get(1).pixel(10, 0));
        // a plain (not gzipped) image file reads the same
        Path plain = dir.resolve("plain");
        Files.write(plain, idxImages(2051, 2, 28, 28, 2 * 784));
        assertArrayEquals(images[1], MnistData.images(plain)[1]);
    }

    @Test void badIdxFilesAreOneClearError(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x");
        Files.write(f, gzip(idxImages(2051, 3, 28, 28, 2 * 784)));
        LrpException e = assertThrows(LrpException.class, () -> MnistData.images(f));
        assertEquals(f + ": 1584 bytes (uncompressed) but the header's 3 images of 28x28 need 2368", e.getMessage());
        Files.write(f, idxImages(2049, 1, 28, 28, 784));
        assertTrue(assertThrows(LrpException.class, () -> MnistData.images(f)).getMessage().contains("magic number 2049, not an IDX image file"));
        Files.write(f, idxImages(2051, 1, 32, 32, 1024));
        assertTrue(assertThrows(LrpException.class, () -> MnistData.images(f)).getMessage().endsWith("images of 32x32, expected 28x28"));
        Files.write(f, new byte[] {0, 0, 8, 1, 0, 0, 0, 2, 7});
        assertTrue(assertThrows(LrpException.class, () -> MnistData.labels(f)).getMessage().endsWith("9 bytes (uncompressed) but the header's 2 labels need 10"));
        Files.write(f, new byte[] {0, 0, 8, 1, 0, 0, 0, 1, 10});
        assertTrue(assertThrows(LrpException.class, () -> MnistData.labels(f)).getMessage().endsWith("label 10 of digit 0 is not 0..9"));
        Files.write(f, new byte[] {1, 2, 3});
        assertTrue(assertThrows(LrpException.class, () -> MnistData.images(f)).getMessage().endsWith("too short for an IDX image header (16 bytes)"));
    }

    static List<MnistData.Digit> sharedTest() {
        Path dir = io.lrp.SharedFiles.require("data/mnist/t10k-images-idx3-ubyte.gz").getParent();
        return MnistData.read(dir, MnistData.Part.TEST);
    }

    @Test void theSharedTestSetHasTheOfficialLabelCounts() {
        List<MnistData.Digit> test = sharedTest();
        int[] counts = new int[10];
        long ink = 0;
        for (MnistData.Digit d : test) {
            counts[d.label()]++;
            for (byte p : d.pixels()) ink += p & 0xff;
        }
        // PROVENANCE.md: the official test label counts and mean pixel 33.79
        assertArrayEquals(new int[] {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}, counts);
        assertEquals(33.79, (double) ink / (10_000.0 * 784), 0.005);
        assertEquals(7, test.get(0).label());
        assertEquals(9, test.get(7).label());
    }

    @Test void superpixelsCoverTheDigitAndTheirFeaturesAverageToTheImage() {
        List<MnistData.Digit> test = sharedTest();
        for (int k = 0; k < 100; k++) {
            MnistData.Digit d = test.get(k);
            Superpixels.Segmentation s = Superpixels.segment(d.pixels());
            assertTrue(s.count() >= 50 && s.count() <= 100, d.name() + ": " + s.count() + " superpixels, expected about 75");
            int[] size = new int[s.count()];
            for (int l : s.labels()) size[l]++;   // every pixel has a region (an index outside throws)
            for (int r = 0; r < s.count(); r++) assertTrue(size[r] > 0, "region " + r + " is empty");
            // raster order: region r's first pixel comes before region r+1's
            int next = 0;
            for (int l : s.labels()) if (l == next) next++; else assertTrue(l < next, "region " + l + " before region " + next);
            // size-weighted means of the features are the image's: mean ink, centre of the frame (13.5 / 27 = 0.5)
            double ink = 0, cx = 0, cy = 0, pixels = 0;
            for (int r = 0; r < s.count(); r++) {
                float[] f = s.features()[r];
                assertEquals(Superpixels.FEATURES, f.length);
                for (int c = 0; c < Superpixels.RAW; c++) assertTrue(f[c] >= 0 && f[c] <= 1, "feature " + f[c]);
                for (int c = 0; c < Superpixels.RAW; c++) {
                    for (int b = 0; b < Superpixels.BANDS; b++) {   // the bands of feature c, frequency pi 2^b
                        int at = Superpixels.RAW + 2 * (c * Superpixels.BANDS + b);
                        assertEquals(Math.sin(Math.PI * (1 << b) * f[c]), f[at], 1e-6);
                        assertEquals(Math.cos(Math.PI * (1 << b) * f[c]), f[at + 1], 1e-6);
                    }
                }
                ink += size[r] * f[0];
                cx += size[r] * f[1];
                cy += size[r] * f[2];
            }
            for (byte p : d.pixels()) pixels += (p & 0xff) / 255.0;
            assertEquals(pixels / 784, ink / 784, 1e-5);
            assertEquals(0.5, cx / 784, 1e-5);
            assertEquals(0.5, cy / 784, 1e-5);
            // touching regions are joined; the partition of a connected frame has a connected region graph
            Graph g = Superpixels.graph(d.name(), s);
            for (int[] e : s.edges()) assertTrue(touch(s.labels(), e[0], e[1]), "edge " + e[0] + "-" + e[1] + " without a shared side");
            for (int[] row : g.distance()) for (int v : row) assertTrue(v >= 0, "an unreachable region");
            assertEquals("S0", g.labels()[0]);
        }
    }

    private static boolean touch(int[] lab, int a, int b) {
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                int l = lab[y * 28 + x];
                if (l != a) continue;
                if (x + 1 < 28 && lab[y * 28 + x + 1] == b || x > 0 && lab[y * 28 + x - 1] == b) return true;
                if (y + 1 < 28 && lab[(y + 1) * 28 + x] == b || y > 0 && lab[(y - 1) * 28 + x] == b) return true;
            }
        }
        return false;
    }

    /** A hand-drawn square of ink: its pixels belong to regions whose intensity is high, the background's to regions of zero. */
    @Test void aSquareOfInkIsSeparatedFromTheBackground() {
        byte[] px = new byte[784];
        for (int y = 8; y < 20; y++) for (int x = 8; x < 20; x++) px[y * 28 + x] = (byte) 255;
        Superpixels.Segmentation s = Superpixels.segment(px);
        assertTrue(s.count() >= 50 && s.count() <= 100, s.count() + " superpixels");
        int mixed = 0;
        for (int r = 0; r < s.count(); r++) {
            float v = s.features()[r][0];
            if (v > 0.01f && v < 0.99f) mixed++;
        }
        assertTrue(mixed <= 2, mixed + " regions mix ink and background");
        // an ink pixel far from the border of the square sits in a region of full intensity
        assertEquals(1f, s.features()[s.labels()[14 * 28 + 14]][0], 1e-6f);
        assertEquals(0f, s.features()[s.labels()[2 * 28 + 2]][0], 1e-6f);
    }

    @Test void aPictureOfTheWrongSizeIsRefused(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("big.png");
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(32, 28, java.awt.image.BufferedImage.TYPE_BYTE_GRAY), "png", f.toFile());
        LrpException e = assertThrows(LrpException.class, () -> MnistData.picture(f));
        assertEquals(f + ": a digit picture must be 28x28 pixels (as MNIST), got 32x28", e.getMessage());
        // a grey picture keeps its grey levels (no colour-space conversion)
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(28, 28, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setSample(3, 5, 0, 100);
        Path ok = dir.resolve("ok.png");
        javax.imageio.ImageIO.write(img, "png", ok.toFile());
        MnistData.Digit d = MnistData.picture(ok);
        assertEquals(100, d.pixel(3, 5));
        assertEquals(0, d.pixel(5, 3));
    }
}
