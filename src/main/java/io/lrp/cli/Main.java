package io.lrp.cli;

import io.lrp.LrpException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code lrp} command line: explain, evaluate, info, train, bench, serve. */
@Command(name = "lrp", mixinStandardHelpOptions = true, version = "lrp-transformers 0.1.0",
        description = "Faithful explanations of Transformer predictions: LRP with the AH- and LN-rules (Ali et al., ICML 2022) and its baselines.",
        subcommands = {ExplainCommand.class, SimilarCommand.class, EvaluateCommand.class, InfoCommand.class, TrainCommand.class,
                BenchCommand.class, io.lrp.serve.ServeCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    /** Exit code for bad input: unknown method, missing file, malformed model, ... */
    public static final int USAGE = 2;

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT, description = "Print stack traces of errors.")
    boolean verbose;

    static {
        // the method list and help lines of the subcommands' usage come from the registry (picocli interpolates ${sys:...})
        System.setProperty("lrp.methods", String.join(", ", io.lrp.explain.Method.ids()));
        System.setProperty("lrp.methods.count", String.valueOf(io.lrp.explain.Method.ids().size()));
        System.setProperty("lrp.methods.help", io.lrp.explain.Methods.help().stripTrailing().replace("%", "%%"));
    }

    @Option(names = "--allow-unused-weights", scope = CommandLine.ScopeType.INHERIT,
            description = "Load a model whose config uses fewer encoder layers than its checkpoint holds (the rest is ignored).")
    boolean allowUnusedWeights;

    @Override public void run() { new CommandLine(this).usage(System.out); }

    public static void main(String[] args) {
        // UTF-8 whatever the locale, and every write error on stdout an error (PrintStream hides them)
        java.io.OutputStream stdout = "1".equals(System.getenv("LRP_STDOUT_CLOSED"))
                ? new ClosedStream() : new java.io.FileOutputStream(java.io.FileDescriptor.out);
        java.io.OutputStream checked = new io.lrp.io.CheckedOutputStream(stdout, "standard output");
        PrintStream errStream = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true, StandardCharsets.UTF_8);
        System.setOut(new PrintStream(checked, true, StandardCharsets.UTF_8));
        System.setErr(errStream);
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(checked, StandardCharsets.UTF_8), true);
        int code;
        try {
            code = run(args, out, new PrintWriter(errStream, true));
        } catch (LrpException e) {    // a failed flush of stdout after the command ended
            errStream.println("lrp: error: " + e.getMessage());
            code = USAGE;
        }
        System.exit(code);
    }

    /** Standard output when the launcher found it closed: the first write fails with a clear message. */
    private static final class ClosedStream extends java.io.OutputStream {
        @Override public void write(int b) throws java.io.IOException { write(new byte[] {(byte) b}, 0, 1); }
        @Override public void write(byte[] b, int off, int len) throws java.io.IOException {
            if (len > 0) throw new java.io.IOException("it is closed (use --out FILE, or do not close stdout)");
        }
    }

    /**
     * The one mapping of a command's exception to its message and exit code, for this CLI and the
     * Spark one: the library's own error (or one that {@code badInput} recognises as caused by the
     * input) is one "lrp: error:" line and code 2, running out of heap says how to get more, and
     * anything else is an internal error (code 1) with the stack trace under --verbose.
     */
    public static CommandLine.IExecutionExceptionHandler exceptionHandler(
            PrintWriter err, java.util.function.Function<Throwable, String> badInput) {
        return (ex, cmd, parsed) -> {
            boolean verbose = false;    // given before or after the subcommand name
            for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) verbose |= p.hasMatchedOption("--verbose");
            String bad = null;
            boolean oom = false;
            for (Throwable t = ex; t != null && bad == null; t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof LrpException) bad = t.getMessage();
                else bad = badInput.apply(t);
                oom |= t instanceof OutOfMemoryError;
            }
            if (bad == null && oom) {
                bad = "out of memory (Java heap " + Runtime.getRuntime().maxMemory() / (1 << 20)
                        + " MB): use a smaller --batch or more heap (LRP_JAVA_OPTS=-Xmx8g)";
            }
            if (bad != null) {
                err.println("lrp: error: " + bad);
                if (verbose) ex.printStackTrace(err);
                err.flush();
                return USAGE;
            }
            Throwable shown = ex instanceof CommandLine.ExecutionException && ex.getCause() != null ? ex.getCause() : ex;
            err.println("lrp: internal error: " + shown);
            if (verbose) ex.printStackTrace(err);
            else err.println("(run with --verbose for the stack trace)");
            err.flush();
            return 1;
        };
    }

    /** Runs the CLI with the given streams and returns the exit code (used by tests). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler(exceptionHandler(err, t -> null));
        cl.setExecutionStrategy(parsed -> {
            boolean allow = false;
            for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) allow |= p.hasMatchedOption("--allow-unused-weights");
            io.lrp.models.ModelChecks.allowUnusedWeights(allow);
            try {
                return new CommandLine.RunLast().execute(parsed);
            } catch (Error e) { // picocli hands only Exceptions to the handler: wrap it (out of memory says what to do)
                throw new CommandLine.ExecutionException(cl, String.valueOf(e), e);
            } finally {
                io.lrp.models.ModelChecks.allowUnusedWeights(false);
            }
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        if (out.checkError()) {   // a writer that swallowed a write error (tests pass plain PrintWriters)
            err.println("lrp: error: cannot write standard output");
            err.flush();
            return USAGE;
        }
        return code;
    }
}
