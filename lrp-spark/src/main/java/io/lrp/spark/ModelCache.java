package io.lrp.spark;

import io.lrp.models.Model;
import io.lrp.models.ModelLoader;
import java.util.HashMap;
import java.util.Map;

/**
 * One model per JVM and spec (a built-in name or a path every executor can read). Tasks carry
 * only the spec string; the first task on an executor loads the model, later tasks (and other
 * cores of the same executor) share it: a model is read-only once loaded.
 */
public final class ModelCache {
    private ModelCache() {}

    private static final Map<String, Model> MODELS = new HashMap<>();
    private static final Map<String, Integer> LOADS = new HashMap<>();

    public static synchronized Model get(String spec) {
        Model m = MODELS.get(spec);
        if (m == null) {
            m = ModelLoader.load(spec);
            MODELS.put(spec, m);
            LOADS.merge(spec, 1, Integer::sum);
        }
        return m;
    }

    /** How often this JVM has loaded the spec (1 after any number of jobs). */
    public static synchronized int loads(String spec) { return LOADS.getOrDefault(spec, 0); }
}
