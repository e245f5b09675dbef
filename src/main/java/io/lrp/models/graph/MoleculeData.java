package io.lrp.models.graph;

import io.lrp.LrpException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * A molecule classification set: a CSV with a header naming a SMILES column ("smiles") and a
 * 0/1 label column ("Class" or "label"), as ../shared/data/bace/bace.csv. A row CDK cannot
 * parse is reported with its line and skipped; a malformed row (wrong column count, bad label)
 * is an error naming the line.
 */
public final class MoleculeData {
    private MoleculeData() {}

    /** One molecule: its 1-based line in the file, label, graph and Bemis-Murcko scaffold. */
    public record Entry(int line, String smiles, int label, Graph graph, String scaffold) {}

    /** A skipped row: its line and why. */
    public record Skipped(int line, String reason) {}

    public record Set(Path file, List<Entry> entries, List<Skipped> skipped) {}

    public static Set read(Path file) {
        List<Entry> entries = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = r.readLine();
            if (header == null) throw new LrpException(file + ": empty file (expected a header such as smiles,Class)");
            String[] cols = header.replace("\uFEFF", "").trim().split(",", -1);
            int smi = -1, lab = -1;
            for (int i = 0; i < cols.length; i++) {
                String c = cols[i].trim().toLowerCase(Locale.ROOT);
                if (c.equals("smiles") || c.equals("mol")) smi = i;
                if (c.equals("class") || c.equals("label") || c.equals("y")) lab = i;
            }
            if (smi < 0 || lab < 0) {
                throw new LrpException(file + ":1: the header needs a 'smiles' and a 'Class' (or 'label') column, got: " + header);
            }
            String s;
            int line = 1;
            while ((s = r.readLine()) != null) {
                line++;
                if (s.isBlank()) continue;
                String[] f = s.split(",", -1);
                if (f.length != cols.length) throw new LrpException(file + ":" + line + ": " + f.length + " columns, the header has " + cols.length);
                int label;
                try {
                    label = Integer.parseInt(f[lab].trim());
                } catch (NumberFormatException e) {
                    throw new LrpException(file + ":" + line + ": label '" + f[lab] + "' is not 0 or 1");
                }
                if (label != 0 && label != 1) throw new LrpException(file + ":" + line + ": label " + label + " is not 0 or 1");
                try {
                    MoleculeGraphs.Molecule m = MoleculeGraphs.molecule(f[smi].trim());
                    entries.add(new Entry(line, m.smiles(), label, m.graph(), m.scaffold()));
                } catch (LrpException e) {
                    skipped.add(new Skipped(line, e.getMessage()));
                }
            }
        } catch (IOException e) {
            throw new LrpException("cannot read " + file + ": " + e.getMessage());
        }
        if (entries.isEmpty()) throw new LrpException(file + ": no usable molecules");
        return new Set(file, entries, skipped);
    }

    /** Which split each entry is in. */
    public enum Part { TRAIN, VALID, TEST }

    /**
     * A seeded Bemis-Murcko scaffold split: molecules grouped by scaffold, no scaffold in two
     * parts. Scaffold sets larger than half the validation or test size go to training first (so
     * the held-out parts are not one big scaffold); the other sets are shuffled with the seed and
     * fill training to trainFraction, then validation to validFraction, the rest is test.
     */
    public static Map<Entry, Part> scaffoldSplit(List<Entry> entries, double trainFraction, double validFraction, long seed) {
        if (!(trainFraction > 0 && validFraction >= 0 && trainFraction + validFraction < 1)) {
            throw new LrpException("split fractions must be > 0 and sum below 1: train " + trainFraction + ", valid " + validFraction);
        }
        Map<String, List<Entry>> byScaffold = new LinkedHashMap<>();
        for (Entry e : entries) byScaffold.computeIfAbsent(e.scaffold(), k -> new ArrayList<>()).add(e);
        int n = entries.size();
        double trainSize = trainFraction * n, validSize = validFraction * n, testSize = n - trainSize - validSize;
        List<List<Entry>> big = new ArrayList<>(), small = new ArrayList<>();
        for (List<Entry> set : byScaffold.values()) {
            if (set.size() > validSize / 2 || set.size() > testSize / 2) big.add(set);
            else small.add(set);
        }
        Random rnd = new Random(seed);
        Collections.shuffle(big, rnd);
        Collections.shuffle(small, rnd);
        Map<Entry, Part> out = new LinkedHashMap<>();
        int train = 0, valid = 0;
        List<List<Entry>> order = new ArrayList<>(big);
        order.addAll(small);
        for (List<Entry> set : order) {
            Part p;
            if (train + set.size() <= trainSize) p = Part.TRAIN;
            else if (valid + set.size() <= validSize) p = Part.VALID;
            else p = Part.TEST;
            if (p == Part.TRAIN) train += set.size();
            if (p == Part.VALID) valid += set.size();
            for (Entry e : set) out.put(e, p);
        }
        return out;
    }

    /** Writes the split as TSV (line, part, label, scaffold, smiles), sorted by line, atomically. */
    public static void writeSplit(Path file, Map<Entry, Part> split) {
        List<Entry> es = new ArrayList<>(split.keySet());
        es.sort(java.util.Comparator.comparingInt(Entry::line));
        StringBuilder b = new StringBuilder("line\tsplit\tlabel\tscaffold\tsmiles\n");
        for (Entry e : es) {
            b.append(e.line()).append('\t').append(split.get(e).name().toLowerCase(Locale.ROOT)).append('\t').append(e.label())
                    .append('\t').append(e.scaffold()).append('\t').append(e.smiles()).append('\n');
        }
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, b.toString(), StandardCharsets.UTF_8);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new LrpException("cannot write the split to " + file + ": " + e.getMessage());
        }
    }

    /** The entries of one part, in file order. */
    public static List<Entry> part(Map<Entry, Part> split, Part p) {
        List<Entry> r = new ArrayList<>();
        for (var e : split.entrySet()) if (e.getValue() == p) r.add(e.getKey());
        r.sort(java.util.Comparator.comparingInt(Entry::line));
        return r;
    }

    /** ROC-AUC of scores against 0/1 labels (ties count one half); NaN when a class is absent. */
    public static double rocAuc(double[] score, int[] label) {
        Integer[] idx = new Integer[score.length];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        java.util.Arrays.sort(idx, (a, b) -> Double.compare(score[a], score[b]));
        double rankSumPos = 0;
        long pos = 0;
        for (int i = 0; i < idx.length; ) {
            int j = i;
            while (j < idx.length && score[idx[j]] == score[idx[i]]) j++;
            double rank = (i + j + 1) / 2.0; // mean 1-based rank of the tie group
            for (int k = i; k < j; k++) if (label[idx[k]] == 1) { rankSumPos += rank; pos++; }
            i = j;
        }
        long neg = score.length - pos;
        if (pos == 0 || neg == 0) return Double.NaN;
        return (rankSumPos - pos * (pos + 1) / 2.0) / ((double) pos * neg);
    }
}
