package io.lrp.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lrp.LrpException;
import io.lrp.data.Example;
import io.lrp.eval.Bootstrap;
import io.lrp.eval.Curves;
import io.lrp.eval.Evaluation;
import io.lrp.eval.Perturbation;
import io.lrp.eval.Plots;
import io.lrp.eval.Reports;
import io.lrp.eval.SampleRecord;
import io.lrp.explain.Explainer;
import io.lrp.explain.Explanation;
import io.lrp.explain.Method;
import io.lrp.models.Model;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;

/**
 * The input perturbation evaluation of {@code lrp evaluate} on Spark. The examples are cut into
 * the chunks the local run explains as one padded batch each ({@code batch} consecutive
 * indices), so every sample's curves are the local run's; tasks compute whole chunks and write
 * their records (the lines of the local samples.jsonl) to {@code DIR/samples/}. The driver then
 * adds the curves up per method (sums per partition, then over partitions), divides by n and
 * takes the trapezoid areas with the library's {@link Curves}, and writes summary.json,
 * summary.md and summary.csv as the local command does (and curves.png/.svg).
 */
public final class EvaluateJob {
    private EvaluateJob() {}

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One example as the tasks need it (index in the evaluated list, line in the file). */
    record Item(int index, int line, String text, int label) implements Serializable {}

    /** A chunk: the examples explained as one batch. */
    record Chunk(List<Item> items) implements Serializable {}

    /** What to compute (the local command's settings, by method id). */
    public record Options(String model, List<String> methods, long seed, double gamma, int batch, boolean truncate)
            implements Serializable {
        public Options {
            new Evaluation.Settings(Method.parseList(String.join(",", methods)), seed, gamma, batch, truncate); // validates
            methods = List.copyOf(methods);
        }
    }

    /** The outcome: summaries by method, in the order of the options. */
    public record Report(Map<String, Curves.Summary> summaries, Bootstrap.Result bootstrap, Path dir) {
        public String markdown() { return Reports.markdown(summaries, bootstrap); }
    }

    public static Report run(SparkSession spark, List<Example> examples, Options o, Path dir, boolean plots) {
        if (examples.isEmpty()) throw new LrpException("no examples to evaluate");
        Model model = ModelCache.get(o.model());
        new Evaluation(model, examples, new Evaluation.Settings(methods(o), o.seed(), o.gamma(), o.batch(), o.truncate()), dir)
                .check(); // labels in range, before any task starts
        SparkIo.requireNewDir(dir);
        List<Chunk> chunks = new ArrayList<>();
        for (int start = 0; start < examples.size(); start += o.batch()) {
            List<Item> items = new ArrayList<>();
            for (int i = start; i < Math.min(examples.size(), start + o.batch()); i++) {
                Example e = examples.get(i);
                items.add(new Item(i, e.line(), e.text(), e.label()));
            }
            chunks.add(new Chunk(items));
        }
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int slices = Math.min(chunks.size(), Math.max(1, sc.defaultParallelism() * 4));
        JavaRDD<String> records = sc.parallelize(chunks, slices).mapPartitions(new Compute(o));
        String samples = dir.resolve("samples").toString();
        spark.createDataset(records.rdd(), Encoders.STRING()).write().text(samples);

        // the curves back from what was written: each (sample, method) exactly once
        List<Partial> partials = spark.read().textFile(samples).javaRDD()
                .mapPartitions(new Sum(o.methods(), examples.size())).collect();
        Map<String, Curves.Summary> summaries = summaries(o.methods(), examples.size(), partials);
        Bootstrap.Result boot = Bootstrap.fromAreas(areas(o.methods(), partials), o.seed());
        try {
            writeAtomically(dir.resolve("summary.json"), JSON.writeValueAsString(Reports.json(summaries, boot)) + "\n");
            writeAtomically(dir.resolve("summary.md"), Reports.markdown(summaries, boot));
            writeAtomically(dir.resolve("summary.csv"), Reports.csv(summaries));
            writeAtomically(dir.resolve("run.json"), JSON.writeValueAsString(runDescription(model, examples.size(), o, spark)) + "\n");
            if (plots) Plots.curves(summaries, dir);
        } catch (IOException e) {
            throw new LrpException("cannot write the summary in " + dir + ": " + e.getMessage(), e);
        }
        return new Report(summaries, boot, dir);
    }

    private static List<Method> methods(Options o) { return Method.parseList(String.join(",", o.methods())); }

    private static ObjectNode runDescription(Model model, int n, Options o, SparkSession spark) {
        ObjectNode r = JSON.createObjectNode();
        r.put("format", "lrp-evaluation/1");
        r.put("model", model.name());
        r.put("examples", n);
        r.put("seed", o.seed());
        r.put("gamma", o.gamma());
        r.put("truncate", o.truncate());
        r.put("batch_size", o.batch());
        r.put("methods", String.join(",", o.methods()));
        r.put("spark_master", spark.sparkContext().master());
        return r;
    }

    /**
     * Per (sample, method) what {@code Evaluation} computes: the chunk's texts explained as one
     * batch for the true labels, the random baseline's seeded noise, both perturbation curves.
     */
    static final class Compute implements org.apache.spark.api.java.function.FlatMapFunction<Iterator<Chunk>, String> {
        private final Options o;

        Compute(Options o) { this.o = o; }

