package io.codeshard.gateway.quota;

/** A cell whose code is over the gateway's limit (answered 413 by every face). */
public final class CodeTooLarge extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CodeTooLarge(long bytes, long limit) {
        super("The code is " + bytes + " bytes (UTF-8), more than the limit of " + limit + " bytes", null, false, false);
    }
}
