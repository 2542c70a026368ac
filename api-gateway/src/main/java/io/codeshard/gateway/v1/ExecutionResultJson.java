package io.codeshard.gateway.v1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.codeshard.protocol.ExecutionEvent;
import io.codeshard.protocol.ResultBundle;
import java.util.ArrayList;
import java.util.List;

/**
 * The aggregated answer of {@code POST /v1/execute} (docs/api.md, "ExecutionResult"): {@code error} only
 * when the cell failed; {@code notices} only when the service had something to say about the context
 * (such as a reset of its in-memory state), which must never go unsaid.
 */
record ExecutionResultJson(
        String code,
        Logs logs,
        List<ResultBundle> results,
        @JsonInclude(JsonInclude.Include.NON_NULL) Error error,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Notice> notices,
        int executionCount) {

    /** What the code wrote, one entry per chunk as it arrived. */
    record Logs(List<String> stdout, List<String> stderr) {}

    record Error(String name, String value, List<String> traceback) {}

    record Notice(String code, String message) {}

    /** Gathers the events of one execution, in order, into its result. */
    static final class Collector {
        private final String code;
        private final List<String> stdout = new ArrayList<>();
        private final List<String> stderr = new ArrayList<>();
        private final List<ResultBundle> results = new ArrayList<>();
        private final List<Notice> notices = new ArrayList<>();
        private Error error;
        private int executionCount;

        Collector(String code) {
            this.code = code;
        }

        Collector add(ExecutionEvent event) {
            if (event instanceof ExecutionEvent.Started started) {
                executionCount = started.executionCount();
            } else if (event instanceof ExecutionEvent.Stdout out) {
                stdout.add(out.text());
            } else if (event instanceof ExecutionEvent.Stderr err) {
                stderr.add(err.text());
            } else if (event instanceof ExecutionEvent.Result result) {
                results.add(result.bundle());
            } else if (event instanceof ExecutionEvent.Error failure) {
                error = new Error(failure.name(), failure.value(), failure.traceback());
            } else if (event instanceof ExecutionEvent.Notice notice) {
                notices.add(new Notice(notice.code(), notice.message()));
            } else if (event instanceof ExecutionEvent.Completed completed) {
                executionCount = completed.executionCount();
            }
            return this;
        }

        ExecutionResultJson result() {
            return new ExecutionResultJson(code, new Logs(stdout, stderr), results, error, notices, executionCount);
        }
    }
}
