package io.codeshard.node.context;

import com.typesafe.config.Config;
import io.codeshard.protocol.Language;
import java.util.Map;

/**
 * The settings a context gets for what its creator left out (from {@code codeshard.interpreter} config).
 */
public record ContextDefaults(long timeoutMs, long idleTtlSeconds) {

    public static ContextDefaults fromConfig(Config config) {
        return new ContextDefaults(
                config.getDuration("codeshard.interpreter.default-timeout").toMillis(),
                config.getDuration("codeshard.interpreter.default-idle-ttl").toSeconds());
    }

    /**
     * Settings from a client's choices; nulls take the defaults. Validates cwd.
     *
     * @throws IllegalArgumentException for a cwd outside the sandbox or a negative number
     */
    public ContextSettings settings(Language language, String cwd, Map<String, String> envVars, Long timeoutMs, Long idleTtlSeconds) {
        if ((timeoutMs != null && timeoutMs <= 0) || (idleTtlSeconds != null && idleTtlSeconds < 0)) {
            throw new IllegalArgumentException("timeout must be positive and idleTtl zero or positive");
        }
        return new ContextSettings(language == null ? Language.PYTHON : language, Workspaces.validateCwd(cwd), envVars,
                timeoutMs == null ? this.timeoutMs : timeoutMs,
                idleTtlSeconds == null ? this.idleTtlSeconds : idleTtlSeconds, ContextSettings.RESTORE_NONE);
    }
}
