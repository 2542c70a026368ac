package io.codeshard.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;
import java.util.List;

/**
 * The canonical events of one execution, in the order an interpreter produces them: {@link Started}
 * first, then any number of {@link Stdout}, {@link Stderr}, {@link Result}, {@link Notice}, at most one
 * {@link Error}, and always {@link Completed} last. Every HTTP face is an adapter over this model.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ExecutionEvent.Started.class, name = "started"),
    @JsonSubTypes.Type(value = ExecutionEvent.Stdout.class, name = "stdout"),
    @JsonSubTypes.Type(value = ExecutionEvent.Stderr.class, name = "stderr"),
    @JsonSubTypes.Type(value = ExecutionEvent.Result.class, name = "result"),
    @JsonSubTypes.Type(value = ExecutionEvent.Error.class, name = "error"),
    @JsonSubTypes.Type(value = ExecutionEvent.Notice.class, name = "notice"),
    @JsonSubTypes.Type(value = ExecutionEvent.Completed.class, name = "completed")
})
public sealed interface ExecutionEvent extends ClusterMessage {

    /** The execution was taken off the context's queue; {@code executionCount} numbers it within the context. */
    record Started(int executionCount) implements ExecutionEvent {}

    /** Bytes the code wrote to standard output (any process of the context), decoded as UTF-8. */
    record Stdout(String text, Instant timestamp) implements ExecutionEvent {}

    /** Bytes the code wrote to standard error, decoded as UTF-8. */
    record Stderr(String text, Instant timestamp) implements ExecutionEvent {}

    /** A rich result; {@code isMainResult} marks the value of the cell's last expression. */
    record Result(ResultBundle bundle, boolean isMainResult) implements ExecutionEvent {}

    /** The cell failed: exception class {@code name}, message {@code value}, traceback lines of user code. */
    record Error(String name, String value, List<String> traceback) implements ExecutionEvent {
        public Error {
            traceback = List.copyOf(traceback);
        }
    }

    /**
     * Something the service tells the client about the context rather than about the code, such as
     * {@code state_reset} when the interpreter was restarted and in-memory variables are gone.
     */
    record Notice(String code, String message) implements ExecutionEvent {}

    /** The execution is over; nothing follows. */
    record Completed(int executionCount, long durationMs) implements ExecutionEvent {}

    /** True for the event that ends an execution. */
    @JsonIgnore
    default boolean isTerminal() {
        return this instanceof Completed;
    }
}
