package io.lrp.cli;

import io.lrp.LrpException;
import io.lrp.explain.Explanation;
import io.lrp.explain.Method;
import io.lrp.explain.Relevance;
import io.lrp.models.Model;
import io.lrp.models.graph.DigitPicture;
import io.lrp.models.graph.GraphExplainer;
import io.lrp.models.graph.GraphModel;
import io.lrp.models.graph.MnistData;
import io.lrp.viz.JsonLines;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code lrp explain --mnist-index N | --digit FILE}: one digit as a superpixel graph, explained by
 * each method. Text: the prediction and the top superpixels, and the picture (plain digit beside
 * the superpixels coloured by relevance) as SVG and PNG; json: the text contract with superpixels
 * for tokens; svg: the picture on the output.
 */
final class DigitExplain {
    private final MnistData.Digit digit;
    private final Path picture;

    private DigitExplain(MnistData.Digit digit, Path picture) {
        this.digit = digit;
        this.picture = picture;
    }

    /** The digit, read and checked before any model loads. */
    static DigitExplain read(Integer index, Path file, Path dir, Path picture) {
        if (picture != null) Args.writableFile(picture);
        if (file != null) {
            Args.readableFile(file, "digit picture");
            return new DigitExplain(MnistData.picture(file), picture);
        }
        if (index < 0) throw new LrpException("--mnist-index must be >= 0, got " + index);
        if (!Files.isDirectory(dir)) throw new LrpException("--mnist-data " + dir + " is not a directory (the MNIST IDX files)");
        List<MnistData.Digit> test = MnistData.read(dir, MnistData.Part.TEST);
        if (index >= test.size()) throw new LrpException("--mnist-index " + index + ": the test set has " + test.size() + " digits (0.." + (test.size() - 1) + ")");
        return new DigitExplain(test.get(index), picture);
    }

    void explain(Model m, List<Method> methods, int target, Relevance.Options options, String fmt, PrintWriter sink, PrintWriter err) {
        GraphModel g = GraphExplainer.require(m);
        if (fmt.equals("html")) throw new LrpException("--mnist-index/--digit: choose --format text, json or svg");
        DigitPicture.Input in = DigitPicture.input(g, digit);
        List<Explanation> row = new ArrayList<>();
        for (Method method : methods) row.add(GraphExplainer.explain(g, in.graph(), method, target, options));
        if (fmt.equals("svg")) sink.append(DigitPicture.svg(in, row));
        else if (fmt.equals("json")) for (Explanation e : row) sink.append(JsonLines.toJson(e)).append('\n');
        else {
            String truth = digit.label() >= 0 ? " (true label " + digit.label() + ")" : "";
            sink.append(GraphExplainer.text(row, 5).replaceFirst("\n", truth + "\n"));
        }
        sink.flush();
        if (picture == null && !fmt.equals("text")) return;
        List<Path> written = new ArrayList<>();
        if (picture != null && picture.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".png")) {
            DigitPicture.writePng(in, row, picture);
            written.add(picture);
        } else if (picture != null) {
            io.lrp.io.AtomicOutput.writeString(picture, DigitPicture.svg(in, row));
            written.add(picture);
        } else {
            String stem = "digit-" + digit.name().replaceAll("[^A-Za-z0-9._-]", "");
            stem = stem.replaceAll("\\.png$", "");
            Path svg = Path.of(stem + ".svg"), png = Path.of(stem + ".png");
            io.lrp.io.AtomicOutput.writeString(svg, DigitPicture.svg(in, row));
            DigitPicture.writePng(in, row, png);
            written.add(svg);
            written.add(png);
        }
        for (Path p : written) err.println("wrote " + p);
    }
}
