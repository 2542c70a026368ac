package io.codeshard.gateway.cloudflare;

import io.codeshard.gateway.http.BadField;
import io.codeshard.gateway.http.JsonBody;
import io.codeshard.node.context.ContextDefaults;
import io.codeshard.node.context.ContextSettings;
import io.codeshard.node.context.RunRequest;
import io.codeshard.protocol.Language;
import java.util.Map;

/**
 * The request bodies of the Cloudflare container API, with the field names its client sends (snake_case), read by
 * {@link JsonBody} as the other faces read theirs: unknown fields are ignored, {@code null} is absent, and every
 * mistake is a {@link BadField} naming the field ({@code "code": 5} is a mistake, never the code "5").
 */
final class CloudflareRequests {
    private CloudflareRequests() {}

    /** {@code POST /api/contexts}: the client always sends language and cwd (defaults python, /workspace). */
    record CreateContext(Language language, String cwd, Map<String, String> envVars) {

        static CreateContext from(JsonBody body) {
            return new CreateContext(languageOf(body), body.string("cwd"), body.envVars("env_vars"));
        }

        /** The context's settings; a language no runtime serves is a 400, never silently python. */
        ContextSettings settings(ContextDefaults defaults) {
            try {
                return defaults.settings(language, cwd, envVars, null, null);
            } catch (IllegalArgumentException e) {
                throw new BadField("cwd", e.getMessage());
            }
        }
    }

    /**
     * {@code POST /api/execute/code}. {@code context_id} is what the client always sends; without it the sandbox's
     * default context of {@code language} runs the code (a convenience for other callers). {@code timeout_ms}
     * is sent by {@code runCodeStream(..., timeoutMs)}; the context's default applies otherwise.
     */
    record ExecuteCode(String contextId, String code, Language language, Long timeoutMs) {

        static ExecuteCode from(JsonBody body) {
            ExecuteCode request = new ExecuteCode(body.string("context_id"), body.requiredString("code"), languageOf(body),
                    body.integer("timeout_ms"));
            if (request.timeoutMs != null && request.timeoutMs <= 0) {
                throw new BadField("timeout_ms", "'timeout_ms' must be a positive number of milliseconds");
            }
            return request;
        }

        RunRequest runRequest() {
            return new RunRequest(code, timeoutMs == null ? 0 : timeoutMs, null);
        }
    }

    /** The {@code language} field, or null; one no runtime serves is a mistake in that field. */
    private static Language languageOf(JsonBody body) {
        try {
            return body.language("language");
        } catch (Language.UnknownLanguageException e) {
            throw new BadField("language", e.getMessage());
        }
    }
}
