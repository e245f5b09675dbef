package io.lrp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrp.explain.GoldenFiles;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** Small things a new user meets: the truncation notice, help examples that copy-paste, train --help complete. */
class EverydayCliTest {

    @Test
    void truncationIsAnnounced() {
        String longText = "a charming film ".repeat(60); // 180 words, over the small model's 128 positions
        CliRunner.Result r = CliRunner.run("explain", "--model", GoldenFiles.path("hf_bert_small").toString(), "--truncate", "--format", "json", longText);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().matches("(?s).*lrp: note: input of \\d+ tokens cut to the model's 128.*"), r.err());
        CliRunner.Result shortText = CliRunner.run("explain", "--model", GoldenFiles.path("hf_bert_small").toString(), "--truncate", "a film");
        assertTrue(!shortText.err().contains("cut to"), shortText.err());
    }

    /** picocli wraps lines over the usage width: an example line longer than that breaks mid-argument (copy-paste fails). */
    @Test
    void helpExamplesAreNotWrapped() {
        CommandLine cl = new CommandLine(new Main());
        int width = cl.getCommandSpec().usageMessage().width();
        for (var e : cl.getSubcommands().entrySet()) {
            for (String line : e.getValue().getCommandSpec().usageMessage().footer()) {
                if (!line.startsWith("  lrp ") && !line.startsWith("      ")) continue; // example lines and their continuations
                assertTrue(line.length() <= width, e.getKey() + " footer line of " + line.length() + " > " + width + ": " + line);
            }
        }
    }

    @Test
    void trainHelpDescribesEveryOptionAndBothArchitectures() {
        CommandLine train = new CommandLine(new Main()).getSubcommands().get("train");
        for (OptionSpec o : train.getCommandSpec().options()) {
            assertTrue(o.description().length > 0 && !String.join("", o.description()).isBlank(), o.longestName() + " has no description");
        }
        String help = CliRunner.run("train", "--help").out();
        for (String s : List.of("minilm-head", "paper", "--arch paper", "--finetune-layers", "--labels")) assertTrue(help.contains(s), s + ": " + help);
    }
}
