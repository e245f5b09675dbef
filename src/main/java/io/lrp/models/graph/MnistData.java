package io.lrp.models.graph;

import io.lrp.LrpException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * MNIST digits from IDX files (gzip-compressed or plain), as ../shared/data/mnist holds them:
 * images with the big-endian header (magic 2051, count, 28, 28) and uint8 pixels row-major
 * (0 background, 255 ink), labels with (magic 2049, count) and uint8 labels. Every header field
 * and the exact file size are checked, so a truncated or foreign file is one clear error.
 */
public final class MnistData {
    private MnistData() {}

    public static final int SIDE = 28, PIXELS = SIDE * SIDE;
    static final int IMAGE_MAGIC = 2051, LABEL_MAGIC = 2049;

    /** One digit: its index in its file, label 0..9 (-1 when unknown), 784 pixels row-major. */
    public record Digit(String name, int index, int label, byte[] pixels) {
        public int pixel(int x, int y) { return pixels[y * SIDE + x] & 0xff; }
    }

    public enum Part { TRAIN, TEST }

    /** The candidate file names of a part, first found wins. */
    static List<String> imageFiles(Part p) {
        return p == Part.TRAIN
                ? List.of("train-images-idx3-ubyte.gz", "train-images-idx3-ubyte_reconstructed.gz", "train-images-idx3-ubyte")
                : List.of("t10k-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte");
    }

    static List<String> labelFiles(Part p) {
        return p == Part.TRAIN ? List.of("train-labels-idx1-ubyte.gz", "train-labels-idx1-ubyte")
                : List.of("t10k-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte");
    }

    /** Whether a directory looks like an MNIST directory (it has the training or test images). */
    public static boolean isMnistDir(Path dir) {
        if (!Files.isDirectory(dir)) return false;
        for (Part p : Part.values()) if (find(dir, imageFiles(p)) != null) return true;
        return false;
    }

    private static Path find(Path dir, List<String> names) {
        for (String n : names) if (Files.isRegularFile(dir.resolve(n))) return dir.resolve(n);
        return null;
    }

    /** The digits of one part of an MNIST directory, images and labels checked against each other. */
    public static List<Digit> read(Path dir, Part part) {
        Path img = find(dir, imageFiles(part)), lab = find(dir, labelFiles(part));
        if (img == null) throw new LrpException(dir + ": no MNIST " + part.name().toLowerCase() + " images (expected one of " + imageFiles(part) + ")");
        if (lab == null) throw new LrpException(dir + ": no MNIST " + part.name().toLowerCase() + " labels (expected one of " + labelFiles(part) + ")");
        byte[][] images = images(img);
        int[] labels = labels(lab);
        if (images.length != labels.length) {
            throw new LrpException(img + " has " + images.length + " images but " + lab + " has " + labels.length + " labels");
        }
        String prefix = part == Part.TRAIN ? "train#" : "test#";
        List<Digit> out = new ArrayList<>(images.length);
        for (int i = 0; i < images.length; i++) out.add(new Digit(prefix + i, i, labels[i], images[i]));
        return out;
    }

    /** The images of an IDX3 file (28x28 uint8). */
    public static byte[][] images(Path file) {
        byte[] b = content(file);
        if (b.length < 16) throw new LrpException(file + ": " + b.length + " bytes, too short for an IDX image header (16 bytes)");
        int magic = int32(b, 0), n = int32(b, 4), rows = int32(b, 8), cols = int32(b, 12);
        if (magic != IMAGE_MAGIC) throw new LrpException(file + ": magic number " + magic + ", not an IDX image file (expected " + IMAGE_MAGIC + ")");
        if (rows != SIDE || cols != SIDE) throw new LrpException(file + ": images of " + rows + "x" + cols + ", expected " + SIDE + "x" + SIDE);
        if (n < 0) throw new LrpException(file + ": negative image count " + n);
        long expected = 16L + (long) n * PIXELS;
        if (b.length != expected) {
            throw new LrpException(file + ": " + b.length + " bytes (uncompressed) but the header's " + n + " images of 28x28 need " + expected);
        }
        byte[][] out = new byte[n][];
        for (int i = 0; i < n; i++) out[i] = java.util.Arrays.copyOfRange(b, 16 + i * PIXELS, 16 + (i + 1) * PIXELS);
        return out;
    }

    /** The labels of an IDX1 file (each 0..9). */
    public static int[] labels(Path file) {
        byte[] b = content(file);
        if (b.length < 8) throw new LrpException(file + ": " + b.length + " bytes, too short for an IDX label header (8 bytes)");
        int magic = int32(b, 0), n = int32(b, 4);
        if (magic != LABEL_MAGIC) throw new LrpException(file + ": magic number " + magic + ", not an IDX label file (expected " + LABEL_MAGIC + ")");
        if (n < 0 || b.length != 8L + n) throw new LrpException(file + ": " + b.length + " bytes (uncompressed) but the header's " + n + " labels need " + (8L + n));
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = b[8 + i] & 0xff;
            if (out[i] > 9) throw new LrpException(file + ": label " + out[i] + " of digit " + i + " is not 0..9");
        }
        return out;
    }

    private static int int32(byte[] b, int o) {
        return ((b[o] & 0xff) << 24) | ((b[o + 1] & 0xff) << 16) | ((b[o + 2] & 0xff) << 8) | (b[o + 3] & 0xff);
    }

    /** The file's bytes, gunzipped when it starts with the gzip magic. */
    static byte[] content(Path file) {
        try {
            byte[] raw = Files.readAllBytes(file);
            if (raw.length < 2 || (raw[0] & 0xff) != 0x1f || (raw[1] & 0xff) != 0x8b) return raw;
            try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(raw), 1 << 16)) {
                ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length * 6);
                in.transferTo(out);
                return out.toByteArray();
            }
        } catch (IOException e) {
            throw new LrpException("cannot read " + file + ": " + e.getMessage());
        }
    }

    /**
     * A digit picture (PNG or any format javax.imageio reads) of exactly 28x28 pixels, as MNIST
     * draws them: light ink on a dark background. Colour pictures are reduced to their luminance.
     */
    public static Digit picture(Path file) {
        BufferedImage img;
        try {
            img = javax.imageio.ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new LrpException("cannot read the digit picture " + file + ": " + e.getMessage());
        }
        if (img == null) throw new LrpException(file + ": not a picture javax.imageio can read (PNG expected)");
        if (img.getWidth() != SIDE || img.getHeight() != SIDE) {
            throw new LrpException(file + ": a digit picture must be 28x28 pixels (as MNIST), got " + img.getWidth() + "x" + img.getHeight());
        }
        byte[] px = new byte[PIXELS];
        java.awt.image.Raster raster = img.getRaster();
        if (raster.getNumBands() <= 2 && img.getColorModel().getColorSpace().getType() == java.awt.color.ColorSpace.TYPE_GRAY) {
            // grey levels as stored: getRGB would convert the linear grey space to sRGB and change them
            int bits = img.getColorModel().getComponentSize(0), max = (1 << bits) - 1;
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) px[y * SIDE + x] = (byte) Math.round(255.0 * raster.getSample(x, y, 0) / max);
            }
            return new Digit(file.getFileName().toString(), 0, -1, px);
        }
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                int rgb = img.getRGB(x, y);
                int r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, bl = rgb & 0xff;
                px[y * SIDE + x] = (byte) Math.round(0.299 * r + 0.587 * g + 0.114 * bl);
            }
        }
        return new Digit(file.getFileName().toString(), 0, -1, px);
    }
}
