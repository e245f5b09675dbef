package io.lrp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrp.explain.Explanation;
import io.lrp.viz.JsonLines;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** lrp train --arch graph on MNIST (a very short run, resumed), then explain --mnist-index / --digit, and the bad inputs. */
class MnistCliTest {

    static Path mnist() { return io.lrp.SharedFiles.require("data/mnist/t10k-images-idx3-ubyte.gz").getParent(); }

    @Test
    void trainsAndExplainsDigits(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("m");
        String[] train = {"train", "--arch", "graph", "--data", mnist().toString(), "--out", out.toString(), "--epochs", "1", "--limit", "48",
                "--batch", "16", "--seed", "3"};
        CliRunner.Result r = CliRunner.run(train);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("MNIST superpixels: 48 train, 500 valid (training digits from 55000), 48 test digits"), r.out());
        double acc = Double.parseDouble(r.out().replaceAll("(?s).*test accuracy ([0-9.]+).*", "$1"));
        assertTrue(acc >= 0 && acc <= 1, r.out());
        CliRunner.Result again = CliRunner.run(train);   // resumes after the finished epoch: the same model
        assertEquals(0, again.code(), again.err());
        assertEquals(r.out().replaceAll("(?s).*(test accuracy [0-9.]+).*", "$1"), again.out().replaceAll("(?s).*(test accuracy [0-9.]+).*", "$1"));
        String model = out.resolve("model.safetensors").toString();

        CliRunner.Result j = CliRunner.run("explain", "--model", model, "--mnist-index", "7", "--mnist-data", mnist().toString(),
                "--format", "json", "--method", "lrp-ah-ln,gi", "--target", "9");
        assertEquals(0, j.code(), j.err());
        String[] lines = j.out().strip().split("\n");
        assertEquals(2, lines.length, j.out());
        Explanation x = JsonLines.fromJson(lines[0]);
        assertEquals("test#7", x.text());
        assertEquals("[GRAPH]", x.tokens()[0]);
        assertEquals("S0", x.tokens()[1]);
        int n = x.tokens().length - 1;
        assertTrue(n >= 50 && n <= 100, n + " superpixels");
        assertEquals("S" + (n - 1), x.tokens()[n]);
        assertEquals(9, x.target());
        Explanation.Conservation c = x.conservation();
        assertEquals(c.logit(), c.sum() + c.bias(), 1e-5 * Math.max(1, Math.abs(c.logit())));

