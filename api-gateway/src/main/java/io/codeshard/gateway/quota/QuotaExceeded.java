package io.codeshard.gateway.quota;

/** A context the quotas refuse (answered 429 with {@code Retry-After} by every face). */
public final class QuotaExceeded extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int retryAfterSeconds;

    public QuotaExceeded(String message, int retryAfterSeconds) {
        super(message, null, false, false);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
