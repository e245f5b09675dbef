package io.lrp.spark;

import io.lrp.LrpException;
import io.lrp.explain.Explainer;
import io.lrp.explain.Explanation;
import io.lrp.explain.Method;
import io.lrp.models.Model;
import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Set;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Explains a text column of a corpus: one output row per input row and method, with the CLI's
 * JSON fields (text, model, method, target, label, logits, tokens, ids, offsets, relevance,
 * conservation {sum, logit, bias}), the input's key columns, and {@code error}: null, or why the
 * row's text could not be explained (empty, untokenizable, too long), in which case the
 * explanation fields are null. The model is loaded once per executor JVM ({@link ModelCache});
 * each task explains its rows in chunks through the library's batched {@link Explainer}.
 */
public final class ExplainJob {
    private ExplainJob() {}

    /** The output fields after the key columns, in the CLI's order, then error. */
    public static final List<String> FIELDS = List.of("text", "model", "method", "target", "label", "logits", "tokens",
            "ids", "offsets", "relevance", "conservation", "error");

    /**
     * What to compute. {@code keyColumns} null: every input column but the text column. A key
     * column whose name is an output field is written as {@code input_NAME}.
     */
    public record Options(String model, List<String> methods, String textColumn, List<String> keyColumns,
                          int batch, int threads, int rowsPerCall, boolean truncate, double gamma, long seed)
            implements Serializable {
        public Options {
            if (batch < 1) throw new LrpException("--batch must be >= 1, got " + batch);
            if (threads < 1) throw new LrpException("--threads must be >= 1, got " + threads);
            if (rowsPerCall < 1) throw new LrpException("rows per call must be >= 1, got " + rowsPerCall);
            methods = List.copyOf(methods);
            if (methods.isEmpty()) throw new LrpException("no method given");
            if (keyColumns != null) keyColumns = List.copyOf(keyColumns);
        }

        public static Options of(String model, List<Method> methods) {
            return new Options(model, methods.stream().map(Method::id).toList(), "text", null, 8, 1, 64, false, 0, 0);
        }
    }

    /** The explanations of {@code input} (lazy: nothing runs until they are written or counted). */
    public static Dataset<Row> explain(Dataset<Row> input, Options o) {
        StructType in = input.schema();
        Set<String> names = Set.of(in.fieldNames());
        if (!names.contains(o.textColumn())) {
            throw new LrpException("no text column '" + o.textColumn() + "' in the input (columns: "
                    + String.join(", ", in.fieldNames()) + "); choose one with --text-column");
        }
        List<String> keys = new ArrayList<>();
        if (o.keyColumns() == null) {
            for (String f : in.fieldNames()) if (!f.equals(o.textColumn())) keys.add(f);
        } else {
            for (String k : o.keyColumns()) {
                if (!names.contains(k)) throw new LrpException("no key column '" + k + "' in the input (columns: " + String.join(", ", in.fieldNames()) + ")");
                if (!k.equals(o.textColumn())) keys.add(k);
            }
        }
        methodsOf(o); // an unknown method is an error here, on the driver, not in the tasks
        Dataset<Row> selected = input.selectExpr(selectList(keys, o.textColumn()));
        StructType out = outputSchema(in, keys);
        return selected.mapPartitions(new Explain(o, keys.size()), Encoders.row(out));
    }

    private static String[] selectList(List<String> keys, String text) {
        String[] s = new String[keys.size() + 1];
        for (int i = 0; i < keys.size(); i++) s[i] = quote(keys.get(i));
        s[keys.size()] = "CAST(" + quote(text) + " AS STRING) AS __text";
        return s;
    }

    private static String quote(String column) { return "`" + column.replace("`", "``") + "`"; }

