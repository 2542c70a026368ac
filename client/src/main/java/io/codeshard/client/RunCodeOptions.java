package io.codeshard.client;

import io.codeshard.protocol.ExecutionEvent;
import io.codeshard.protocol.Language;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Where and how to run code, and the callbacks that see its output as it happens. Every setting is
 * optional: without a {@link Builder#context context} the code runs in the sandbox's default context
 * of {@link Builder#language language} (Python unless set), created on first use.
 *
 * <p>The callbacks run on the thread that called {@link Sandbox#runCode(String, RunCodeOptions) runCode},
 * one event at a time, in the order the interpreter produced them; the next event is read only after a
 * callback returns. An exception thrown by a callback ends the run: the connection is closed, which
 * interrupts the cell, and the exception propagates out of {@code runCode}.
 *
 * <pre>{@code
 * RunCodeOptions options = RunCodeOptions.builder()
 *         .context(ctx)
 *         .timeout(Duration.ofSeconds(10))
 *         .onStdout(System.out::print)
 *         .onStderr(System.err::print)
 *         .onError(error -> System.err.println(error.name() + ": " + error.value()))
 *         .build();
 * }</pre>
 */
public final class RunCodeOptions {
    private final String contextId;
    private final Language language;
    private final Duration timeout;
    private final Map<String, String> envVars;
    private final Consumer<String> onStdout;
    private final Consumer<String> onStderr;
    private final Consumer<ExecutionEvent.Result> onResult;
    private final Consumer<ExecutionError> onError;
    private final Consumer<ExecutionEvent.Notice> onNotice;

    private RunCodeOptions(Builder builder) {
        contextId = builder.contextId;
        language = builder.language;
        timeout = builder.timeout;
        envVars = builder.envVars;
        onStdout = builder.onStdout;
        onStderr = builder.onStderr;
        onResult = builder.onResult;
        onError = builder.onError;
        onNotice = builder.onNotice;
    }

    /** Starts options with no context, the default language, the context's timeout and no callbacks. */
    public static Builder builder() {
        return new Builder();
    }

    /** Options that run code in {@code context}, with no callbacks. */
    public static RunCodeOptions inContext(CodeContext context) {
        return builder().context(context).build();
    }

    /** Options that run code in the sandbox's default context of {@code language}, with no callbacks. */
    public static RunCodeOptions inLanguage(Language language) {
        return builder().language(language).build();
    }

    /** The body of {@code POST /v1/execute} for {@code code}. */
    Wire.ExecuteRequest request(String code) {
        return new Wire.ExecuteRequest(code, contextId, Wire.languageName(language), Wire.millis(timeout), envVars);
    }

    Consumer<String> onStdout() {
        return onStdout;
    }

    Consumer<String> onStderr() {
        return onStderr;
    }

    Consumer<ExecutionEvent.Result> onResult() {
        return onResult;
    }

    Consumer<ExecutionError> onError() {
        return onError;
    }

    Consumer<ExecutionEvent.Notice> onNotice() {
        return onNotice;
    }

    /** Collects the settings of {@link RunCodeOptions}. */
    public static final class Builder {
        private String contextId;
        private Language language;
        private Duration timeout;
        private Map<String, String> envVars;
        private Consumer<String> onStdout = text -> {};
        private Consumer<String> onStderr = text -> {};
        private Consumer<ExecutionEvent.Result> onResult = result -> {};
        private Consumer<ExecutionError> onError = error -> {};
        private Consumer<ExecutionEvent.Notice> onNotice = notice -> {};

        private Builder() {}

        /** Runs the code in {@code context}, keeping the state earlier runs left there. */
        public Builder context(CodeContext context) {
            this.contextId = context.id();
            return this;
        }

        /**
         * Runs the code in the sandbox's default context of {@code language}; together with
         * {@link #context context} it must be that context's language.
         */
        public Builder language(Language language) {
            this.language = Objects.requireNonNull(language, "language");
            return this;
        }

        /** The execution timeout of this run, instead of the context's default; sent in milliseconds. */
        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** Environment variables for this run only, on top of the context's. */
        public Builder envVars(Map<String, String> envVars) {
            this.envVars = Map.copyOf(envVars);
            return this;
        }

        /** Called with each chunk of text the code writes to standard output, as it is written. */
        public Builder onStdout(Consumer<String> onStdout) {
            this.onStdout = Objects.requireNonNull(onStdout, "onStdout");
            return this;
        }

        /** Called with each chunk of text the code writes to standard error, as it is written. */
        public Builder onStderr(Consumer<String> onStderr) {
            this.onStderr = Objects.requireNonNull(onStderr, "onStderr");
            return this;
        }

        /**
         * Called with each rich result as it is produced: a chart shown with {@code plt.show()}, a
         * displayed table, and last the value of the cell's last expression, which has
         * {@link ExecutionEvent.Result#isMainResult() isMainResult} set.
         */
        public Builder onResult(Consumer<ExecutionEvent.Result> onResult) {
            this.onResult = Objects.requireNonNull(onResult, "onResult");
            return this;
        }

        /** Called when the cell fails, with the same error {@link ExecutionResult#error()} then holds. */
        public Builder onError(Consumer<ExecutionError> onError) {
            this.onError = Objects.requireNonNull(onError, "onError");
            return this;
        }

        /**
         * Called when the service tells something about the context rather than the code, notably
         * {@code state_reset}: the interpreter was restarted (after a crash or a move to another node)
         * and variables defined by earlier runs are gone.
         */
        public Builder onNotice(Consumer<ExecutionEvent.Notice> onNotice) {
            this.onNotice = Objects.requireNonNull(onNotice, "onNotice");
            return this;
        }

        /** The options collected so far. */
        public RunCodeOptions build() {
            return new RunCodeOptions(this);
        }
    }
}
