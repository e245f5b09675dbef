package io.lrp.spark;

import static org.apache.spark.sql.functions.col;

import io.lrp.LrpException;
import io.lrp.explain.Explanation;
import io.lrp.viz.Words;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The corpus view the local tool lacks: per method and predicted label, the words with the
 * highest and the lowest mean relevance over the corpus, with how often each occurs. A word is
 * what {@link Words#words} makes of an explanation (sub-tokens merged, punctuation split off,
 * special tokens left out; its relevance the sum of its tokens'), compared in lower case.
 * Words seen fewer than {@code minCount} times are left out (one rare word's mean is noise).
 */
public final class CorpusSummary {
    private CorpusSummary() {}

    public static final StructType WORDS = DataTypes.createStructType(List.of(
            DataTypes.createStructField("method", DataTypes.StringType, false),
            DataTypes.createStructField("label", DataTypes.StringType, false),
            DataTypes.createStructField("word", DataTypes.StringType, false),
            DataTypes.createStructField("relevance", DataTypes.DoubleType, false)));

    /** One row per word occurrence of the explained rows (rows with an error have none). */
    public static Dataset<Row> occurrences(Dataset<Row> explanations) {
        Dataset<Row> ok = explanations.filter(col("error").isNull())
                .selectExpr("method", "label", "text", "tokens", "transform(offsets, o -> o[0]) AS starts",
                        "transform(offsets, o -> o[1]) AS ends", "relevance");
        return ok.flatMap((FlatMapFunction<Row, Row>) CorpusSummary::words, Encoders.row(WORDS));
    }

    private static Iterator<Row> words(Row r) {
        String text = r.getString(2);
        List<String> tokens = r.getList(3);
        List<Object> starts = r.getList(4), ends = r.getList(5);
        List<Object> rel = r.getList(6);
        int n = tokens.size();
        int[][] offsets = new int[n][2];
        boolean[] special = new boolean[n];
        double[] relevance = new double[n];
        for (int i = 0; i < n; i++) {
            offsets[i][0] = ((Number) starts.get(i)).intValue();
            offsets[i][1] = ((Number) ends.get(i)).intValue();
            special[i] = offsets[i][0] == offsets[i][1]; // how the CLI's JSON marks special tokens
            relevance[i] = ((Number) rel.get(i)).doubleValue();
        }
        Explanation e = new Explanation(text, null, r.getString(0), 0, r.getString(1), new double[0],
                tokens.toArray(new String[0]), new int[n], offsets, special, relevance, null);
        List<Row> out = new ArrayList<>();
        for (Words.Word w : Words.words(e)) {
            out.add(RowFactory.create(r.getString(0), r.getString(1), w.text().toLowerCase(Locale.ROOT), w.relevance()));
        }
        return out.iterator();
    }

    /**
     * Per (method, label): the {@code top} words of highest mean relevance (side "highest", rank
     * 1 the highest) and of lowest (side "lowest", rank 1 the lowest), among words seen at least
     * {@code minCount} times. Columns: method, label, side, rank, word, count, mean_relevance.
     */
    public static Dataset<Row> summarize(Dataset<Row> explanations, int top, int minCount) {
        checkArgs(top, minCount);
        Dataset<Row> stats = occurrences(explanations).groupBy("method", "label", "word")
                .agg(functions.count("*").alias("count"), functions.avg("relevance").alias("mean_relevance"))
                .filter(col("count").geq(minCount));
        WindowSpec hi = Window.partitionBy("method", "label").orderBy(col("mean_relevance").desc(), col("word"));
        WindowSpec lo = Window.partitionBy("method", "label").orderBy(col("mean_relevance").asc(), col("word"));
        Dataset<Row> highest = stats.withColumn("rank", functions.row_number().over(hi)).filter(col("rank").leq(top))
                .withColumn("side", functions.lit("highest"));
        Dataset<Row> lowest = stats.withColumn("rank", functions.row_number().over(lo)).filter(col("rank").leq(top))
                .withColumn("side", functions.lit("lowest"));
        return highest.unionByName(lowest)
                .select("method", "label", "side", "rank", "word", "count", "mean_relevance")
                .orderBy("method", "label", "side", "rank");
    }

    static void checkArgs(int top, int minCount) {
        if (top < 1) throw new LrpException("--top must be >= 1, got " + top);
        if (minCount < 1) throw new LrpException("--min-count must be >= 1, got " + minCount);
    }

    /** Writes DIR/words (Parquet) and DIR/words.md; returns the Markdown. */
    public static String write(Dataset<Row> summary, Path dir, int top, int minCount) {
        summary = summary.cache();
        summary.write().parquet(dir.resolve("words").toString());
        String md = markdown(summary.collectAsList(), top, minCount);
        try {
            EvaluateJob.writeAtomically(dir.resolve("words.md"), md);
        } catch (IOException e) {
            throw new LrpException("cannot write " + dir.resolve("words.md") + ": " + e.getMessage());
        }
        summary.unpersist();
        return md;
    }

    /** One section per method and label: the highest and lowest words side by side. */
    static String markdown(List<Row> rows, int top, int minCount) {
        StringBuilder sb = new StringBuilder("# Words by mean relevance, per method and predicted label\n\n");
        sb.append(String.format(Locale.ROOT, "Top %d each way; words seen at least %d times. Relevance of a word: "
                + "the sum over its sub-tokens; count: its occurrences in texts predicted as the label.%n", top, minCount));
        String section = null;
        List<Row> hi = new ArrayList<>(), lo = new ArrayList<>();
        for (int i = 0; i <= rows.size(); i++) {
            Row r = i < rows.size() ? rows.get(i) : null;
            String key = r == null ? null : r.getString(0) + "\u0000" + r.getString(1);
            if (section != null && !section.equals(key)) {
                String[] p = section.split("\u0000");
                sb.append("\n## ").append(p[0]).append(", predicted ").append(p[1]).append("\n\n");
                sb.append("| rank | highest | count | mean | lowest | count | mean |\n");
                sb.append("| ---: | --- | ---: | ---: | --- | ---: | ---: |\n");
                for (int k = 0; k < Math.max(hi.size(), lo.size()); k++) {
                    sb.append("| ").append(k + 1).append(' ');
                    cells(sb, k < hi.size() ? hi.get(k) : null);
                    cells(sb, k < lo.size() ? lo.get(k) : null);
                    sb.append("|\n");
                }
                hi.clear();
                lo.clear();
            }
            section = key;
            if (r != null) (r.getString(2).equals("highest") ? hi : lo).add(r);
        }
        return sb.toString();
    }

    private static void cells(StringBuilder sb, Row r) {
        if (r == null) {
            sb.append("| | | ");
            return;
        }
        sb.append("| ").append(r.getString(4).replace("|", "\\|")).append(" | ").append(r.getLong(5))
                .append(String.format(Locale.ROOT, " | %.4f ", r.getDouble(6)));
    }
}
