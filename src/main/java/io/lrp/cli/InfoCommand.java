package io.lrp.cli;

import io.lrp.models.Model;
import io.lrp.tensor.Gemm;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "info", mixinStandardHelpOptions = true, description = "Show a model's architecture, size, vocabulary, labels and the origin of its weights.")
final class InfoCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = {"-m", "--model"}, description = "A model directory, .onnx or .safetensors file, or a built-in name (minilm). Default: ${DEFAULT-VALUE}.",
            defaultValue = Models.DEFAULT)
    String model;

    @Override public Integer call() {
        Model m = Models.open(model);
        PrintWriter out = spec.commandLine().getOut();
        out.println("model:        " + m.name());
        out.println("family:       " + m.family());
        out.println("architecture: " + m.describe());
        out.println("head:         " + m.head());
        out.printf("parameters:   %,d (after the attribution point; embeddings excluded)%n", m.parameterCount());
        out.println("tokenizer:    " + (m.tokenizer() == null ? "none (token ids only)" : m.tokenizer().kind() + ", " + m.tokenizer().vocabSize() + " tokens, " + m.tokenizer().source()));
        out.println("max length:   " + m.maxLength() + " tokens");
        out.println("labels:       " + (m.labels().isEmpty() ? "none (encoder only)" : String.join(", ", m.labels())));
        out.println("weights:      " + m.source());
        out.println("gemm backend: " + Gemm.get().name());
        return 0;
    }
}
