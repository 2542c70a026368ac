package io.codeshard.client;

/**
 * The service answered a request with an error: a status outside 2xx and the body
 * {@code {"error": {"code": …, "message": …}}} of the native API. Failures to reach the service at
 * all are {@link java.io.UncheckedIOException}s instead.
 */
public class CodeshardException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final String errorMessage;

    /**
     * Creates the exception for one error answer.
     *
     * @param status       the HTTP status
     * @param code         the body's {@code error.code}, such as {@code bad_request} or {@code unavailable}
     * @param errorMessage the body's {@code error.message}
     */
    public CodeshardException(int status, String code, String errorMessage) {
        super(status + " " + code + ": " + errorMessage);
        this.status = status;
        this.code = code;
        this.errorMessage = errorMessage;
    }

    /** The HTTP status, for example 400 or 503. */
    public int status() {
        return status;
    }

    /** The machine-readable error code, for example {@code unknown_language}. */
    public String code() {
        return code;
    }

    /** The service's human-readable explanation, without status and code. */
    public String errorMessage() {
        return errorMessage;
    }
}
