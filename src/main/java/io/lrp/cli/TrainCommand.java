package io.lrp.cli;

import io.lrp.LrpException;
import io.lrp.data.Datasets;
import io.lrp.data.Example;
import io.lrp.explain.Relevance;
import io.lrp.models.Batch;
import io.lrp.models.ModelLoader;
import io.lrp.autograd.Tape;
import io.lrp.autograd.Var;
import io.lrp.models.Model;
import io.lrp.models.bert.BertModel;
import io.lrp.models.paper.PaperConfig;
import io.lrp.models.paper.PaperModel;
import io.lrp.text.WordPieceTokenizer;
import io.lrp.train.Trainer;
import java.util.Random;
import io.lrp.train.EncoderHeadTrainer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a classifier in this runtime and write it as safetensors (best dev accuracy, written atomically each epoch).",
        footer = {"", "Examples (the built-in minilm-sst2, then paper-sst2):",
                "  lrp train --arch minilm-head --data ../shared/data/sst2/glue_train.tsv \\",
                "      --dev ../shared/data/sst2/stsa.binary.dev \\",
                "      --test ../shared/data/sst2/stsa.binary.test \\",
                "      --out /tmp/minilm-sst2 --epochs 2 --lr 1e-4 --seed 1 --finetune-layers 1",
                "  lrp train --arch paper --data ../shared/data/sst2/glue_train.tsv \\",
                "      --dev ../shared/data/sst2/stsa.binary.dev \\",
                "      --test ../shared/data/sst2/stsa.binary.test \\",
                "      --out /tmp/paper-sst2 --epochs 2 --lr 2e-4 --seed 1",
                "  lrp explain --model /tmp/minilm-sst2 \"a charming film\""})
