package io.codeshard.client;

import io.codeshard.protocol.Language;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How to create a code context. Every setting is optional; the service's defaults apply to those left
 * out (Python, {@code /workspace}, no extra variables, 60 s execution timeout, one hour idle time to live).
 *
 * <pre>{@code
 * CreateContextOptions options = CreateContextOptions.builder()
 *         .language(Language.PYTHON)
 *         .envVars(Map.of("API_KEY", apiKey))
 *         .idleTtl(Duration.ofMinutes(10))
 *         .build();
 * }</pre>
 */
public final class CreateContextOptions {
    private final Language language;
    private final String cwd;
    private final Map<String, String> envVars;
    private final Duration timeout;
    private final Duration idleTtl;
    private final String restore;

    private CreateContextOptions(Builder builder) {
        language = builder.language;
        cwd = builder.cwd;
        envVars = builder.envVars;
        timeout = builder.timeout;
        idleTtl = builder.idleTtl;
        restore = builder.restore;
    }

    /** Starts options with every setting left to the service's default. */
    public static Builder builder() {
        return new Builder();
    }

    /** Options for a context of {@code language}, everything else left to the service's default. */
    public static CreateContextOptions forLanguage(Language language) {
        return builder().language(language).build();
    }

    /** The body of {@code POST /v1/contexts}. */
    Wire.CreateContextRequest request() {
        return new Wire.CreateContextRequest(
                Wire.languageName(language), cwd, envVars, Wire.millis(timeout), Wire.seconds(idleTtl), restore);
    }

    /** Collects the settings of {@link CreateContextOptions}. */
    public static final class Builder {
        private Language language;
        private String cwd;
        private Map<String, String> envVars;
        private Duration timeout;
        private Duration idleTtl;
        private String restore;

        private Builder() {}

        /** The language of the context's interpreter (default {@link Language#PYTHON}). */
        public Builder language(Language language) {
            this.language = Objects.requireNonNull(language, "language");
            return this;
        }

        /**
         * The working directory, a path inside the sandbox: {@code /workspace} (the default) is the
         * sandbox's workspace root, {@code /workspace/sub} a folder in it.
         */
        public Builder cwd(String cwd) {
            this.cwd = Objects.requireNonNull(cwd, "cwd");
            return this;
        }

        /** Environment variables of the context, on top of the node's minimal base environment. */
        public Builder envVars(Map<String, String> envVars) {
            this.envVars = Map.copyOf(envVars);
            return this;
        }

        /** The default execution timeout of code run in the context (default 60 s); sent in milliseconds. */
        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * How long the context may stay without executions before the service deletes it (default one
         * hour; {@link Duration#ZERO} keeps it until deleted); sent in whole seconds.
         */
        public Builder idleTtl(Duration idleTtl) {
            this.idleTtl = Objects.requireNonNull(idleTtl, "idleTtl");
            return this;
        }

        /**
         * What the context's state becomes when it gets a fresh interpreter after a failover, a service restart or an
         * idle cull: {@code "none"} (the default: empty) or {@code "replay"} (its successful cells since the last
         * restart run again, in order, before the next execution, which then begins with a {@code state_replayed} notice).
         */
        public Builder restore(String restore) {
            this.restore = Objects.requireNonNull(restore, "restore");
            return this;
        }

        /** The options collected so far. */
        public CreateContextOptions build() {
            return new CreateContextOptions(this);
        }
    }
}
