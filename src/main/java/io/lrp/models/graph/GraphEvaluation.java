package io.lrp.models.graph;

import io.lrp.LrpException;
import io.lrp.data.Example;
import io.lrp.eval.Evaluation;
import io.lrp.eval.Perturbation;
import io.lrp.explain.Explanation;
import io.lrp.explain.Method;
import io.lrp.explain.Relevance;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code lrp evaluate} on graphs: the examples of a molecule CSV (optionally one part of the
 * scaffold split a training wrote) or MNIST digits as superpixel graphs, explained one graph at a
 * time as {@code lrp explain --smiles / --mnist-index} does, and perturbed node by node
 * (methods.md section 6 with nodes for tokens). A removed superpixel is the zero vector as well
 * (an "empty superpixel"), its adjacency kept.
 *
 * <p>A removed node is the model's mask node ({@link GraphModel#MASK}): the zero vector in place
 * of its embedding, degree embedding included (not a learned "unknown atom" vector: the model never
 * sees masked atoms in training, so a learned one would stay at its random start; zero is what
 * occlusion uses too); its bonds and shortest-path distances, hence its attention biases, stay. The virtual node [GRAPH] is the readout and no atom: it is never removed, so N
 * is the number of atoms.
 */
public final class GraphEvaluation {
    private GraphEvaluation() {}

    /** Graphs to evaluate: examples (molecules: text = SMILES, line = data line) and their graphs by line. */
    public record Molecules(List<Example> examples, Map<Integer, Graph> graphs, List<MoleculeData.Skipped> skipped) {}

    /** Whether a data file is a molecule CSV: its first line a header naming a smiles column. */
    public static boolean isMoleculeCsv(Path data) {
        try (BufferedReader r = Files.newBufferedReader(data, StandardCharsets.UTF_8)) {
            String first = r.readLine();
            if (first == null) return false;
            for (String c : first.replace("\uFEFF", "").split(",", -1)) if (c.trim().equalsIgnoreCase("smiles")) return true;
            return false;
        } catch (IOException | java.io.UncheckedIOException e) {
            return false; // not UTF-8 text or unreadable: the text readers report it
        }
    }

    /** The default split file of a model: a built-in's own, else split.tsv beside it (in the directory, or beside the .safetensors file). */
    public static Path defaultSplitFile(String model) {
        Path builtIn = io.lrp.models.ModelLoader.builtInSplit(model);
        if (builtIn != null) return builtIn;
        Path p = Path.of(model);
        if (Files.isDirectory(p)) return p.resolve("split.tsv");
        Path parent = p.toAbsolutePath().getParent();
        return parent == null ? null : parent.resolve("split.tsv");
    }

    /**
     * The molecules of {@code data} that the model can read; with a part, only that part of the
     * split file, which must describe the same data (every parsed line, SMILES and label).
     * Unparseable rows and molecules larger than the model's limit are skipped, each with its line.
     */
    public static Molecules read(GraphModel model, Path data, Path splitFile, MoleculeData.Part part) {
        if (!"molecule".equals(model.config().featurizer())) {
            throw new LrpException("model " + model.name() + " does not read molecules (its featurizer is '" + model.config().featurizer() + "')");
        }
        MoleculeData.Set set = MoleculeData.read(data);
        List<MoleculeData.Skipped> skipped = new ArrayList<>(set.skipped());
        List<MoleculeData.Entry> chosen = set.entries();
        if (part != null) chosen = select(set, splitFile, part);
        List<Example> examples = new ArrayList<>();
        Map<Integer, Graph> graphs = new HashMap<>();
        for (MoleculeData.Entry e : chosen) {
            if (e.graph().nodes() > model.config().maxNodes()) {
                skipped.add(new MoleculeData.Skipped(e.line(), e.graph().nodes() + " heavy atoms, more than the model's " + model.config().maxNodes()));
                continue;
            }
            examples.add(new Example(e.smiles(), e.label(), data.toString(), e.line()));
            graphs.put(e.line(), e.graph());
        }
        skipped.sort(java.util.Comparator.comparingInt(MoleculeData.Skipped::line));
        return new Molecules(examples, graphs, skipped);
    }

