package io.codeshard.client;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.codeshard.protocol.Language;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The JSON bodies of the native {@code /v1} API (docs/api.md) that are not protocol types, and the unit
 * conversions the API asks for. Settings left {@code null} are left out, so that the service's defaults apply.
 */
final class Wire {
    private Wire() {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record CreateContextRequest(
            String language, String cwd, Map<String, String> envVars, Long timeout, Long idleTtl, String restore) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ExecuteRequest(
            String code, String contextId, String language, Long timeout, Map<String, String> envVars) {}

    /** A context as the service describes it; {@code idleTtl} in seconds. */
    record Context(
            String id,
            String language,
            String cwd,
            Map<String, String> envVars,
            Instant createdAt,
            Instant lastUsed,
            int executionCount,
            long idleTtl) {

        CodeContext toCodeContext() {
            return new CodeContext(id, Language.parse(language), cwd, envVars, createdAt, lastUsed,
                    executionCount, Duration.ofSeconds(idleTtl));
        }
    }

    record ContextList(List<Context> contexts) {}

    record ErrorBody(Detail error) {
        record Detail(String code, String message) {}
    }

    static String languageName(Language language) {
        return language == null ? null : language.wireName();
    }

    static Long millis(Duration duration) {
        return duration == null ? null : duration.toMillis();
    }

    static Long seconds(Duration duration) {
        return duration == null ? null : duration.toSeconds();
    }
}
