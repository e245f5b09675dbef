package io.lrp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrp.autograd.Tape;
import io.lrp.autograd.Var;
import io.lrp.models.Batch;
import io.lrp.models.bert.BertConfig;
import io.lrp.models.bert.BertModel;
import io.lrp.models.bert.RandomBert;
import java.util.List;
import org.junit.jupiter.api.Test;

/** lrp bench at tiny sizes: it runs, prints the documented JSON, and counts FLOPs by the documented formula. */
class BenchCliTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void explanationJsonHasTheKeysAndTheFlopCount() throws Exception {
        CliRunner.Result r = CliRunner.run("bench", "--model", "src/test/resources/golden/hf_bert_small", "--method", "lrp-ah-ln",
                "--seq", "16", "--runs", "2", "--warmup", "1", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = JSON.readTree(r.out());
        for (String k : List.of("model", "method", "seq", "threads", "median_ms", "min_ms", "runs", "flops", "gflops")) {
            assertTrue(j.has(k), "missing key " + k + " in " + r.out());
        }
        assertEquals("lrp-ah-ln", j.get("method").asText());
        assertEquals(16, j.get("seq").asInt());
        assertEquals(2, j.get("runs").asInt());
        // hf_bert_small: 2 layers, hidden 64, FFN 256; T = 16
        long t = 16, h = 64, f = 256, layers = 2;
        long forward = layers * (2 * t * (4 * h * h + 2 * h * f) + 2 * 2 * t * t * h);
        long backward = layers * (2 * t * (2 * h * h + 2 * h * f) + 2 * t * t * h);
        assertEquals(forward + backward, j.get("flops").asLong());
        double median = j.get("median_ms").asDouble();
        assertTrue(median > 0 && j.get("min_ms").asDouble() <= median);
        // median_ms is printed to 0.001 ms and gflops to 0.01: the rate must lie within what those roundings allow
        double gflops = j.get("gflops").asDouble();
        double high = (forward + backward) / ((median - 0.0005) * 1e6), low = (forward + backward) / ((median + 0.0005) * 1e6);
        assertTrue(gflops >= low - 0.005 && gflops <= high + 0.005, gflops + " GFLOP/s outside [" + low + ", " + high + "]");
        // the two parts of each run add up to the run; with 2 runs every median is a mean, so the
        // parts' medians add up to the runs' median (each printed to 0.001 ms)
        double fwd = j.get("forward_part_ms").asDouble(), bwd = j.get("backward_part_ms").asDouble();
        assertTrue(fwd > 0 && bwd > 0, r.out());
        assertEquals(median, fwd + bwd, 0.0016, r.out());
    }

    @Test
    void forwardCountsTheForwardOnly() throws Exception {
        CliRunner.Result r = CliRunner.run("bench", "--model", "src/test/resources/golden/hf_bert_small",
                "--seq", "8", "--runs", "1", "--warmup", "0", "--json", "--method", "forward");
        assertEquals(0, r.code(), r.err());
        long t = 8, h = 64, f = 256;
        JsonNode j = JSON.readTree(r.out());
        assertEquals(2 * (2 * t * (4 * h * h + 2 * h * f) + 2 * 2 * t * t * h), j.get("flops").asLong());
        assertTrue(j.get("forward_part_ms").isNull() && j.get("backward_part_ms").isNull(), r.out()); // no backward to split off
    }

    @Test
    void llamaBenchConservesInBothFormats() throws Exception {
        int knob = io.lrp.tensor.Parallel.threads();
        for (String dtype : List.of("bf16", "f32")) {
            // 64 tokens x 256 wide: activations above the arena's 4096 floats, so freed arrays are handed out again
            CliRunner.Result r = CliRunner.run("bench", "--model", "llama-tiny", "--dtype", dtype, "--seq", "64",
                    "--threads", "2", "--runs", "1", "--warmup", "0");
            assertEquals(0, r.code(), r.err());
            JsonNode j = JSON.readTree(r.out());
            assertEquals(dtype.toUpperCase(java.util.Locale.ROOT), j.get("weights").asText());
            assertEquals(64, j.get("seq").asInt());
            double err = j.get("max_conservation_error_relative").asDouble();
            assertTrue(err < 1e-5, dtype + ": sum R + bias vs the logit, relative " + err);
            // 32000 x 256 tied embedding + 2 layers of q, o (256 x 256), k, v (64 x 256), gate, up, down (1024 x 256)
            long matrices = 32000L * 256 + 2 * (2 * 256 * 256 + 2 * 64 * 256 + 3 * 1024 * 256);
            long norms = 4L * (2 * 2 * 256 + 256);
            assertEquals((dtype.equals("bf16") ? 2 : 4) * matrices + norms, j.get("weights_bytes").asLong());
        }
        assertEquals(knob, io.lrp.tensor.Parallel.threads(), "--threads 2 is given back when the command ends");
    }

    @Test
    void sgemmReportsTheRate() throws Exception {
        CliRunner.Result r = CliRunner.run("bench", "--sgemm", "--size", "64", "--runs", "3", "--warmup", "1", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(64, j.get("size").asInt());
        assertEquals(2L * 64 * 64 * 64, j.get("flops").asLong());
        assertTrue(j.get("median_ms").asDouble() > 0 && j.get("gflops").asDouble() > 0, r.out());
    }

    @Test
    void randomBertIsSeededAndRuns() {
        BertConfig c = new BertConfig(100, 32, 2, 4, 64, 16, 2, 1e-12, 0, List.of("a", "b"), BertConfig.Pooling.CLS_POOLER);
        BertModel m1 = RandomBert.create("tiny", c, 7, null), m2 = RandomBert.create("tiny", c, 7, null);
        BertModel other = RandomBert.create("tiny", c, 8, null);
        Batch batch = Batch.single(new int[] {5, 17, 42, 99, 6});
        float[] z1 = m1.forward(Tape.inference(), Var.constant(m1.embed(batch)), batch).value.data;
        float[] z2 = m2.forward(Tape.inference(), Var.constant(m2.embed(batch)), batch).value.data;
        float[] z3 = other.forward(Tape.inference(), Var.constant(other.embed(batch)), batch).value.data;
        assertEquals(2, z1.length);
        assertEquals(z1[0], z2[0]);
        assertEquals(z1[1], z2[1]);
        assertNotEquals(z1[0], z3[0]);
        float[] w = m1.parameters().get("encoder.layer.0.attention.self.query.weight").value.data;
        double sum = 0, sq = 0;
        for (float v : w) {
            sum += v;
            sq += v * v;
        }
        double std = Math.sqrt(sq / w.length - (sum / w.length) * (sum / w.length));
        assertEquals(0.02, std, 0.004);
    }
}
