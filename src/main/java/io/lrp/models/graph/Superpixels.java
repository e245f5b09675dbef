package io.lrp.models.graph;

import boofcv.abst.segmentation.ImageSuperpixels;
import boofcv.factory.segmentation.ConfigSlic;
import boofcv.factory.segmentation.FactoryImageSegmentation;
import boofcv.struct.ConnectRule;
import boofcv.struct.image.GrayS32;
import boofcv.struct.image.GrayU8;
import boofcv.struct.image.ImageType;
import io.lrp.LrpException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A digit as a superpixel graph: SLIC (BoofCV) cuts the 28x28 picture into about {@value #REGIONS}
 * regions; each region is a node with three continuous features, its mean intensity (0..1) and
 * its centroid x and y (pixel centres, scaled to 0..1 by 27), each also as sines and cosines
 * ({@link #encode}); two nodes are joined by one edge
 * (one edge type) when their regions touch (4-connectivity of the label image). Region indices
 * follow the raster order of each region's first pixel, so a segmentation is reproducible.
 */
public final class Superpixels {
    private Superpixels() {}

    /** SLIC's target region count, compactness (BoofCV's spatial weight on 0..255 grey levels), iterations. */
    public static final int REGIONS = 75, ITERATIONS = 10;
    public static final float SPATIAL_WEIGHT = 200f;
    /** Sine/cosine bands of each raw feature (frequencies pi * 2^k, k = 0..BANDS-1). */
    public static final int BANDS = 4;
    /** Raw features (mean intensity, centroid x, centroid y) and their Fourier bands. */
    public static final int RAW = 3, FEATURES = RAW * (1 + 2 * BANDS);
    /** The featurizer name saved in a model's config. */
    public static final String FEATURIZER = "mnist-superpixels";

    /**
     * One segmentation.
     *
     * @param labels  [784] region of each pixel, row-major, 0..count-1
     * @param count   regions
     * @param features [count][FEATURES] mean intensity, centroid x, centroid y (all in 0..1), then their bands
     * @param edges   [m][2] touching region pairs, the lower index first, sorted
     */
    public record Segmentation(int[] labels, int count, float[][] features, int[][] edges) {}

    // BoofCV's segmenters keep working buffers: one per thread
    private static final ThreadLocal<ImageSuperpixels<GrayU8>> SLIC = ThreadLocal.withInitial(() -> {
        ConfigSlic c = new ConfigSlic(REGIONS, SPATIAL_WEIGHT);
        c.totalIterations = ITERATIONS;
        c.connectRule = ConnectRule.FOUR;
        return FactoryImageSegmentation.slic(c, ImageType.single(GrayU8.class));
    });

    public static Segmentation segment(byte[] pixels) {
        int side = MnistData.SIDE, n = MnistData.PIXELS;
        if (pixels.length != n) throw new LrpException("a digit has " + n + " pixels, got " + pixels.length);
        GrayU8 img = new GrayU8(side, side);
        System.arraycopy(pixels, 0, img.data, 0, n);
        GrayS32 out = new GrayS32(side, side);
        SLIC.get().segment(img, out);
        // compact, raster-ordered region indices
        int[] raw = new int[n];
        int max = -1;
        for (int y = 0; y < side; y++) for (int x = 0; x < side; x++) max = Math.max(max, raw[y * side + x] = out.get(x, y));
        int[] map = new int[max + 1];
        Arrays.fill(map, -1);
        int count = 0;
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            if (raw[i] < 0) throw new LrpException("SLIC left pixel " + i + " without a region");
            if (map[raw[i]] < 0) map[raw[i]] = count++;
            labels[i] = map[raw[i]];
        }
        double[] sum = new double[count], sx = new double[count], sy = new double[count];
        int[] size = new int[count];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                int r = labels[y * side + x];
                sum[r] += pixels[y * side + x] & 0xff;
                sx[r] += x;
                sy[r] += y;
                size[r]++;
            }
        }
        float[][] features = new float[count][];
        for (int r = 0; r < count; r++) {
            features[r] = encode(sum[r] / size[r] / 255.0, sx[r] / size[r] / (side - 1), sy[r] / size[r] / (side - 1));
        }
        boolean[][] touch = new boolean[count][count];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                int a = labels[y * side + x];
                if (x + 1 < side) touch[a][labels[y * side + x + 1]] = true;
                if (y + 1 < side) touch[a][labels[(y + 1) * side + x]] = true;
            }
        }
        List<int[]> edges = new ArrayList<>();
        for (int a = 0; a < count; a++) for (int b = a + 1; b < count; b++) if (touch[a][b] || touch[b][a]) edges.add(new int[] {a, b});
        return new Segmentation(labels, count, features, edges.toArray(new int[0][]));
    }

    /**
     * The node features of raw values in 0..1: the values, then sin and cos of pi 2^k v for each
     * value and band. A linear embedding of (x, y) alone cannot tell "near" from "far"; the bands
     * let the first layer express locality, and trained models learn several times faster.
     */
    static float[] encode(double... raw) {
        float[] f = new float[FEATURES];
        int k = 0;
        for (double v : raw) f[k++] = (float) v;
        for (double v : raw) {
            for (int b = 0; b < BANDS; b++) {
                double a = Math.PI * (1 << b) * v;
                f[k++] = (float) Math.sin(a);
                f[k++] = (float) Math.cos(a);
            }
        }
        return f;
    }

    /** The graph of a segmentation: nodes S0, S1, ... with the three continuous features, no categorical ones. */
    public static Graph graph(String name, Segmentation s) {
        String[] labels = new String[s.count()];
        for (int i = 0; i < labels.length; i++) labels[i] = label(i);
        return Graph.of(name, labels, new int[s.count()][0], s.features(), s.edges(), new int[s.edges().length][0]);
    }

    /** The node label of region i. */
    public static String label(int i) { return "S" + i; }
}
