package io.codeshard.node.context;

import java.util.Map;

/**
 * One execution asked of a context.
 *
 * @param code      the source
 * @param timeoutMs wall-clock limit, 0 for the context's default
 * @param envVars   environment variables for this execution only
 */
public record RunRequest(String code, long timeoutMs, Map<String, String> envVars) {
    public RunRequest {
        ContextSettings.checkEnvVars(envVars);
        envVars = envVars == null ? Map.of() : Map.copyOf(envVars);
    }
}