final class TrainCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--arch", required = true, description = {"minilm-head: the embedded MiniLM encoder, its top --finetune-layers fine-tuned, a new linear head;",
            "paper: the paper's attention-only model (3 blocks, pooler, classifier) on MiniLM's frozen embeddings;",
            "graph: a Graphormer-style graph Transformer on a molecule CSV (smiles,Class), seeded scaffold split 80/10/10 (no --dev),",
            "  or on an MNIST directory (IDX files): digits as SLIC superpixel graphs, validation on training digits 55,000-59,999."})
    String arch;

    @Option(names = "--data", required = true, description = "Training set (stsa, glue TSV or jsonl; --arch graph: a molecule CSV or an MNIST directory).")
    Path data;

    @Option(names = "--dev", description = "Development set, for model selection (required except for --arch graph).")
    Path dev;

    @Option(names = "--test", description = "Test set, evaluated once with the selected model.")
    Path test;

    @Option(names = "--format", description = "Data format of all sets: stsa, glue or jsonl (detected when absent).")
    String format;

    @Option(names = "--encoding", defaultValue = "utf-8", description = "Encoding of the data files: utf-8 or latin-1. Default: ${DEFAULT-VALUE}.")
    String encoding;

    @Option(names = "--text-field", paramLabel = "NAME", description = "TSV column / JSON Lines key holding the text. Default: text or sentence.")
    String textField;

    @Option(names = "--label-field", paramLabel = "NAME", description = "TSV column / JSON Lines key holding the label: an index, or one of the --labels names. Default: label.")
    String labelField;

    @Option(names = "--out", required = true, description = "Output directory: model.safetensors (the best epoch; loads with --model DIR) and last.safetensors (resume state).")
    Path out;

    @Option(names = "--epochs", defaultValue = "2", description = "Passes over the training set. Default: ${DEFAULT-VALUE}.") int epochs;
    @Option(names = "--lr", defaultValue = "1e-4", description = "AdamW peak learning rate (6%% warm-up, then linear decay). Default: ${DEFAULT-VALUE}.") double lr;
    @Option(names = "--batch", defaultValue = "32", description = "Examples per step. Default: ${DEFAULT-VALUE}.") int batch;
    @Option(names = "--seed", defaultValue = "1", description = "Seed of the initialisation, shuffling and dropout. Default: ${DEFAULT-VALUE}.") long seed;
    @Option(names = "--split-seed", paramLabel = "N", description = "--arch graph on molecules: seed of the scaffold split (default: --seed), "
            + "to train other initialisations on the same split.") Long splitSeed;
    @Option(names = "--finetune-layers", defaultValue = "1", description = "minilm-head: top encoder layers trained with the head (0 to 6). Default: ${DEFAULT-VALUE}.")
    int finetuneLayers;
    @Option(names = "--labels", defaultValue = "negative,positive", split = ",",
            description = "Class names by label index, comma-separated. Default: ${DEFAULT-VALUE}.") List<String> labels;
    @Option(names = "--limit", description = "Use only the first N training examples.") Integer limit;
    @Option(names = "--bucket", description = "--arch paper: minibatches of similar length (less padding on long, varied inputs such as reviews).")
    boolean bucket;
    @Option(names = "--hidden", paramLabel = "N", description = "--arch graph: hidden size (a multiple of the 8 heads; feed-forward 2N). Default: 64.")
    Integer hidden;
    @Option(names = "--dropout", paramLabel = "P", description = "--arch graph: dropout in training. Default: 0.1.")
    Double dropout;

    @Override public Integer call() throws Exception {
        if (!arch.equals("minilm-head") && !arch.equals("paper") && !arch.equals("graph")) {
            throw new LrpException("unknown --arch '" + arch + "': supported: minilm-head, paper, graph");
        }
        if (arch.equals("graph")) return trainGraph();
        if (hidden != null || dropout != null) throw new LrpException("--hidden and --dropout are for --arch graph");
        if (dev == null) throw new LrpException("--dev is required for --arch " + arch);
        if (bucket && !arch.equals("paper")) throw new LrpException("--bucket is for --arch paper (minilm-head trains on cached, already cut inputs)");
        if (epochs < 1 || batch < 1 || !(lr > 0) || !Double.isFinite(lr)) throw new LrpException("--epochs, --batch and --lr must be positive");
        if (limit != null && limit < 1) throw new LrpException("--limit must be >= 1, got " + limit);
        if (finetuneLayers < 0) throw new LrpException("--finetune-layers must be >= 0, got " + finetuneLayers);
        if (Files.exists(out) && !Files.isDirectory(out)) throw new LrpException("--out " + out + " exists and is not a directory");
        Datasets.Format f = Datasets.parseFormat(format);
        java.nio.charset.Charset cs = io.lrp.data.TextLines.parseEncoding(encoding);
        Datasets.Fields fields = new Datasets.Fields(textField, labelField, () -> labels, "--labels");
        List<Example> train = Datasets.read(data, f, cs, fields), devSet = Datasets.read(dev, f, cs, fields);
        List<Example> testSet = test == null ? null : Datasets.read(test, f, cs, fields);   // a bad test file stops it before training
        if (limit != null) train = new ArrayList<>(train.subList(0, Math.min(limit, train.size())));
        for (List<Example> set : testSet == null ? List.of(train, devSet) : List.of(train, devSet, testSet)) {
            for (Example e : set) {
                if (e.label() >= labels.size()) throw new LrpException(e.source() + ":" + e.line() + ": label " + e.label() + " but only " + labels.size() + " labels");
            }
        }
        try {
            Files.createDirectories(out);
        } catch (java.io.IOException e) {
            throw new LrpException("cannot create output directory " + out + ": " + e.getMessage());
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("labels", String.join(",", labels));
        meta.put("trained", String.format(Locale.ROOT, "arch=%s data=%s dev=%s epochs=%d lr=%g batch=%d seed=%d%s%s",
                arch, data.getFileName(), dev.getFileName(), epochs, lr, batch, seed,
                arch.equals("minilm-head") ? " finetune_layers=" + finetuneLayers : "", limit == null ? "" : " limit=" + limit)
                + (bucket ? " bucket" : ""));
        meta.put("data_sha256", contentHash(train, devSet));
        Path file = out.resolve("model.safetensors");
        Trainer.Report report = arch.equals("paper") ? trainPaper(train, devSet, file, meta) : trainMiniLmHead(train, devSet, file, meta);
        PrintWriter w = spec.commandLine().getOut();
        w.printf(Locale.ROOT, "best dev accuracy %.4f (epoch %d), written to %s%n", report.bestDevAccuracy(), report.bestEpoch(), file);
        if (test != null) {
            Model trained = arch.equals("paper") ? ModelLoader.paperModel(file, null, "trained") : ModelLoader.miniLmClassifier("trained", file);
            w.printf(Locale.ROOT, "test accuracy %.4f on %s%n", accuracy(trained, testSet), test);
        }
        return 0;
    }

    /** --arch graph: the split comes from the data (scaffolds), so --dev, --test and the text options do not apply. */
    private int trainGraph() {
        if (dev != null || test != null || format != null || bucket) {
            throw new LrpException("--arch graph splits --data by scaffold itself: --dev, --test, --format and --bucket do not apply");
        }
        if (epochs < 1 || batch < 1 || !(lr > 0) || !Double.isFinite(lr)) throw new LrpException("--epochs, --batch and --lr must be positive");
        if (limit != null && limit < 1) throw new LrpException("--limit must be >= 1, got " + limit);
        if (Files.exists(out) && !Files.isDirectory(out)) throw new LrpException("--out " + out + " exists and is not a directory");
        if (io.lrp.models.graph.MnistData.isMnistDir(data)) {
            if (splitSeed != null) throw new LrpException("--split-seed is for molecules; MNIST's parts are fixed");
            return trainMnist();
        }
        Args.readableFile(data, "molecule CSV");
        var d = io.lrp.models.graph.GraphTraining.Settings.defaults(epochs, lr, batch, seed, limit);
        if (hidden != null && (hidden < d.heads() || hidden % d.heads() != 0)) {
            throw new LrpException("--hidden must be a positive multiple of the " + d.heads() + " heads, got " + hidden);
        }
        if (dropout != null && !(dropout >= 0 && dropout < 1)) throw new LrpException("--dropout must be in [0, 1), got " + dropout);
        int h = hidden == null ? d.hidden() : hidden;
        long split = splitSeed == null ? seed : splitSeed;
        var r = io.lrp.models.graph.GraphTraining.train(data, out, new io.lrp.models.graph.GraphTraining.Settings(h, d.heads(), d.blocks(),
                hidden == null ? d.ffn() : 2 * h, d.maxDistance(), dropout == null ? d.dropout() : dropout, epochs, lr, batch, seed, limit),
                split, System.err);
        PrintWriter w = spec.commandLine().getOut();
        w.printf(Locale.ROOT, "scaffold split (seed %d): %d train, %d valid, %d test molecules (%d rows skipped), written to %s%n",
                split, r.train(), r.valid(), r.test(), r.skipped(), r.split());
        w.printf(Locale.ROOT, "best valid ROC-AUC %.4f (epoch %d), written to %s%n", r.bestValidAuc(), r.bestEpoch(), r.model());
        w.printf(Locale.ROOT, "test ROC-AUC %.4f%n", r.testAuc());
        return 0;
    }

    /** --arch graph on an MNIST directory: superpixel graphs of the digits, ten classes. */
    private int trainMnist() {
        var s = new io.lrp.models.graph.GraphTraining.Settings(64, 8, 4, 128, io.lrp.models.graph.MnistTraining.MAX_DISTANCE, 0.1,
                epochs, lr, batch, seed, limit);
        var r = io.lrp.models.graph.MnistTraining.train(data, out, s, System.err);
        PrintWriter w = spec.commandLine().getOut();
        w.printf(Locale.ROOT, "MNIST superpixels: %d train, %d valid (training digits from %d), %d test digits%n",
                r.train(), r.valid(), io.lrp.models.graph.MnistTraining.VALID_FROM, r.test());
        w.printf(Locale.ROOT, "best valid accuracy %.4f (epoch %d), written to %s%n", r.bestValidAccuracy(), r.bestEpoch(), r.model());
        w.printf(Locale.ROOT, "test accuracy %.4f (%.1f digits/s in training and validation)%n", r.testAccuracy(), r.digitsPerSecond());
        return 0;
    }

    private Trainer.Report trainMiniLmHead(List<Example> train, List<Example> devSet, Path file, Map<String, String> meta) {
        BertModel encoder = ModelLoader.miniLm(null);
        meta.put("base", "all-MiniLM-L6-v2 (" + ModelLoader.MINILM_ONNX + "), mean pooling");
        var settings = new EncoderHeadTrainer.Settings(epochs, lr, batch, seed, finetuneLayers, 0.01, 0.06, labels);
        return new EncoderHeadTrainer(encoder, settings, System.err).train(train, devSet, file, meta);
    }

    /** The paper's attention-only model (3 blocks) on MiniLM's frozen embeddings (384-d). */
    private Trainer.Report trainPaper(List<Example> train, List<Example> devSet, Path file, Map<String, String> meta) {
        WordPieceTokenizer tok = WordPieceTokenizer.loadClasspath(ModelLoader.MINILM_TOKENIZER);
        PaperConfig c = new PaperConfig(30522, 384, 12, 3, 512, 2, 1e-12, 1e-12, tok.padId(), tok.unkId(), labels);
        PaperModel model = PaperModel.create("paper", c, ModelLoader.miniLmEmbeddings(), tok, new Random(seed));
        meta.put("embeddings", "minilm");
        meta.put("config", String.format(Locale.ROOT,
                "{\"vocab\": %d, \"hidden\": %d, \"heads\": %d, \"blocks\": %d, \"n_classes\": %d, \"max_pos\": %d, "
                        + "\"type_vocab\": %d, \"ln_eps\": 1e-12, \"norm_eps\": 1e-12, \"pad_id\": %d, \"unk_id\": %d, \"labels\": [%s]}",
                c.vocabSize(), c.hidden(), c.heads(), c.blocks(), labels.size(), c.maxPositions(), c.typeVocab(), c.padId(), c.unkId(),
                String.join(", ", labels.stream().map(x -> "\"" + x + "\"").toList())));
        Trainer.Task<Labelled> task = new Trainer.Task<>() {
            public Var logits(Tape tape, List<Labelled> mb) {
                Batch b = Batch.of(mb.stream().map(Labelled::ids).toList(), c.padId());
                return model.forward(tape, Var.constant(model.embed(b)), b);
            }
            public int label(Labelled x) { return x.label(); }
            public Map<String, Var> parameters() { return model.parameters(); }
        };
        var settings = new Trainer.Settings(epochs, lr, batch, seed, 0.01, 0.06);
        Trainer<Labelled> trainer = new Trainer<>(settings, System.err);
        if (bucket) trainer.bucketByLength(x -> x.ids().length);
        return trainer.train(task, encode(tok, train, c.maxPositions()),
                encode(tok, devSet, c.maxPositions()), file, meta);
    }

    /** SHA-256 of the texts and labels used (training set after --limit, then the dev set). */
    static String contentHash(List<Example> train, List<Example> dev) {
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            for (List<Example> set : List.of(train, dev)) {
                for (Example e : set) {
                    md.update(e.text().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    md.update((byte) 0);
                    md.update(Integer.toString(e.label()).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    md.update((byte) '\n');
                }
                md.update((byte) 0x1e);   // the boundary between the sets
            }
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    record Labelled(int[] ids, int label) {}

    private static List<Labelled> encode(WordPieceTokenizer tok, List<Example> set, int max) {
        List<Labelled> r = new ArrayList<>();
        for (Example e : set) {
            r.add(new Labelled(cut(tok.encode(e.text()).ids(), max), e.label()));
        }
        return r;
    }

    /** The first {@code max - 1} tokens and the closing {@code [SEP]}, as {@code --long truncate} cuts. */
    static int[] cut(int[] ids, int max) {
        if (ids.length <= max) return ids;
        int[] r = java.util.Arrays.copyOf(ids, max);
        r[max - 1] = ids[ids.length - 1];
        return r;
    }

    static double accuracy(Model model, List<Example> set) {
        int correct = 0;
        for (int i = 0; i < set.size(); i += 64) {
            List<Example> mb = set.subList(i, Math.min(set.size(), i + 64));
            List<int[]> ids = new ArrayList<>();
            for (Example e : mb) ids.add(cut(model.tokenizer().encode(e.text()).ids(), model.maxLength()));
            float[][] z = Relevance.logits(model, Batch.of(ids, model.padId()));
            for (int b = 0; b < mb.size(); b++) if (Relevance.argmax(z[b]) == mb.get(b).label()) correct++;
        }
        return (double) correct / set.size();
    }
}
