package io.codeshard.gateway.cloudflare;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.codeshard.gateway.http.BadField;
import io.codeshard.node.context.ContextDefaults;
import io.codeshard.node.context.ContextSettings;
import io.codeshard.node.context.RunRequest;
import io.codeshard.protocol.Json;
import io.codeshard.protocol.Language;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.pekko.util.ByteString;

/**
 * The request bodies of the Cloudflare container API, with the field names its client sends (snake_case),
 * read straight into records; every mistake is a {@link BadField} naming the field.
 */
final class CloudflareRequests {
    /** Reads bodies without Jackson's lenient coercions: {@code "code": 5} is a mistake, not the code "5". */
    private static final ObjectMapper STRICT = strict(Json.mapper().copy());

    private CloudflareRequests() {}

    /** {@code POST /api/contexts}: the client always sends language and cwd (defaults python, /workspace). */
    record CreateContext(String language, String cwd, @JsonProperty("env_vars") Map<String, String> envVars) {

        /** The context's settings; a language no runtime serves is a 400, never silently python. */
        ContextSettings settings(ContextDefaults defaults) {
            Language parsed = language == null ? null : parseLanguage(language);
            try {
                ContextSettings.checkEnvVars(envVars);
            } catch (ContextSettings.InvalidEnvVarException e) {
                throw new BadField("env_vars", e.getMessage());
            }
            try {
                return defaults.settings(parsed, cwd, envVars, null, null);
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
    record ExecuteCode(@JsonProperty("context_id") String contextId, String code, String language,
                       @JsonProperty("timeout_ms") Long timeoutMs) {

        /** The language asked for, or null. */
        Language parsedLanguage() {
            return language == null ? null : parseLanguage(language);
        }

        RunRequest runRequest() {
            if (code == null) {
                throw new BadField("code", "'code' is required");
            }
            if (timeoutMs != null && timeoutMs <= 0) {
                throw new BadField("timeout_ms", "'timeout_ms' must be a positive number of milliseconds");
            }
            return new RunRequest(code, timeoutMs == null ? 0 : timeoutMs, null);
        }
    }

    /**
     * Reads a request body into {@code type} (a record of the body's fields; unknown fields are ignored).
     * An empty body or {@code null} is an empty object; anything that does not fit is a 400 naming the field.
     */
    static <T> T read(ByteString bytes, Class<T> type) {
        ObjectReader reader = STRICT.readerFor(type).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        try {
            T value = bytes.isEmpty() ? null : reader.readValue(bytes.toArray());
            return value != null ? value : reader.readValue("{}");
        } catch (JsonMappingException e) {
            String field = e.getPath().stream().map(reference -> reference.getFieldName() != null
                    ? reference.getFieldName() : String.valueOf(reference.getIndex())).collect(Collectors.joining("."));
            if (field.isEmpty()) {
                throw new BadField("body", "The body must be a JSON object");
            }
            Class<?> target = e instanceof MismatchedInputException mismatch ? mismatch.getTargetType() : null;
            throw new BadField(field, "'" + field + "' must be " + describe(target));
        } catch (JsonProcessingException e) {
            throw new BadField("body", "The body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Language parseLanguage(String name) {
        try {
            return Language.parse(name);
        } catch (Language.UnknownLanguageException e) {
            throw new BadField("language", e.getMessage());
        }
    }

    private static String describe(Class<?> target) {
        if (target == String.class) {
            return "a string";
        }
        if (target == Long.class || target == long.class) {
            return "an integer";
        }
        if (target != null && Map.class.isAssignableFrom(target)) {
            return "an object of strings";
        }
        return "of another type";
    }

    private static ObjectMapper strict(ObjectMapper mapper) {
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Integer)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        return mapper;
    }
}
