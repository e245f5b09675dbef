package io.lrp.models.graph;

import io.lrp.LrpException;
import io.lrp.autograd.Tape;
import io.lrp.autograd.Var;
import io.lrp.explain.Relevance;
import io.lrp.models.Batch;
import io.lrp.train.Trainer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * {@code lrp train --arch graph}: a graph Transformer on a molecule CSV, with a seeded
 * Bemis-Murcko scaffold split 80/10/10 (written to split.tsv), the model selected by validation
 * ROC-AUC, and the test ROC-AUC of the selected model. Training runs through the shared loop
 * ({@link Trainer}: resumable from last.safetensors, progress and ETA on the log).
 */
public final class GraphTraining {
    private GraphTraining() {}

    /** Model sizes and optimisation settings. */
    public record Settings(int hidden, int heads, int blocks, int ffn, int maxDistance, double dropout,
                           int epochs, double lr, int batch, long seed, Integer limit) {
        public static Settings defaults(int epochs, double lr, int batch, long seed, Integer limit) {
            return new Settings(64, 8, 4, 128, 8, 0.1, epochs, lr, batch, seed, limit);
        }
    }

    public record Result(Path model, Path split, int train, int valid, int test, int skipped,
                         double bestValidAuc, int bestEpoch, double testAuc) {}

    public static final List<String> LABELS = List.of("inactive", "active");

    public static Result train(Path data, Path out, Settings s, PrintStream log) { return train(data, out, s, s.seed(), log); }

    /** As above with the scaffold split drawn with splitSeed (other initialisations on the same split). */
    public static Result train(Path data, Path out, Settings s, long splitSeed, PrintStream log) {
        MoleculeData.Set set = MoleculeData.read(data);
        for (MoleculeData.Skipped k : set.skipped()) log.println("lrp: skipped " + data + ":" + k.line() + ": " + k.reason());
        var split = MoleculeData.scaffoldSplit(set.entries(), 0.8, 0.1, splitSeed);
        List<MoleculeData.Entry> train = MoleculeData.part(split, MoleculeData.Part.TRAIN),
                valid = MoleculeData.part(split, MoleculeData.Part.VALID),
                test = MoleculeData.part(split, MoleculeData.Part.TEST);
        if (s.limit() != null) train = new ArrayList<>(train.subList(0, Math.min(s.limit(), train.size())));
        try {
            Files.createDirectories(out);
        } catch (java.io.IOException e) {
            throw new LrpException("cannot create output directory " + out + ": " + e.getMessage());
        }
        Path splitFile = out.resolve("split.tsv");
        MoleculeData.writeSplit(splitFile, split);
        int maxNodes = 0;
        for (MoleculeData.Entry e : set.entries()) maxNodes = Math.max(maxNodes, e.graph().nodes());
        GraphConfig c = new GraphConfig(MoleculeGraphs.NODE_CARDINALITIES, 0, 6, MoleculeGraphs.EDGE_CARDINALITIES, s.maxDistance(),
                s.hidden(), s.heads(), s.blocks(), s.ffn(), 1e-5, Math.max(128, maxNodes), "molecule", LABELS);
        GraphModel model = GraphModel.create("graph", c, new Random(s.seed())).dropout(s.dropout());

        Map<String, String> meta = new LinkedHashMap<>(GraphFamily.metadata(c));
        meta.put("trained", String.format(Locale.ROOT, "arch=graph data=%s split=scaffold(0.8,0.1,seed=%d) epochs=%d lr=%g batch=%d seed=%d "
                        + "hidden=%d heads=%d blocks=%d ffn=%d max_distance=%d dropout=%g%s", data.getFileName(), splitSeed, s.epochs(), s.lr(),
                s.batch(), s.seed(), s.hidden(), s.heads(), s.blocks(), s.ffn(), s.maxDistance(), s.dropout(),
                s.limit() == null ? "" : " limit=" + s.limit()));
        meta.put("data_sha256", sha256(data));
        Trainer.Task<MoleculeData.Entry> task = new Trainer.Task<>() {
            public Var logits(Tape tape, List<MoleculeData.Entry> mb) {
                Batch b = GraphModel.batch(mb.stream().map(MoleculeData.Entry::graph).toList());
                return model.forward(tape, model.embed(tape, b), b);
            }
            public int label(MoleculeData.Entry e) { return e.label(); }
            public Map<String, Var> parameters() { return model.trainableParameters(); }
        };
        Path file = out.resolve("model.safetensors");
        Trainer<MoleculeData.Entry> trainer = new Trainer<MoleculeData.Entry>(
                new Trainer.Settings(s.epochs(), s.lr(), s.batch(), s.seed(), 0.01, 0.06), log)
                .selectBy("roc-auc", v -> rocAuc(model, v))
                .bucketByLength(e -> e.graph().nodes());
        Trainer.Report report = trainer.train(task, train, valid, file, meta);
        GraphModel best = GraphFamily.fromSafetensors(file, "trained");
        return new Result(file, splitFile, train.size(), valid.size(), test.size(), set.skipped().size(),
                report.bestDevAccuracy(), report.bestEpoch(), rocAuc(best, test));
    }

    /** ROC-AUC of the logit difference z_active - z_inactive (monotone in the predicted probability). */
    public static double rocAuc(GraphModel model, List<MoleculeData.Entry> set) {
        double[] score = new double[set.size()];
        int[] label = new int[set.size()];
        for (int i = 0; i < set.size(); i += 64) {
            List<MoleculeData.Entry> mb = set.subList(i, Math.min(set.size(), i + 64));
            float[][] z = Relevance.logits(model, GraphModel.batch(mb.stream().map(MoleculeData.Entry::graph).toList()));
            for (int b = 0; b < mb.size(); b++) {
                score[i + b] = z[b][1] - z[b][0];
                label[i + b] = mb.get(b).label();
            }
        }
        return MoleculeData.rocAuc(score, label);
    }

    private static String sha256(Path file) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (java.io.IOException | java.security.NoSuchAlgorithmException e) {
            throw new LrpException("cannot read " + file + ": " + e.getMessage());
        }
    }
}
