package io.codeshard.node.context;

/** The journal database does not answer, so nothing that must be written (a new context) can be accepted now. */
public final class JournalUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public JournalUnavailableException(String reason) {
        super("The journal is unavailable (" + reason + "); retry shortly");
    }
}
