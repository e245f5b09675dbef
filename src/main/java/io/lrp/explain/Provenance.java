package io.lrp.explain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lrp.autograd.RuleSet;
import io.lrp.models.Model;
import io.lrp.tensor.Gemm;
import io.lrp.tensor.Simd;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.WeakHashMap;

/**
 * What produced a result, carried with it: the library version, the model (name, family, where
 * its weights came from and a fingerprint of their values), the method and the rule set it
 * applied, the kernels (matrix-product backend, vector or scalar element-wise kernels) and the
 * Java runtime. Written as the "provenance" object of each explanation's JSON and of an
 * evaluation's run.json.
 */
public record Provenance(String library, String model, String family, String weights, String fingerprint,
                         String method, RuleSet ruleSet, double gamma, String gemm, String kernels, String javaRuntime) {

    private static final Map<Model, String> FINGERPRINTS = new WeakHashMap<>();

    /** The provenance of a method's results on a model under these options; method may be null (a model-level record). */
    public static Provenance of(Model model, Method method, Relevance.Options options) {
        return new Provenance(libraryVersion(), model.name(), model.family(), model.source(), fingerprint(model),
                method == null ? null : method.id(), method == null ? null : method.rules(options),
                options.gamma(), Gemm.get().name(),
                Simd.kind(),
                System.getProperty("java.vendor") + " " + System.getProperty("java.runtime.version"));
    }

    /** "lrp-transformers VERSION" from the jar's Maven metadata, or "(development build)" from class files. */
    public static String libraryVersion() {
        String v = Provenance.class.getPackage().getImplementationVersion();
        if (v == null) {
            try (var in = Provenance.class.getResourceAsStream("/META-INF/maven/io.github.lrp-transformers/lrp-transformers/pom.properties")) {
                if (in != null) {
                    java.util.Properties p = new java.util.Properties();
                    p.load(in);
                    v = p.getProperty("version");
                }
            } catch (java.io.IOException e) {
                v = null; // no metadata: reported as a development build
            }
        }
        return "lrp-transformers " + (v == null ? "(development build)" : v);
    }

    /**
     * SHA-256 over the names, shapes and float32 bits of every parameter after the attribution
     * point and of the embeddings of the unknown and padding tokens; computed once per model.
     */
    public static String fingerprint(Model model) {
        synchronized (FINGERPRINTS) {
            String f = FINGERPRINTS.get(model);
            if (f != null) return f;
        }
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (var e : new TreeMap<>(model.parameters()).entrySet()) {
            md.update(e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            update(md, e.getValue().shape());
            update(md, e.getValue().value.data);
        }
        update(md, model.embed(io.lrp.models.Batch.single(new int[] {model.unkId(), model.padId()})).data);
        String f = "sha256:" + HexFormat.of().formatHex(md.digest());
        synchronized (FINGERPRINTS) {
            FINGERPRINTS.put(model, f);
        }
        return f;
    }

    /**
     * Records the fingerprint of a model whose weights are bit for bit those of a model it was
     * computed for before (a model loaded from the cache of {@link io.lrp.models.ModelCache}).
     */
    public static void remember(Model model, String fingerprint) {
        if (fingerprint == null || !fingerprint.startsWith("sha256:")) return;
        synchronized (FINGERPRINTS) {
            FINGERPRINTS.put(model, fingerprint);
        }
    }

    private static void update(MessageDigest md, int[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) b.putInt(x);
        md.update(b.array());
    }

    private static void update(MessageDigest md, float[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * Math.min(v.length, 1 << 16)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < v.length; ) {
            b.clear();
            int n = Math.min(v.length - i, 1 << 16);
            for (int k = 0; k < n; k++) b.putFloat(v[i + k]);
            md.update(b.array(), 0, 4 * n);
            i += n;
        }
    }

    /** As a JSON object (rule_set: null for a method that is not a rule set over the model's backward pass). */
    public ObjectNode toJson() {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("library", library);
        ObjectNode m = o.putObject("model");
        m.put("name", model);
        m.put("family", family);
        m.put("weights", weights);
        m.put("fingerprint", fingerprint);
        if (method != null) o.put("method", method);
        if (ruleSet == null) {
            o.putNull("rule_set");
        } else {
            ObjectNode r = o.putObject("rule_set");
            r.put("name", ruleSet.name());
            ObjectNode rules = r.putObject("rules");
            ruleSet.rules().forEach((role, rule) -> rules.put(role.name().toLowerCase(java.util.Locale.ROOT), rule.toString()));
        }
        o.put("gamma", gamma);
        ObjectNode k = o.putObject("kernels");
        k.put("gemm", gemm);
        k.put("elementwise", kernels);
        o.put("java", javaRuntime);
        return o;
    }
}
