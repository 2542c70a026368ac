package io.codeshard.gateway.cloudflare;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.codeshard.node.context.ContextDefaults;
import io.codeshard.node.context.ContextSettings;
import io.codeshard.node.context.RunRequest;
import io.codeshard.protocol.Language;
import java.util.Map;

/** The request bodies of the Cloudflare container API, with the field names its client sends (snake_case). */
final class CloudflareRequests {
    private CloudflareRequests() {}

    /** {@code POST /api/contexts}: the client always sends language and cwd (defaults python, /workspace). */
    record CreateContext(String language, String cwd, @JsonProperty("env_vars") Map<String, String> envVars) {

        /** The context's settings; a language no runtime serves is a 400, never silently python. */
        ContextSettings settings(ContextDefaults defaults) {
            Language parsed = language == null ? null : parseLanguage(language);
            if (envVars != null) {
                envVars.forEach((name, value) -> {
                    if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0 || value == null || value.indexOf('\0') >= 0) {
                        throw new CloudflareErrors.InvalidField("env_vars", "Invalid environment variable: '" + name + "'");
                    }
                });
            }
            try {
                return defaults.settings(parsed, cwd, envVars, null, null);
            } catch (IllegalArgumentException e) {
                throw new CloudflareErrors.InvalidField("cwd", e.getMessage());
            }
        }
    }

    /**
     * {@code POST /api/execute/code}. {@code context_id} is what the client always sends; without it the sandbox's
     * default context of {@code language} runs the code (a convenience for other callers). {@code timeout_ms}
     * is sent by {@code runCodeStream(..., timeoutMs)}; the context's default applies otherwise.
     */
    record ExecuteCode(@JsonProperty("context_id") String contextId, String code, String language,
                       @JsonProperty("timeout_ms") Long timeoutMs) {

        /** The language asked for, or null. */
        Language parsedLanguage() {
            return language == null ? null : parseLanguage(language);
        }

        RunRequest runRequest() {
            if (code == null) {
                throw new CloudflareErrors.InvalidField("code", "'code' is required");
            }
            if (timeoutMs != null && timeoutMs <= 0) {
                throw new CloudflareErrors.InvalidField("timeout_ms", "'timeout_ms' must be a positive number of milliseconds");
            }
            return new RunRequest(code, timeoutMs == null ? 0 : timeoutMs, null);
        }
    }

    private static Language parseLanguage(String name) {
        try {
            return Language.parse(name);
        } catch (Language.UnknownLanguageException e) {
            throw new CloudflareErrors.InvalidField("language", e.getMessage());
        }
    }
}
