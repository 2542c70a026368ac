package io.codeshard.client;

import io.codeshard.protocol.Language;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * A persistent interpreter of one sandbox: variables, imports and functions defined by one
 * {@link Sandbox#runCode(String, RunCodeOptions) runCode} stay visible to the next one run in it.
 *
 * @param id             the context id, unique within its sandbox
 * @param language       the language its interpreter runs
 * @param cwd            its working directory, a path inside the sandbox such as {@code /workspace}
 * @param envVars        the environment variables it was created with
 * @param createdAt      when it was created
 * @param lastUsed       when code last ran in it (its creation time before that)
 * @param executionCount how many executions ran in it
 * @param idleTtl        how long it may stay unused before the service deletes it; {@link Duration#ZERO} means never
 */
public record CodeContext(
        String id,
        Language language,
        String cwd,
        Map<String, String> envVars,
        Instant createdAt,
        Instant lastUsed,
        int executionCount,
        Duration idleTtl) {

    /** Copies {@code envVars} so that the record stays immutable. */
    public CodeContext {
        envVars = Map.copyOf(envVars);
    }
}
