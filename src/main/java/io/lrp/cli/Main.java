package io.lrp.cli;

import io.lrp.LrpException;
import java.io.PrintWriter;
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

    @Override public void run() { new CommandLine(this).usage(System.out); }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with the given streams and returns the exit code (used by tests). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            boolean verbose = false;    // given before or after the subcommand name
            for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) verbose |= p.hasMatchedOption("--verbose");
            Throwable cause = ex;
            while (!(cause instanceof LrpException) && cause.getCause() != null && cause.getCause() != cause) cause = cause.getCause();
            if (cause instanceof LrpException) {
                err.println("lrp: error: " + cause.getMessage());
                if (verbose) ex.printStackTrace(err);
                err.flush();
                return USAGE;
            }
            err.println("lrp: internal error: " + ex);
            if (verbose) ex.printStackTrace(err);
            else err.println("(run with --verbose for the stack trace)");
            err.flush();
            return 1;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }
}