        Path png = dir.resolve("seven.png");
        CliRunner.Result t = CliRunner.run("explain", "--model", model, "--mnist-index", "7", "--mnist-data", mnist().toString(),
                "--method", "lrp-ah-ln,gi,attnlrp", "--picture", png.toString());
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().startsWith("test#7 (true label 9)\n"), t.out());
        assertTrue(t.out().contains("[sum ") && t.out().contains(" S"), t.out());
        assertTrue(t.err().contains("wrote " + png), t.err());
        BufferedImage img = javax.imageio.ImageIO.read(png.toFile());
        assertEquals(4 * 224 + 3 * 16, img.getWidth(), "the digit and three explanations, 8 pixels per digit pixel");
        assertEquals(22 + 224, img.getHeight());
        // the plain digit: test digit 7 has full ink at some pixel, drawn black
        int darkest = 255;
        for (int y = 22; y < img.getHeight(); y++) for (int xx = 0; xx < 224; xx++) darkest = Math.min(darkest, img.getRGB(xx, y) & 0xff);
        assertTrue(darkest <= 5, "darkest pixel of the plain digit " + darkest);

        CliRunner.Result svg = CliRunner.run("explain", "--model", model, "--mnist-index", "0", "--mnist-data", mnist().toString(), "--format", "svg");
        assertEquals(0, svg.code(), svg.err());
        assertTrue(svg.out().startsWith("<svg") && svg.out().contains("lrp-ah-ln ([GRAPH] "), svg.out().substring(0, 200));

        // two digits on one page: each digit's picture with its methods side by side, a caption per method
        Path html = dir.resolve("digits.html");
        CliRunner.Result h = CliRunner.run("explain", "--model", model, "--mnist-index", "7,0", "--mnist-data", mnist().toString(),
                "--method", "lrp-ah-ln,gi", "--format", "html", "--out", html.toString());
        assertEquals(0, h.code(), h.err());
        String page = Files.readString(html);
        assertEquals(2, page.split("<section class=\"digit\">", -1).length - 1, "two digit sections");
        assertTrue(page.contains("<h2>test#7 (true label 9)") && page.contains("<h2>test#0 (true label 7)"), page.substring(0, 600));
        assertEquals(2, page.split("<svg", -1).length - 1, "one picture per digit");
        assertEquals(2, page.split("data-method=\"lrp-ah-ln\"", -1).length - 1);
        assertEquals(2, page.split("data-method=\"gi\"", -1).length - 1);
        assertTrue(page.contains("top superpixels:") && page.contains("lrp-ah-ln ([GRAPH] "), "captions and panel titles");
        assertTrue(!page.contains("http://") || page.indexOf("http://") == page.indexOf("http://www.w3.org/2000/svg"), "no external resource");
        CliRunner.Result twoSvg = CliRunner.run("explain", "--model", model, "--mnist-index", "7,0", "--mnist-data", mnist().toString(), "--format", "svg");
        assertEquals(2, twoSvg.code());
        assertEquals("lrp: error: --format svg draws one digit; give one --mnist-index (or use --format html)", twoSvg.err().strip());

        // the perturbation evaluation on test digits, resumed by a second run
        Path ev = dir.resolve("ev");
        String[] evaluate = {"evaluate", "--model", model, "--data", mnist().toString(), "--split", "test", "--limit", "3",
                "--methods", "lrp-ah-ln,random", "--out", ev.toString(), "--no-plots"};
        CliRunner.Result e1 = CliRunner.run(evaluate);
        assertEquals(0, e1.code(), e1.err());
        assertTrue(e1.err().contains("the test part of " + mnist() + ": 3 digits"), e1.err());
        var run = new com.fasterxml.jackson.databind.ObjectMapper().readTree(ev.resolve("run.json").toFile());
        assertEquals("graph nodes, [GRAPH] kept, removed superpixels zero vectors", run.get("inputs").asText());
        assertTrue(Files.isRegularFile(ev.resolve("summary.json")) && Files.isRegularFile(ev.resolve("summary.md")));
        String samples = Files.readString(ev.resolve(io.lrp.eval.Evaluation.SAMPLES));
        assertEquals(6, samples.strip().split("\n").length, "3 digits x 2 methods");
        assertTrue(samples.contains("\"line\":1,") && samples.contains("\"line\":3,"), "test digits 0..2 as lines 1..3");
        CliRunner.Result e2 = CliRunner.run(evaluate);
        assertEquals(0, e2.code(), e2.err());
        assertTrue(e2.err().contains("resumed: 6 results"), e2.err());
        CliRunner.Result badSplit = CliRunner.run("evaluate", "--model", model, "--data", mnist().toString(), "--split", "dev",
                "--out", dir.resolve("ev2").toString());
        assertEquals(2, badSplit.code());
        assertEquals("lrp: error: unknown split 'dev': choose train, valid or test", badSplit.err().strip());

        // a digit picture of the wrong size: one line, exit code 2, before the model loads
        Path big = dir.resolve("big.png");
        javax.imageio.ImageIO.write(new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY), "png", big.toFile());
        CliRunner.Result bad = CliRunner.run("explain", "--model", model, "--digit", big.toString());
        assertEquals(2, bad.code());
        assertEquals("lrp: error: " + big + ": a digit picture must be 28x28 pixels (as MNIST), got 32x32", bad.err().strip());
        CliRunner.Result range = CliRunner.run("explain", "--model", model, "--mnist-index", "10000", "--mnist-data", mnist().toString());
        assertEquals(2, range.code());
        assertEquals("lrp: error: --mnist-index 10000: the test set has 10000 digits (0..9999)", range.err().strip());
        // a good 28x28 picture explains
        BufferedImage ok = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 6; y < 22; y++) ok.getRaster().setSample(14, y, 0, 255);
        Path one = dir.resolve("one.png");
        javax.imageio.ImageIO.write(ok, "png", one.toFile());
        CliRunner.Result d = CliRunner.run("explain", "--model", model, "--digit", one.toString(), "--format", "json");
        assertEquals(0, d.code(), d.err());
        assertEquals("one.png", JsonLines.fromJson(d.out().strip()).text());
        CliRunner.Result both = CliRunner.run("explain", "--model", model, "--digit", one.toString(), "--mnist-index", "1");
        assertEquals(2, both.code());
        assertTrue(both.err().startsWith("lrp: error: give one of:"), both.err());
    }

    @Test
    void aWrongSizedIdxFileIsOneLine(@TempDir Path dir) throws Exception {
        // the test images cut short: the header promises 10,000 digits
        byte[] head = new byte[16 + 784 * 3];
        int[] h = {2051, 10_000, 28, 28};
        for (int k = 0; k < 4; k++) for (int b = 0; b < 4; b++) head[4 * k + b] = (byte) (h[k] >>> (24 - 8 * b));
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), head);
        Files.copy(mnist().resolve("t10k-labels-idx1-ubyte.gz"), dir.resolve("t10k-labels-idx1-ubyte.gz"));
        CliRunner.Result r = CliRunner.run("explain", "--mnist-index", "1", "--mnist-data", dir.toString());
        assertEquals(2, r.code());
        assertEquals("lrp: error: " + dir.resolve("t10k-images-idx3-ubyte") + ": 2368 bytes (uncompressed) but the header's 10000 images of 28x28 need 7840016",
                r.err().strip());
    }
}
