package io.lrp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrp.explain.Method;
import io.lrp.explain.Methods;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** Every command answers --help with its usage on standard output and exit code 0. */
class HelpCliTest {
    @ParameterizedTest
    @ValueSource(strings = {"explain", "similar", "evaluate", "train", "info", "bench", "serve"})
    void helpPrintsUsage(String command) {
        CliRunner.Result r = CliRunner.run(command, "--help");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("Usage: lrp " + command), r.out());
        assertTrue(r.out().contains("--help"), r.out());
    }

    /**
     * Examples can be copied: each is one line, or lines ended by " \" and continued indented; none
     * is broken by the help's wrapping. The method table keeps its indent on every line. Every option
     * is listed with a description, and picocli has nothing to warn about (a stray '%').
     */
    @ParameterizedTest
    @ValueSource(strings = {"explain", "similar", "evaluate", "train", "info", "bench", "serve"})
    void helpIsWellFormed(String command) {
        PrintStream saved = System.err;
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        CliRunner.Result r;
        try {
            System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
            r = CliRunner.run(command, "--help");
        } finally {
            System.setErr(saved);
        }
        assertEquals("", stderr.toString(StandardCharsets.UTF_8) + r.err(), "nothing on stderr");
        List<String> lines = r.out().lines().toList();
        String section = "";
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            assertTrue(l.length() <= 80, "longer than the help's width: " + l);
            if (l.isEmpty()) { section = ""; continue; }
            if (l.startsWith("Example")) { section = "examples"; continue; }
            if (l.startsWith("Methods:")) { section = "methods"; continue; }
            if (section.equals("examples")) {
                boolean continued = lines.get(i - 1).endsWith(" \\");
                assertTrue(continued ? l.startsWith("      ") : l.startsWith("  lrp ") || l.startsWith("  curl "),
                        command + ": example line broken or not a command: '" + l + "'");
            }
            if (section.equals("methods")) assertTrue(l.startsWith("  "), command + ": method table line without indent: '" + l + "'");
        }
        CommandLine.Model.CommandSpec spec = new CommandLine(new Main()).getSubcommands().get(command).getCommandSpec();
        for (CommandLine.Model.OptionSpec o : spec.options()) {
            assertTrue(r.out().contains(o.longestName()), command + " --help misses " + o.longestName());
            assertTrue(o.description().length > 0 && !o.description()[0].isBlank(), command + " " + o.longestName() + " has no description");
        }
    }

    /** The method table of explain and evaluate: every method with its cost, stated in forward passes. */
    @Test
    void methodTablesStateEachMethodsCost() {
        assertEquals("~2", Methods.cost(Method.GI));            // one forward, one backward of about a forward's FLOPs
        assertEquals("~1.8", Methods.cost(Method.LRP_AH_LN));   // the AH-rule's backward skips q and k
        assertEquals("~100", Methods.cost(Method.IG));          // 1 + 50 x (forward + backward)
        assertEquals("N + 2", Methods.cost(Method.OCCLUSION));  // the input, the empty baseline and one per token
        assertEquals("1", Methods.cost(Method.ROLLOUT));
        assertEquals("1 + N flows", Methods.cost(Method.ATTENTION_FLOW));
        for (String command : new String[] {"explain", "evaluate"}) {
            String out = CliRunner.run(command, "--help").out();
            assertTrue(out.contains("cost per text of N tokens, in forward passes"), out);
            for (Method m : Methods.ALL) {
                assertTrue(out.lines().anyMatch(l -> l.matches("  " + java.util.regex.Pattern.quote(m.id()) + " +"
                        + java.util.regex.Pattern.quote(Methods.cost(m)) + " +\\S.*")), command + ": no table line for " + m.id());
            }
        }
        String eval = CliRunner.run("evaluate", "--help").out();
        assertTrue(eval.contains("Default: the paper's 7:") && eval.contains("random,a-last,rollout,gae,gi,lrp-ah,lrp-ah-ln"), eval);
        assertTrue(eval.contains("the " + Methods.ALL.size() + " below"), eval);
        String train = CliRunner.run("train", "--help").out();
        assertTrue(train.contains("paper: the paper's attention-only model"), train);
        assertFalse(train.contains("%%"), train);
    }
}
