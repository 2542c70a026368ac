package io.codeshard.node.context;

import io.codeshard.protocol.Language;
import java.util.Map;

/**
 * What a client chooses when it creates a context.
 *
 * @param language     interpreter language
 * @param cwd          working directory inside the sandbox ({@code /workspace} is the sandbox's workspace root)
 * @param envVars      environment variables of the context
 * @param timeoutMs    default execution timeout
 * @param idleTtlSeconds seconds without use before the context is deleted; 0 = never
 * @param restore      what happens to in-memory state when the context moves node: {@code none} (fresh interpreter)
 */
public record ContextSettings(Language language, String cwd, Map<String, String> envVars, long timeoutMs, long idleTtlSeconds, String restore)
{
    public static final String DEFAULT_CWD = "/workspace";

    public ContextSettings {
        envVars = envVars == null ? Map.of() : Map.copyOf(envVars);
        cwd = cwd == null ? DEFAULT_CWD : cwd;
        restore = restore == null ? "none" : restore;
    }
}
