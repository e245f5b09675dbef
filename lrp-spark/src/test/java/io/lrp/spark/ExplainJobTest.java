package io.lrp.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrp.explain.Explainer;
import io.lrp.explain.Explanation;
import io.lrp.explain.Method;
import io.lrp.models.Model;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExplainJobTest {
    static final String MODEL = "minilm-sst2";

    @TempDir Path tmp;

    /** A CSV with a key, a gold label (an output field's name) and an empty text; Parquet out. */
    @Test void csvKeysErrorsAndValuesEqualTheLibrary() throws Exception {
        SparkSession spark = TestSpark.session();
        Path csv = tmp.resolve("in.csv");
        Files.writeString(csv, "id,label,review\n"
                + "7,1,\"the film is a charming, funny delight\"\n"
                + "8,0,\"\"\n"
                + "9,0,an utterly dull and lifeless mess\n");
        ExplainJob.Options o = new ExplainJob.Options(MODEL, List.of("lrp-ah-ln", "gi"), "review", null, 8, 1, 2, false, 0, 0);
        Dataset<Row> in = ExplainJob.read(spark, csv.toString(), "csv", 2);
        Path out = tmp.resolve("out");
        ExplainJob.write(ExplainJob.explain(in, o), out.toString(), "parquet");
        List<Row> rows = ExplainJob.readOutput(spark, out.toString()).orderBy("id", "method").collectAsList();

        assertEquals(6, rows.size(), "one row per input row and method");
        Model m = ModelCache.get(MODEL);
        Map<String, Explanation> expected = new HashMap<>();
        for (Method method : List.of(Method.LRP_AH_LN, Method.GI)) {
            List<Explanation> ex = Explainer.of(m).method(method).explain(
                    List.of("the film is a charming, funny delight", "an utterly dull and lifeless mess"), null);
            expected.put("7/" + method.id(), ex.get(0));
            expected.put("9/" + method.id(), ex.get(1));
        }
        for (Row r : rows) {
            String id = r.getAs("id");
            assertEquals(id.equals("7") ? "1" : "0", r.getAs("input_label"), "the input's label column is kept as input_label");
            if (id.equals("8")) {
                assertEquals("empty text", r.getAs("error"));
                assertNull(r.getAs("relevance"));
                continue;
            }
            assertNull(r.getAs("error"));
            Explanation e = expected.get(id + "/" + r.getAs("method"));
            assertEquals(e.label(), r.getAs("label"));
            assertEquals(e.target(), (int) r.getAs("target"));
            assertEquals(List.of(e.tokens()), r.getList(r.fieldIndex("tokens")));
            List<Double> rel = r.getList(r.fieldIndex("relevance"));
            double scale = 0;
            for (double v : e.relevance()) scale = Math.max(scale, Math.abs(v));
            for (int t = 0; t < rel.size(); t++) assertEquals(e.relevance()[t], rel.get(t), 1e-5 * scale, "token " + t);
            Row c = r.getAs("conservation");
            if (r.getAs("method").equals("lrp-ah-ln")) {
                // sum R + bias = logit: the explanation accounts for the logit
                assertEquals(c.getDouble(1), c.getDouble(0) + c.getDouble(2), 1e-5 * Math.abs(c.getDouble(1)));
            } else {
                assertTrue(c.isNullAt(2), "bias is null for gi, as in the CLI's JSON");
            }
        }
        ExplainJob.write(ExplainJob.explain(ExplainJob.read(spark, csv.toString(), "csv", 3), o), tmp.resolve("again").toString(), "jsonl");
        assertEquals(1, ModelCache.loads(MODEL), "the model is loaded once per JVM, not per task or job");
    }

    /** An executor task that throws once (its first attempt, after writing rows) is retried; every row comes out once. */
    @Test void aFailedTaskIsRetriedAndEveryRowIsWrittenOnce() throws Exception {
        SparkSession spark = TestSpark.session();
        List<String> texts = new ArrayList<>();
        List<String> dev = Files.readAllLines(TestSpark.stsaDev());
        for (int i = 0; i < 24; i++) texts.add(dev.get(i).substring(2));
        Path txt = tmp.resolve("s.txt");
        Files.write(txt, texts);
        int[] failed = {0};
        SparkListener counter = new SparkListener() {
            @Override public void onTaskEnd(SparkListenerTaskEnd t) {
                if (!t.taskInfo().successful()) synchronized (failed) { failed[0]++; }
            }
        };
        spark.sparkContext().addSparkListener(counter);
        spark.sparkContext().setLocalProperty(FaultInjection.PROPERTY, "1:5"); // partition 1 fails after 5 of its rows
        Path out = tmp.resolve("out");
        try {
            ExplainJob.Options o = new ExplainJob.Options(MODEL, List.of("gi"), "text", null, 8, 1, 2, false, 0, 0);
            ExplainJob.write(ExplainJob.explain(ExplainJob.read(spark, txt.toString(), "text", 4), o), out.toString(), "jsonl");
        } finally {
            spark.sparkContext().setLocalProperty(FaultInjection.PROPERTY, null);
        }
        spark.sparkContext().listenerBus().waitUntilEmpty();
        spark.sparkContext().removeSparkListener(counter);
        assertEquals(1, failed[0], "one task attempt failed");

        List<Row> rows = ExplainJob.readOutput(spark, out.toString()).select("line", "text").orderBy("line").collectAsList();
        long[] lines = rows.stream().mapToLong(r -> r.getLong(0)).toArray();
        long[] want = new long[24];
        for (int i = 0; i < 24; i++) want[i] = i + 1;
        assertArrayEquals(want, lines, "lines 1..24, each exactly once");
        for (Row r : rows) assertEquals(texts.get((int) r.getLong(0) - 1), r.getString(1));
    }
}
