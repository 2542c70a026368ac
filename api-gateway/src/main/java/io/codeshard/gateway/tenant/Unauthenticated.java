package io.codeshard.gateway.tenant;

/** A request without a valid API key (answered 401 by every face). */
public final class Unauthenticated extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Unauthenticated(String message) {
        super(message, null, false, false);
    }
}
