package io.codeshard.gateway.v1;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.codeshard.protocol.Json;
import io.codeshard.protocol.Language;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.pekko.util.ByteString;

/**
 * A request's JSON object and its typed fields. Unknown fields are ignored, {@code null} counts as absent,
 * and anything else that does not fit is the client's mistake: an {@link IllegalArgumentException}
 * (400 bad_request), or {@link Language.UnknownLanguageException} (400 unknown_language).
 */
final class JsonBody {
    private static final ObjectReader READER = Json.mapper().reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final JsonNode object;

    private JsonBody(JsonNode object) {
        this.object = object;
    }

    /** Parses a body; an empty body is an empty object. */
    static JsonBody parse(ByteString bytes) {
        if (bytes.isEmpty()) {
            return new JsonBody(JsonNodeFactory.instance.objectNode());
        }
        JsonNode node;
        try {
            node = READER.readTree(bytes.toArray());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("The body is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (node == null || node.isMissingNode()) {
            return new JsonBody(JsonNodeFactory.instance.objectNode());
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("The body must be a JSON object");
        }
        return new JsonBody(node);
    }

    /** A string field, or null. */
    String string(String field) {
        JsonNode value = value(field);
        if (value == null) {
            return null;
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException("'" + field + "' must be a string");
        }
        return value.textValue();
    }

    /** A required string field. */
    String requiredString(String field) {
        String value = string(field);
        if (value == null) {
            throw new IllegalArgumentException("'" + field + "' is required");
        }
        return value;
    }

    /** An integer field (a JSON number without fraction), or null. */
    Long integer(String field) {
        JsonNode value = value(field);
        if (value == null) {
            return null;
        }
        if (!value.isNumber() || !value.canConvertToExactIntegral() || !value.canConvertToLong()) {
            throw new IllegalArgumentException("'" + field + "' must be an integer");
        }
        return value.longValue();
    }

    /** A language name or alias, or null. */
    Language language(String field) {
        String name = string(field);
        return name == null ? null : Language.parse(name);
    }

    /** An object of string values, or null. */
    private Map<String, String> stringMap(String field) {
        JsonNode value = value(field);
        if (value == null) {
            return null;
        }
        if (!value.isObject()) {
            throw new IllegalArgumentException("'" + field + "' must be an object of strings");
        }
        Map<String, String> map = new LinkedHashMap<>();
        value.properties().forEach(entry -> {
            if (!entry.getValue().isTextual()) {
                throw new IllegalArgumentException("'" + field + "." + entry.getKey() + "' must be a string");
            }
            map.put(entry.getKey(), entry.getValue().textValue());
        });
        return map;
    }

    /** Environment variables: an object of strings whose names are non-empty and free of '=' and NUL. */
    Map<String, String> envVars(String field) {
        Map<String, String> env = stringMap(field);
        if (env != null) {
            env.forEach((name, value) -> {
                if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0 || value.indexOf('\0') >= 0) {
                    throw new IllegalArgumentException("'" + field + "' holds an invalid environment variable: '" + name + "'");
                }
            });
        }
        return env;
    }

    private JsonNode value(String field) {
        JsonNode value = object.get(field);
        return value == null || value.isNull() ? null : value;
    }
}
