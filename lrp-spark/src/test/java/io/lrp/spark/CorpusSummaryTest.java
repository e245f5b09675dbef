package io.lrp.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The word summary on explanations whose words and means are worked out by hand. */
class CorpusSummaryTest {
    static final StructType SCHEMA = DataTypes.createStructType(List.of(
            DataTypes.createStructField("method", DataTypes.StringType, false),
            DataTypes.createStructField("label", DataTypes.StringType, true),
            DataTypes.createStructField("text", DataTypes.StringType, true),
            DataTypes.createStructField("tokens", DataTypes.createArrayType(DataTypes.StringType), true),
            DataTypes.createStructField("offsets", DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.IntegerType)), true),
            DataTypes.createStructField("relevance", DataTypes.createArrayType(DataTypes.DoubleType), true),
            DataTypes.createStructField("error", DataTypes.StringType, true)));

    static Dataset<Row> explanations() {
        List<Row> rows = List.of(
                // words: good 1.0, film 0.5 ([CLS]/[SEP] carry relevance that belongs to no word)
                RowFactory.create("m", "positive", "good film", new String[] {"[CLS]", "good", "film", "[SEP]"},
                        new int[][] {{0, 0}, {0, 4}, {5, 9}, {0, 0}}, new double[] {9, 1.0, 0.5, 9}, null),
                // words: good 3.0, fun 0.75 (fu + ##n)
                RowFactory.create("m", "positive", "good fun", new String[] {"[CLS]", "good", "fu", "##n", "[SEP]"},
                        new int[][] {{0, 0}, {0, 4}, {5, 7}, {7, 8}, {0, 0}}, new double[] {0, 3.0, 0.25, 0.5, 0}, null),
                // Good is good in lower case, under another label
                RowFactory.create("m", "negative", "Good", new String[] {"[CLS]", "good", "[SEP]"},
                        new int[][] {{0, 0}, {0, 4}, {0, 0}}, new double[] {0, -2.0, 0}, null),
                RowFactory.create("m", null, "", null, null, null, "empty text"));
        return TestSpark.session().createDataFrame(rows, SCHEMA);
    }

    @Test void highestAndLowestMeansPerLabelWithCounts() {
        List<Row> s = CorpusSummary.summarize(explanations(), 2, 1).collectAsList();
        // method, label, side, rank, word, count, mean
        assertEquals(List.of(
                RowFactory.create("m", "negative", "highest", 1, "good", 1L, -2.0),
                RowFactory.create("m", "negative", "lowest", 1, "good", 1L, -2.0),
                RowFactory.create("m", "positive", "highest", 1, "good", 2L, 2.0),
                RowFactory.create("m", "positive", "highest", 2, "fun", 1L, 0.75),
                RowFactory.create("m", "positive", "lowest", 1, "film", 1L, 0.5),
                RowFactory.create("m", "positive", "lowest", 2, "fun", 1L, 0.75)).toString(), s.toString());

        List<Row> frequent = CorpusSummary.summarize(explanations(), 2, 2).collectAsList();
        assertEquals(2, frequent.size(), "only good is seen twice (in positive texts)");
        String md = CorpusSummary.markdown(s, 2, 1);
        assertTrue(md.contains("## m, predicted positive"), md);
        assertTrue(md.contains("| 1 | good | 2 | 2.0000 | film | 1 | 0.5000 |"), md);
    }
}
