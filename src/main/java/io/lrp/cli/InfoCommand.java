package io.lrp.cli;

import io.lrp.models.Model;
import io.lrp.models.decoder.DecoderModel;
import io.lrp.models.decoder.DecoderTokenizer;
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
        if (m instanceof DecoderModel d) {
            decoder(d, out);
            return 0;
        }
        out.println("model:        " + m.name());
        out.println("family:       " + m.family());
        out.println("architecture: " + m.describe());
        out.println("head:         " + m.head());
        if (m instanceof io.lrp.models.graph.GraphModel g) {
            // a graph's inputs are features, not token ids: the look-up tables before the attribution point count too
            out.printf("parameters:   %,d (all of them: node, degree and attention-bias tables included)%n", m.parameterCount());
            out.println("inputs:       graphs (" + g.config().featurizer() + "), no tokenizer");
            out.println("max length:   " + (m.maxLength() - 1) + " nodes and the virtual [GRAPH] node");
        } else {
            out.printf("parameters:   %,d (after the attribution point; embeddings excluded)%n", m.parameterCount());
            out.println("tokenizer:    " + (m.tokenizer() == null ? "none (token ids only)" : m.tokenizer().kind() + ", " + m.tokenizer().vocabSize() + " tokens, " + m.tokenizer().source()));
            out.println("max length:   " + m.maxLength() + " tokens");
        }
        out.println("labels:       " + (m.labels().isEmpty() ? "none (encoder only)" : String.join(", ", m.labels())));
        out.println("weights:      " + m.source());
        out.println("gemm backend: " + Gemm.get().name());
        return 0;
    }

    /** A decoder: its vocabulary is no list of labels; the tokenizer's special tokens and the weights' dtypes say more. */
    private static void decoder(DecoderModel d, PrintWriter out) {
        DecoderTokenizer t = d.decoderTokenizer();
        out.println("model:        " + d.name());
        out.println("family:       " + d.family() + " (decoder language model)");
        out.println("architecture: " + d.describe());
        out.println("head:         " + d.head());
        out.printf("parameters:   %,d (after the attribution point; token embeddings excluded unless tied to the head)%n", d.parameterCount());
        out.printf("sizes:        %d layers, hidden %d, vocabulary %,d%n", d.layerCount(), d.hidden(), d.vocabSize());
        if (t == null) {
            out.println("tokenizer:    none (token ids only)");
        } else {
            out.println("tokenizer:    " + t.kind() + ", " + t.vocabSize() + " tokens; BOS " + special(t, t.bosId())
                    + ", EOS " + special(t, t.eosId()) + ", occlusion replaces by " + special(t, d.unkId()));
        }
        out.println("max length:   " + d.maxLength() + " tokens");
        out.println("labels:       the next token (" + d.vocabSize() + " logits; explain --target takes a token or an id)");
        out.println("weights:      " + d.source());
        String held = d.weightsInMemory();
        out.println("weight dtype: " + d.storedDtypes() + " in the file" + (held.equals("F32")
                ? (d.storedDtypes().equals("F32") ? "" : ", widened to F32 when loaded") + "; F32 in memory"
                : "; matrices " + held + " in memory, 2 bytes a weight (norms, biases and F16 tensors widened to F32)"));
        out.println("products:     " + d.productKernel());
        out.println("gemm backend: " + Gemm.get().name());
    }

    private static String special(DecoderTokenizer t, int id) { return id < 0 ? "none" : t.token(id) + " (" + id + ")"; }
}
