package io.codeshard.node.context;

/** The sandbox has no context of that id (never created, deleted, or culled). */
public final class ContextNotFoundException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ContextNotFoundException(String contextId) {
        super("Context " + contextId + " not found");
    }
}
