package io.codeshard.node.context;

/** The worker that would host a new context holds its limit of contexts ({@link WorkerCapacity}). */
public final class WorkerFullException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** Seconds a client should wait before trying again. */
    public static final int RETRY_AFTER_SECONDS = 30;

    public WorkerFullException(String message) {
        super(message, null, false, false);
    }
}
