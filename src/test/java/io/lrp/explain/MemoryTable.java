package io.lrp.explain;

import io.lrp.models.Batch;
import io.lrp.models.Model;
import io.lrp.models.ModelLoader;
import io.lrp.tensor.Arena;
import java.util.List;
import java.util.Locale;

/**
 * Prints, per method and input length, the most memory an explanation holds in large arrays at
 * once (activations, attention maps, gradients: what the arena counts), in MB. Run after
 * {@code mvn test-compile}:
 * {@code java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes:target/lib/* io.lrp.explain.MemoryTable minilm-sst2 64,128,256,512}
 */
public final class MemoryTable {
    public static void main(String[] args) {
        Model model = ModelLoader.load(args.length > 0 ? args[0] : "minilm-sst2");
        String[] lengths = (args.length > 1 ? args[1] : "64,128,256,512").split(",");
        List<Method> methods = args.length > 2 ? Method.parseList(args[2]) : List.of(Method.values());
        System.out.printf(Locale.ROOT, "heap %d MB, chunk budget %d MB%n", Runtime.getRuntime().maxMemory() >> 20, PathMethods.chunkBudget() >> 20);
        System.out.print("| method |");
        for (String l : lengths) System.out.print(" " + l + " tokens |");
        System.out.println();
        for (Method m : methods) {
            System.out.print("| `" + m.id() + "` |");
            for (String l : lengths) {
                int n = Integer.parseInt(l.strip());
                int[] ids = new int[n];
                ids[0] = 101;
                ids[n - 1] = 102;
                for (int i = 1; i < n - 1; i++) ids[i] = 1996 + (i * 37) % 3000;
                try (Arena scope = Arena.open()) {
                    Relevance.compute(model, Batch.of(List.of(ids), model.padId()), m, null, Relevance.Options.DEFAULT);
                    System.out.printf(Locale.ROOT, " %.0f |", scope.peakBytes() / 1048576.0);
                }
                System.out.flush();
            }
            System.out.println();
        }
    }
}
