package io.codeshard.node.interpreter;

import io.codeshard.protocol.ExecutionEvent;
import io.codeshard.protocol.ResultBundle;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** The events of one executed cell, with the views tests assert on. */
record Cell(List<ExecutionEvent> events) {

    static Cell run(Interpreter interpreter, String code) {
        return run(interpreter, ExecutionRequest.of(code));
    }

    static Cell run(Interpreter interpreter, String code, Duration timeout) {
        return run(interpreter, ExecutionRequest.of(code).withTimeout(timeout));
    }

    static Cell run(Interpreter interpreter, String code, Map<String, String> env) {
        return run(interpreter, new ExecutionRequest(code, null, env));
    }

    static Cell run(Interpreter interpreter, ExecutionRequest request) {
        List<ExecutionEvent> events = new CopyOnWriteArrayList<>();
        try {
            interpreter.execute(request, events::add).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("cell did not complete: " + request.code() + "\nevents so far: " + events, e);
        }
        return new Cell(List.copyOf(events));
    }

    List<String> stdoutChunks() {
        return events.stream().filter(e -> e instanceof ExecutionEvent.Stdout)
                .map(e -> ((ExecutionEvent.Stdout) e).text()).collect(Collectors.toList());
    }

    String stdout() {
        return String.join("", stdoutChunks());
    }

    String stderr() {
        return events.stream().filter(e -> e instanceof ExecutionEvent.Stderr)
                .map(e -> ((ExecutionEvent.Stderr) e).text()).collect(Collectors.joining());
    }

    List<ExecutionEvent.Result> results() {
        return events.stream().filter(e -> e instanceof ExecutionEvent.Result)
                .map(e -> (ExecutionEvent.Result) e).collect(Collectors.toList());
    }

    /** The value of the last expression, or null. */
    ResultBundle main() {
        return results().stream().filter(ExecutionEvent.Result::isMainResult)
                .map(ExecutionEvent.Result::bundle).findFirst().orElse(null);
    }

    /** Display results (figures, display()), in order. */
    List<ResultBundle> displayed() {
        return results().stream().filter(r -> !r.isMainResult()).map(ExecutionEvent.Result::bundle).collect(Collectors.toList());
    }

    ExecutionEvent.Error error() {
        return events.stream().filter(e -> e instanceof ExecutionEvent.Error)
                .map(e -> (ExecutionEvent.Error) e).findFirst().orElse(null);
    }

    List<ExecutionEvent.Notice> notices() {
        return events.stream().filter(e -> e instanceof ExecutionEvent.Notice)
                .map(e -> (ExecutionEvent.Notice) e).collect(Collectors.toList());
    }

    ExecutionEvent.Started started() {
        return (ExecutionEvent.Started) events.get(0);
    }

    ExecutionEvent.Completed completed() {
        return (ExecutionEvent.Completed) events.get(events.size() - 1);
    }

    /** Fails with the whole event list when the cell raised an error. */
    Cell ok() {
        if (error() != null) {
            throw new AssertionError("unexpected error " + error() + " in " + events);
        }
        return this;
    }
}