    private static List<MoleculeData.Entry> select(MoleculeData.Set set, Path splitFile, MoleculeData.Part part) {
        if (splitFile == null || !Files.isRegularFile(splitFile)) {
            throw new LrpException("split file not found: " + splitFile + " (lrp train --arch graph writes OUT/split.tsv; give it with --split-file)");
        }
        Map<Integer, MoleculeData.Entry> byLine = new LinkedHashMap<>();
        for (MoleculeData.Entry e : set.entries()) byLine.put(e.line(), e);
        List<MoleculeData.Entry> out = new ArrayList<>();
        int rows = 0;
        try (BufferedReader r = Files.newBufferedReader(splitFile, StandardCharsets.UTF_8)) {
            String header = r.readLine();
            if (header == null || !header.startsWith("line\tsplit\tlabel\tscaffold\tsmiles")) {
                throw new LrpException(splitFile + ":1: not a split file (expected the header line, split, label, scaffold, smiles)");
            }
            String s;
            int at = 1;
            while ((s = r.readLine()) != null) {
                at++;
                if (s.isEmpty()) continue;
                String[] f = s.split("\t", -1);
                String where = splitFile + ":" + at + ": ";
                if (f.length != 5) throw new LrpException(where + f.length + " columns, expected 5");
                int line;
                MoleculeData.Part p;
                try {
                    line = Integer.parseInt(f[0]);
                    p = MoleculeData.Part.valueOf(f[1].toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new LrpException(where + "bad line number or split name: " + f[0] + ", " + f[1]);
                }
                MoleculeData.Entry e = byLine.get(line);
                if (e == null || !e.smiles().equals(f[4]) || !Integer.toString(e.label()).equals(f[2])) {
                    throw new LrpException(where + "data line " + line + " is " + (e == null ? "not a parsed molecule" : "'" + e.smiles() + "' label " + e.label())
                            + " in " + set.file() + ", the split says '" + f[4] + "' label " + f[2] + ": the split belongs to another data file");
                }
                rows++;
                if (p == part) out.add(e);
            }
        } catch (IOException e) {
            throw new LrpException("cannot read " + splitFile + ": " + e.getMessage());
        }
        if (rows != byLine.size()) {
            throw new LrpException(splitFile + " lists " + rows + " molecules, " + set.file() + " has " + byLine.size()
                    + ": the split belongs to another data file");
        }
        if (out.isEmpty()) throw new LrpException(splitFile + ": no molecule in the " + part.name().toLowerCase(Locale.ROOT) + " split");
        out.sort(java.util.Comparator.comparingInt(MoleculeData.Entry::line));
        return out;
    }

    /**
     * Digits to evaluate with a superpixel model: examples (text = the digit's name such as
     * test#7, line = its index + 1) and their superpixel graphs by line. A digit SLIC cuts into
     * more regions than the model accepts is skipped with its line.
     */
    public static Molecules digits(GraphModel model, Path dir, List<MnistData.Digit> digits) {
        if (!Superpixels.FEATURIZER.equals(model.config().featurizer())) {
            throw new LrpException("model " + model.name() + " does not read digits (its featurizer is '" + model.config().featurizer()
                    + "'; a superpixel model comes from lrp train --arch graph --data MNIST_DIR)");
        }
        List<Example> examples = new ArrayList<>();
        Map<Integer, Graph> graphs = new HashMap<>();
        List<MoleculeData.Skipped> skipped = new ArrayList<>();
        for (MnistData.Digit d : digits) {
            Superpixels.Segmentation seg = Superpixels.segment(d.pixels());
            int line = d.index() + 1;
            if (seg.count() > model.config().maxNodes()) {
                skipped.add(new MoleculeData.Skipped(line, d.name() + ": " + seg.count() + " superpixels, more than the model's " + model.config().maxNodes()));
                continue;
            }
            examples.add(new Example(d.name(), d.label(), dir.toString(), line));
            graphs.put(line, Superpixels.graph(d.name(), seg));
        }
        return new Molecules(examples, graphs, skipped);
    }

    /** The evaluation's inputs for molecules: one graph per example (found by its line), the virtual node kept. */
    public static Evaluation.Inputs inputs(GraphModel model, List<Example> examples, Map<Integer, Graph> graphs) {
        return inputs(model, examples, graphs, "atoms");
    }

    /** The evaluation's inputs: one graph per example (found by its line), the virtual node kept; unit names the nodes. */
    public static Evaluation.Inputs inputs(GraphModel model, List<Example> examples, Map<Integer, Graph> graphs, String unit) {
        List<Graph> gs = new ArrayList<>();
        for (Example e : examples) {
            Graph g = graphs.get(e.line());
            if (g == null) throw new IllegalArgumentException("no graph for line " + e.line());
            gs.add(g);
        }
        return new Evaluation.Inputs() {
            @Override public List<Explanation> explain(Method m, int start, int end, Evaluation.Settings s) {
                Relevance.Options opt = new Relevance.Options(s.gamma(), Relevance.Options.DEFAULT.igSteps(), s.seed());
                List<Explanation> out = new ArrayList<>();
                for (int i = start; i < end; i++) {
                    Example e = examples.get(i);
                    try {
                        // one graph at a time: the numbers of lrp explain --smiles, with no padding in the batch
                        out.add(GraphExplainer.explain(model, gs.get(i), m, e.label(), opt));
                    } catch (LrpException x) {
                        throw new LrpException(e.source() + ":" + e.line() + ": " + m.id() + ": " + x.getMessage());
                    }
                }
                return out;
            }

            @Override public Perturbation.Input input(int index, Explanation e) {
                return new Perturbation.Input(GraphModel.sequence(gs.get(index)), 1);
            }

            @Override public String describe() { return "graph nodes, [GRAPH] kept, removed " + unit + " zero vectors"; }

            @Override public String unit() { return unit; }
        };
    }
}