    static StructType outputSchema(StructType in, List<String> keys) {
        List<StructField> f = new ArrayList<>();
        for (String k : keys) {
            StructField src = in.apply(k);
            String name = FIELDS.contains(k) ? "input_" + k : k;
            f.add(DataTypes.createStructField(name, src.dataType(), true));
        }
        f.add(DataTypes.createStructField("text", DataTypes.StringType, true));
        f.add(DataTypes.createStructField("model", DataTypes.StringType, false));
        f.add(DataTypes.createStructField("method", DataTypes.StringType, false));
        f.add(DataTypes.createStructField("target", DataTypes.IntegerType, true));
        f.add(DataTypes.createStructField("label", DataTypes.StringType, true));
        f.add(DataTypes.createStructField("logits", DataTypes.createArrayType(DataTypes.DoubleType, false), true));
        f.add(DataTypes.createStructField("tokens", DataTypes.createArrayType(DataTypes.StringType, false), true));
        f.add(DataTypes.createStructField("ids", DataTypes.createArrayType(DataTypes.IntegerType, false), true));
        f.add(DataTypes.createStructField("offsets",
                DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.IntegerType, false), false), true));
        f.add(DataTypes.createStructField("relevance", DataTypes.createArrayType(DataTypes.DoubleType, false), true));
        f.add(DataTypes.createStructField("conservation", DataTypes.createStructType(List.of(
                DataTypes.createStructField("sum", DataTypes.DoubleType, false),
                DataTypes.createStructField("logit", DataTypes.DoubleType, false),
                DataTypes.createStructField("bias", DataTypes.DoubleType, true))), true));
        f.add(DataTypes.createStructField("error", DataTypes.StringType, true));
        return DataTypes.createStructType(f);
    }

    static List<Method> methodsOf(Options o) {
        return Method.parseList(String.join(",", o.methods()));
    }

    /** Why a text cannot be explained, or null (the CLI's checks for --file lines). */
    static String problem(Model m, String text, boolean truncate) {
        if (text == null) return "empty text"; // a CSV reader gives null for ""
        if (text.isBlank()) return "empty text";
        try {
            int n = m.tokenizer().encode(text).length();
            if (n > m.maxLength() && !truncate) return n + " tokens exceed the model's limit of " + m.maxLength() + " (use --truncate)";
            return null;
        } catch (LrpException e) {
            return e.getMessage();
        }
    }

    /** Runs in the tasks: rows in, rowsPerCall at a time, explanations out in input order. */
    static final class Explain implements MapPartitionsFunction<Row, Row> {
        private final Options o;
        private final int keys;

        Explain(Options o, int keys) {
            this.o = o;
            this.keys = keys;
        }

        @Override public Iterator<Row> call(Iterator<Row> rows) {
            Model model = ModelCache.get(o.model());
            List<Method> methods = methodsOf(o);
            List<Explainer> explainers = new ArrayList<>();
            for (Method m : methods) {
                explainers.add(Explainer.of(model).method(m).gamma(o.gamma()).seed(o.seed()).batchSize(o.batch())
                        .threads(o.threads()).truncate(o.truncate()));
            }
            return new Iterator<>() {
                private final ArrayDeque<Row> ready = new ArrayDeque<>();
                private long consumed;

                @Override public boolean hasNext() {
                    while (ready.isEmpty() && rows.hasNext()) fill();
                    return !ready.isEmpty();
                }

                @Override public Row next() {
                    if (!hasNext()) throw new NoSuchElementException();
                    return ready.poll();
                }

                private void fill() {
                    List<Row> chunk = new ArrayList<>();
                    while (chunk.size() < o.rowsPerCall() && rows.hasNext()) {
                        FaultInjection.check(consumed);
                        chunk.add(rows.next());
                        consumed++;
                    }
                    String[] problems = new String[chunk.size()];
                    List<String> good = new ArrayList<>();
                    for (int i = 0; i < chunk.size(); i++) {
                        problems[i] = problem(model, chunk.get(i).getString(keys), o.truncate());
                        if (problems[i] == null) good.add(chunk.get(i).getString(keys));
                    }
                    List<List<Explanation>> byMethod = new ArrayList<>();
                    for (Explainer ex : explainers) byMethod.add(good.isEmpty() ? List.of() : ex.explain(good, null));
                    int g = 0;
                    for (int i = 0; i < chunk.size(); i++) {
                        Row in = chunk.get(i);
                        for (int k = 0; k < methods.size(); k++) {
                            Explanation e = problems[i] == null ? byMethod.get(k).get(g) : null;
                            ready.add(row(in, model, methods.get(k), e, problems[i]));
                        }
                        if (problems[i] == null) g++;
                    }
                }
            };
        }

        private Row row(Row in, Model model, Method method, Explanation e, String problem) {
            Object[] v = new Object[keys + FIELDS.size()];
            for (int i = 0; i < keys; i++) v[i] = in.get(i);
            int j = keys;
            v[j++] = in.getString(keys);
            v[j++] = model.name();
            v[j++] = method.id();
            if (e == null) {
                j += 8;
            } else {
                v[j++] = e.target();
                v[j++] = e.label();
                v[j++] = e.logits();
                v[j++] = e.tokens();
                v[j++] = e.ids();
                v[j++] = e.offsets();
                v[j++] = e.relevance();
                Explanation.Conservation c = e.conservation();
                v[j++] = RowFactory.create(c.sum(), c.logit(), c.bias());
            }
            v[j] = problem;
            return RowFactory.create(v);
        }
    }

    // ---- reading the input ----------------------------------------------------------------

    public static final List<String> INPUT_FORMATS = List.of("text", "csv", "jsonl", "parquet");

    /**
     * Reads the input: text (one text per line; columns line (1-based) and text), csv (with a
     * header, every column a string), jsonl (JSON Lines) or parquet; at least {@code partitions}
     * partitions (text files are split, other inputs repartitioned when they come in fewer).
     */
    public static Dataset<Row> read(SparkSession spark, String path, String format, int partitions) {
        String f = format.toLowerCase(Locale.ROOT);
        Dataset<Row> ds;
        switch (f) {
            case "text" -> {
                JavaRDD<Row> rows = spark.sparkContext().textFile(path, Math.max(1, partitions)).toJavaRDD()
                        .zipWithIndex().map(t -> RowFactory.create(t._2() + 1, t._1()));
                StructType s = DataTypes.createStructType(List.of(
                        DataTypes.createStructField("line", DataTypes.LongType, false),
                        DataTypes.createStructField("text", DataTypes.StringType, true)));
                return spark.createDataFrame(rows, s);
            }
            case "csv" -> ds = spark.read().option("header", "true").option("multiLine", "true").option("escape", "\"")
                    .option("mode", "FAILFAST").csv(path);
            case "jsonl", "json" -> ds = spark.read().option("mode", "FAILFAST").json(path);
            case "parquet" -> ds = spark.read().parquet(path);
            default -> throw new LrpException("unknown input format '" + format + "': choose " + String.join(", ", INPUT_FORMATS));
        }
        if (ds.rdd().getNumPartitions() < partitions) ds = ds.repartition(partitions);
        return ds;
    }

    /** The output as the writer needs it: parquet or jsonl (JSON Lines, nulls kept as in the CLI's JSON). */
    public static void write(Dataset<Row> explanations, String path, String format) {
        switch (format.toLowerCase(Locale.ROOT)) {
            case "parquet" -> explanations.write().parquet(path);
            case "jsonl", "json" -> explanations.write().option("ignoreNullFields", "false").json(path);
            default -> throw new LrpException("unknown output format '" + format + "': choose parquet or jsonl");
        }
    }

    /** Reads an output written by {@link #write} back. */
    public static Dataset<Row> readOutput(SparkSession spark, String path) {
        java.nio.file.Path p = java.nio.file.Path.of(path);
        boolean json;
        try (var files = java.nio.file.Files.list(p)) {
            json = files.anyMatch(x -> x.getFileName().toString().endsWith(".json"));
        } catch (java.io.IOException e) {
            throw new LrpException("cannot read explanations in " + path + ": " + e.getMessage());
        }
        return json ? spark.read().json(path) : spark.read().parquet(path);
    }
}
