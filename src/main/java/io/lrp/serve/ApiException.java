package io.lrp.serve;

/** A request the server refuses: an HTTP status and a message for the client (never a stack trace). */
final class ApiException extends RuntimeException {
    final int status;
    final Integer retryAfterSeconds;

    ApiException(int status, String message) { this(status, message, null); }

    ApiException(int status, String message, Integer retryAfterSeconds) {
        super(message, null, false, false); // no stack trace: it is never shown and costs time under load
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    static ApiException badRequest(String message) { return new ApiException(400, message); }
    static ApiException tooLarge(String message) { return new ApiException(413, message); }
}
