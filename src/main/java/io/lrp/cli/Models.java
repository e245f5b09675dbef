package io.lrp.cli;

import io.lrp.models.Model;
import io.lrp.models.ModelLoader;
import java.util.HashMap;
import java.util.Map;

/** Model lookup for the commands, cached per JVM (tests run many commands). */
final class Models {
    private Models() {}

    /** The model used when --model is absent. */
    static final String DEFAULT = "minilm-sst2";

    private static final Map<String, Model> CACHE = new HashMap<>();

    static synchronized Model open(String spec) {
        String key = spec == null ? DEFAULT : spec;
        Model m = CACHE.get(key);
        if (m == null) {
            m = ModelLoader.load(key);
            CACHE.put(key, m);
        }
        return m;
    }
}
