package io.codeshard.node.interpreter;

import java.time.Duration;
import java.util.Map;

/**
 * One cell to run.
 *
 * @param code    the source
 * @param timeout wall-clock limit, or null for the node's default
 * @param env     environment variables for this execution only; the next one sees the context's own again
 */
public record ExecutionRequest(String code, Duration timeout, Map<String, String> env) {

    public ExecutionRequest {
        if (code == null) {
            throw new IllegalArgumentException("code is required");
        }
        env = env == null ? Map.of() : Map.copyOf(env);
    }

    public static ExecutionRequest of(String code) {
        return new ExecutionRequest(code, null, Map.of());
    }

    public ExecutionRequest withTimeout(Duration newTimeout) {
        return new ExecutionRequest(code, newTimeout, env);
    }
}
