package io.codeshard.node.interpreter;

/** No interpreter process could be started or reached (launcher gone, fork failed, bad cwd). */
public final class InterpreterUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InterpreterUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
