package io.lrp.cli;

import io.lrp.LrpException;
import io.lrp.explain.Explanation;
import io.lrp.explain.Method;
import io.lrp.explain.Relevance;
import io.lrp.models.Model;
import io.lrp.models.graph.DigitHtml;
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
 * for tokens; svg: the picture on the output; html: a page with each digit's picture and, per
 * method, its conservation line and top superpixels.
 */
final class DigitExplain {
    private final List<MnistData.Digit> digits;
    private final Path picture;

    private DigitExplain(List<MnistData.Digit> digits, Path picture) {
        this.digits = digits;
        this.picture = picture;
    }

    /** The digits, read and checked before any model loads. */
    static DigitExplain read(List<Integer> indices, Path file, Path dir, Path picture) {
        if (picture != null) Args.writableFile(picture);
        if (file != null) {
            Args.readableFile(file, "digit picture");
            return new DigitExplain(List.of(MnistData.picture(file)), picture);
        }
        for (int index : indices) if (index < 0) throw new LrpException("--mnist-index must be >= 0, got " + index);
        if (!Files.isDirectory(dir)) throw new LrpException("--mnist-data " + dir + " is not a directory (the MNIST IDX files)");
        List<MnistData.Digit> test = MnistData.read(dir, MnistData.Part.TEST);
        List<MnistData.Digit> chosen = new ArrayList<>();
        for (int index : indices) {
            if (index >= test.size()) throw new LrpException("--mnist-index " + index + ": the test set has " + test.size() + " digits (0.." + (test.size() - 1) + ")");
            chosen.add(test.get(index));
        }
        if (chosen.size() > 1 && picture != null) throw new LrpException("--picture draws one digit; give one --mnist-index (or use --format html)");
        return new DigitExplain(chosen, picture);
    }

    void explain(Model m, List<Method> methods, int target, Relevance.Options options, String fmt, PrintWriter sink, PrintWriter err) {
        GraphModel g = GraphExplainer.require(m);
        if (fmt.equals("svg") && digits.size() > 1) throw new LrpException("--format svg draws one digit; give one --mnist-index (or use --format html)");
        List<DigitPicture.Input> inputs = new ArrayList<>();
        for (MnistData.Digit d : digits) inputs.add(DigitPicture.input(g, d));
        List<List<Explanation>> rows = new ArrayList<>();
        for (DigitPicture.Input in : inputs) {
            List<Explanation> row = new ArrayList<>();
            for (Method method : methods) row.add(GraphExplainer.explain(g, in.graph(), method, target, options));
            rows.add(row);
        }
        if (fmt.equals("html")) {
            sink.append(DigitHtml.render("lrp explain: " + m.name() + ", " + digits.size() + (digits.size() == 1 ? " digit" : " digits"),
                    inputs, rows, m.labels()));
        }
        for (int d = 0; d < digits.size(); d++) {
            MnistData.Digit digit = digits.get(d);
            List<Explanation> row = rows.get(d);
            if (fmt.equals("svg")) sink.append(DigitPicture.svg(inputs.get(d), row));
            else if (fmt.equals("json")) for (Explanation e : row) sink.append(JsonLines.toJson(e)).append('\n');
            else if (fmt.equals("text")) {
                String truth = digit.label() >= 0 ? " (true label " + digit.label() + ")" : "";
                sink.append(GraphExplainer.text(row, 5).replaceFirst("\n", truth + "\n"));
            }
        }
        sink.flush();
        if (picture == null && !fmt.equals("text")) return;
        List<Path> written = new ArrayList<>();
        if (picture != null && picture.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".png")) {
            DigitPicture.writePng(inputs.get(0), rows.get(0), picture);
            written.add(picture);
        } else if (picture != null) {
            io.lrp.io.AtomicOutput.writeString(picture, DigitPicture.svg(inputs.get(0), rows.get(0)));
            written.add(picture);
        } else {
            for (int d = 0; d < digits.size(); d++) {
                String stem = "digit-" + digits.get(d).name().replaceAll("[^A-Za-z0-9._-]", "");
                stem = stem.replaceAll("\\.png$", "");
                Path svg = Path.of(stem + ".svg"), png = Path.of(stem + ".png");
                io.lrp.io.AtomicOutput.writeString(svg, DigitPicture.svg(inputs.get(d), rows.get(d)));
                DigitPicture.writePng(inputs.get(d), rows.get(d), png);
                written.add(svg);
                written.add(png);
            }
        }
        for (Path p : written) err.println("wrote " + p);
    }
}
