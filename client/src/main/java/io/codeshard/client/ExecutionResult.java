package io.codeshard.client;

import io.codeshard.protocol.ResultBundle;
import java.util.List;

/**
 * Everything one {@link Sandbox#runCode(String, RunCodeOptions) runCode} produced, gathered after the
 * run: the same output the streaming callbacks saw, in the order it arrived.
 *
 * @param code           the code that ran
 * @param logs           what the code wrote to standard output and standard error
 * @param results        the rich results in order, the value of the cell's last expression included
 * @param error          why the cell failed, or {@code null} when it succeeded
 * @param executionCount the number of this execution within its context
 */
public record ExecutionResult(
        String code,
        Logs logs,
        List<ResultBundle> results,
        ExecutionError error,
        int executionCount) {

    /** Copies {@code results} so that the record stays immutable. */
    public ExecutionResult {
        results = List.copyOf(results);
    }

    /**
     * The text the code wrote, one entry per chunk as the interpreter flushed it, line ends kept
     * ({@code print("Sum: 15")} gives {@code "Sum: 15\n"}).
     *
     * @param stdout the chunks written to standard output
     * @param stderr the chunks written to standard error
     */
    public record Logs(List<String> stdout, List<String> stderr) {

        /** Copies both lists so that the record stays immutable. */
        public Logs {
            stdout = List.copyOf(stdout);
            stderr = List.copyOf(stderr);
        }
    }
}
