package io.codeshard.client;

import java.util.List;

/**
 * Why a cell failed, as the interpreter reported it.
 *
 * @param name      the exception's class, for example {@code ZeroDivisionError}
 * @param value     its message, for example {@code division by zero}
 * @param traceback the traceback lines of the user's code
 */
public record ExecutionError(String name, String value, List<String> traceback) {

    /** Copies {@code traceback} so that the record stays immutable. */
    public ExecutionError {
        traceback = List.copyOf(traceback);
    }
}
