package io.codeshard.client;

import io.codeshard.protocol.ExecutionEvent;
import io.codeshard.protocol.ResultBundle;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Follows the events of one execution: hands each to the matching callback of the {@link RunCodeOptions}
 * and gathers them into the {@link ExecutionResult} that {@code runCode} returns.
 */
final class ExecutionAccumulator implements Consumer<ExecutionEvent> {
    private final String code;
    private final RunCodeOptions options;
    private final List<String> stdout = new ArrayList<>();
    private final List<String> stderr = new ArrayList<>();
    private final List<ResultBundle> results = new ArrayList<>();
    private ExecutionError error;
    private int executionCount;

    ExecutionAccumulator(String code, RunCodeOptions options) {
        this.code = code;
        this.options = options;
    }

    @Override
    public void accept(ExecutionEvent event) {
        if (event instanceof ExecutionEvent.Started started) {
            executionCount = started.executionCount();
        } else if (event instanceof ExecutionEvent.Stdout out) {
            stdout.add(out.text());
            options.onStdout().accept(out.text());
        } else if (event instanceof ExecutionEvent.Stderr err) {
            stderr.add(err.text());
            options.onStderr().accept(err.text());
        } else if (event instanceof ExecutionEvent.Result result) {
            results.add(result.bundle());
            options.onResult().accept(result);
        } else if (event instanceof ExecutionEvent.Error failure) {
            error = new ExecutionError(failure.name(), failure.value(), failure.traceback());
            options.onError().accept(error);
        } else if (event instanceof ExecutionEvent.Notice notice) {
            options.onNotice().accept(notice);
        } else if (event instanceof ExecutionEvent.Completed completed) {
            executionCount = completed.executionCount();
        }
    }

    /** What the execution produced; complete once the {@link ExecutionEvent.Completed} event was accepted. */
    ExecutionResult result() {
        return new ExecutionResult(code, new ExecutionResult.Logs(stdout, stderr), results, error, executionCount);
    }
}
