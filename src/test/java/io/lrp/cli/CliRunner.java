package io.lrp.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the CLI entry point in-process and captures its streams. */
public final class CliRunner {
    public record Result(int code, String out, String err) {}

    private CliRunner() {}

    public static Result run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }
}