        @Override public Iterator<String> call(Iterator<Chunk> chunks) {
            Model model = ModelCache.get(o.model());
            List<Method> methods = methods(o);
            return new Iterator<>() {
                private final java.util.ArrayDeque<String> ready = new java.util.ArrayDeque<>();
                private long done;

                @Override public boolean hasNext() {
                    while (ready.isEmpty() && chunks.hasNext()) compute(chunks.next());
                    return !ready.isEmpty();
                }

                @Override public String next() {
                    if (!hasNext()) throw new java.util.NoSuchElementException();
                    return ready.poll();
                }

                private void compute(Chunk c) {
                    List<Item> items = c.items();
                    FaultInjection.check(done);
                    done += items.size();
                    List<String> texts = new ArrayList<>();
                    int[] targets = new int[items.size()];
                    for (int i = 0; i < items.size(); i++) {
                        texts.add(items.get(i).text());
                        targets[i] = items.get(i).label();
                    }
                    for (Method m : methods) {
                        List<Explanation> ex = Explainer.of(model).method(m).gamma(o.gamma()).seed(o.seed())
                                .batchSize(items.size()).truncate(o.truncate()).explain(texts, targets);
                        for (int i = 0; i < items.size(); i++) ready.add(record(model, m, items.get(i), ex.get(i)).toJson());
                    }
                }
            };
        }

        private SampleRecord record(Model model, Method m, Item it, Explanation e) {
            double[] r = m == Method.RANDOM ? Evaluation.randomRelevance(o.seed(), it.index(), e.relevance().length) : e.relevance();
            Perturbation.Result p;
            try {
                p = Perturbation.run(model, e.ids(), e.target(), r);
            } catch (LrpException ex) {
                throw new LrpException("line " + it.line() + ": " + m.id() + ": " + ex.getMessage());
            }
            return SampleRecord.of(it.index(), it.line(), m.id(), e.ids(), r, e.logits()[e.target()], e.conservation().bias(), p);
        }
    }

    /**
     * Sums of the four curves of each method over some samples, with the indices seen and each
     * sample's own AUAC (what the paired bootstrap resamples).
     */
    static final class Partial implements Serializable {
        final Map<String, double[][]> sums = new LinkedHashMap<>();
        final Map<String, java.util.TreeMap<Integer, Double>> areas = new LinkedHashMap<>();
        final Map<String, BitSet> seen = new LinkedHashMap<>();
        final Map<String, Integer> count = new LinkedHashMap<>();
    }

    static final class Sum implements org.apache.spark.api.java.function.FlatMapFunction<Iterator<String>, Partial> {
        private final List<String> methods;
        private final int n;

        Sum(List<String> methods, int n) {
            this.methods = methods;
            this.n = n;
        }

        @Override public Iterator<Partial> call(Iterator<String> lines) {
            Partial p = new Partial();
            for (String m : methods) {
                p.sums.put(m, new double[4][Perturbation.STEPS]);
                p.seen.put(m, new BitSet(n));
                p.count.put(m, 0);
                p.areas.put(m, new java.util.TreeMap<>());
            }
            double[] fracs = Perturbation.fracs();
            while (lines.hasNext()) {
                SampleRecord r = SampleRecord.parse(lines.next());
                double[][] s = p.sums.get(r.method());
                if (s == null || r.index() < 0 || r.index() >= n) throw new IllegalStateException("record not of this run: " + r.method() + " " + r.index());
                double[][] c = {r.generateE(), r.generateM(), r.pruningE(), r.pruningM()};
                for (int q = 0; q < 4; q++) for (int k = 0; k < Perturbation.STEPS; k++) s[q][k] += c[q][k];
                p.seen.get(r.method()).set(r.index());
                p.areas.get(r.method()).put(r.index(), Curves.trapezoid(fracs, r.generateE()));
                p.count.merge(r.method(), 1, Integer::sum);
            }
            return List.of(p).iterator();
        }
    }

    /** Means over the partials (which must cover every sample exactly once), areas by the library. */
    static Map<String, Curves.Summary> summaries(List<String> methods, int n, List<Partial> partials) {
        Map<String, Curves.Summary> out = new LinkedHashMap<>();
        for (String m : methods) {
            double[][] mean = new double[4][Perturbation.STEPS];
            BitSet seen = new BitSet(n);
            int count = 0;
            for (Partial p : partials) {
                double[][] s = p.sums.get(m);
                for (int q = 0; q < 4; q++) for (int k = 0; k < Perturbation.STEPS; k++) mean[q][k] += s[q][k];
                seen.or(p.seen.get(m));
                count += p.count.get(m);
            }
            if (count != n || seen.cardinality() != n) {
                throw new IllegalStateException(m + ": " + count + " records for " + seen.cardinality() + " of " + n + " samples");
            }
            for (double[] row : mean) for (int k = 0; k < row.length; k++) row[k] /= n;
            // the mean curves as one sample: Curves gives them back unchanged (divided by 1) with their areas
            Curves.Summary one = Curves.summarize(List.of(new Curves.Sample(mean[0], mean[1], mean[2], mean[3])));
            out.put(m, new Curves.Summary(n, one.fracs(), one.meanGenerateE(), one.meanGenerateM(), one.meanPruningE(),
                    one.meanPruningM(), one.auac(), one.aupc(), one.auMse(), one.auGenerateM()));
        }
        return out;
    }

    /** The per-sample AUACs of all partials, by method in report order. */
    static Map<String, java.util.TreeMap<Integer, Double>> areas(List<String> methods, List<Partial> partials) {
        Map<String, java.util.TreeMap<Integer, Double>> out = new LinkedHashMap<>();
        for (String m : methods) {
            java.util.TreeMap<Integer, Double> all = new java.util.TreeMap<>();
            for (Partial p : partials) all.putAll(p.areas.get(m));
            out.put(m, all);
        }
        return out;
    }

    static void writeAtomically(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
