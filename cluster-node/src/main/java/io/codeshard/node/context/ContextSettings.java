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
 * @param restore      what happens to in-memory state when the context gets a fresh interpreter after a failover, a
 *                     service restart or an idle cull: {@code none} (the default: it starts empty) or {@code replay}
 *                     (its successful cells since the last restart run again, in order)
 */
public record ContextSettings(Language language, String cwd, Map<String, String> envVars, long timeoutMs, long idleTtlSeconds, String restore)
{
    public static final String DEFAULT_CWD = "/workspace";
    public static final String RESTORE_NONE = "none";
    public static final String RESTORE_REPLAY = "replay";

    public ContextSettings {
        checkEnvVars(envVars);
        envVars = envVars == null ? Map.of() : Map.copyOf(envVars);
        cwd = cwd == null ? DEFAULT_CWD : cwd;
        restore = restore == null ? RESTORE_NONE : restore;
        if (!restore.equals(RESTORE_NONE) && !restore.equals(RESTORE_REPLAY)) {
            throw new IllegalArgumentException("restore must be \"none\" or \"replay\", not \"" + restore + "\"");
        }
    }

    /** The same settings with another restore mode; null keeps this one. */
    public ContextSettings withRestore(String mode) {
        return mode == null ? this : new ContextSettings(language, cwd, envVars, timeoutMs, idleTtlSeconds, mode);
    }

    /**
     * The one rule for environment variables, of a context or of a single run: a name is non-empty and free of
     * '=' and NUL, a value is present and free of NUL (the OS could not pass anything else to a process).
     *
     * @throws InvalidEnvVarException naming the first variable that breaks the rule; null is no variables
     */
    public static void checkEnvVars(Map<String, String> envVars) {
        if (envVars == null) {
            return;
        }
        envVars.forEach((name, value) -> {
            if (name == null || name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0
                    || value == null || value.indexOf('\0') >= 0) {
                throw new InvalidEnvVarException(name);
            }
        });
    }

    /** An environment variable no process can be given; the faces word it for their own field names. */
    public static final class InvalidEnvVarException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final String name;

        public InvalidEnvVarException(String name) {
            super("Invalid environment variable: '" + name + "'");
            this.name = name;
        }

        public String name() {
            return name;
        }
    }
}
