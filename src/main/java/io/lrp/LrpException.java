package io.lrp;

/**
 * An error caused by the user's input (a file, a model, a text, an option), with a message that
 * names the problem and, where there is one, the file. The CLI prints the message on one line
 * and exits with code 2; no stack trace unless --verbose.
 */
public class LrpException extends RuntimeException {
    public LrpException(String message) { super(message); }
    public LrpException(String message, Throwable cause) { super(message, cause); }
}
