package io.codeshard.gateway.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.codeshard.node.context.ContextSettings;
import io.codeshard.protocol.Json;
import io.codeshard.protocol.Language;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.pekko.util.ByteString;

/**
 * A request's JSON object and its typed fields, as every face reads them. Unknown fields are
 * ignored and {@code null} counts as absent; anything else that does not fit is the client's mistake: a
 * {@link BadField} naming the field (the whole body is {@code body}), or {@link Language.UnknownLanguageException}
 * for a language no runtime serves. Both are {@link IllegalArgumentException}s, answered 400 by every face.
 */
public final class JsonBody {
    private static final ObjectReader READER = Json.mapper().reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final JsonNode object;
    /** E2B's reading: an empty string is an absent field (a required one excepted). */
    private final boolean emptyStringIsAbsent;

    private JsonBody(JsonNode object, boolean emptyStringIsAbsent) {
        this.object = object;
        this.emptyStringIsAbsent = emptyStringIsAbsent;
    }

    /** Parses a body; an empty body is an empty object, a {@code null} body a mistake. */
    public static JsonBody parse(ByteString bytes) {
        return parse(bytes, false);
    }

    /**
     * Parses a body loosely, as E2B's server does: an empty or {@code null} body is an empty object, and
     * {@link #string} takes an empty string for absent.
     */
    public static JsonBody parseLoosely(ByteString bytes) {
        return parse(bytes, true);
    }

    private static JsonBody parse(ByteString bytes, boolean loosely) {
        if (bytes.isEmpty()) {
            return new JsonBody(JsonNodeFactory.instance.objectNode(), loosely);
        }
        requireUtf8(bytes);
        JsonNode node;
        try {
            node = READER.readTree(bytes.toArray());
        } catch (JsonProcessingException e) {
            throw new BadField("body", "The body is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (node == null || node.isMissingNode() || (loosely && node.isNull())) {
            return new JsonBody(JsonNodeFactory.instance.objectNode(), loosely);
        }
        if (!node.isObject()) {
            throw new BadField("body", "The body must be a JSON object");
        }
        return new JsonBody(node, loosely);
    }

    /**
     * Refuses a body that is not well-formed UTF-8 (RFC 8259 8.1). Jackson's parser decodes overlong forms and
     * encoded surrogates without a word, so {@code C0 AF} would reach a field as {@code /}.
     */
    private static void requireUtf8(ByteString bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes.asByteBuffer());
        } catch (CharacterCodingException e) {
            throw new BadField("body", "The body is not valid UTF-8");
        }
    }

    /** A string field, or null (also for an empty string when read loosely). */
    public String string(String field) {
        JsonNode value = value(field);
        if (value == null) {
            return null;
        }
        String text = text(field, value);
        return emptyStringIsAbsent && text.isEmpty() ? null : text;
    }

    /** A required string field; an empty string counts as given. */
    public String requiredString(String field) {
        JsonNode value = value(field);
        if (value == null) {
            throw new BadField(field, "'" + field + "' is required");
        }
        return text(field, value);
    }

    /** An integer field (a JSON number without fraction), or null. */
    public Long integer(String field) {
        JsonNode value = value(field);
        if (value == null) {
            return null;
        }
        if (!value.isNumber() || !value.canConvertToExactIntegral() || !value.canConvertToLong()) {
            throw new BadField(field, "'" + field + "' must be an integer");
        }
        return value.longValue();
    }

    /** A language name or alias, or null. */
    public Language language(String field) {
        String name = string(field);
        return name == null ? null : Language.parse(name);
    }

    /** An object of string values, or null. */
    public Map<String, String> stringMap(String field) {
        JsonNode value = value(field);
        if (value == null) {
            return null;
        }
        if (!value.isObject()) {
            throw new BadField(field, "'" + field + "' must be an object of strings");
        }
        Map<String, String> map = new LinkedHashMap<>();
        value.properties().forEach(entry -> {
            if (!entry.getValue().isTextual()) {
                String key = field + "." + entry.getKey();
                throw new BadField(key, "'" + key + "' must be a string");
            }
            map.put(entry.getKey(), entry.getValue().textValue());
        });
        return map;
    }

    /** Environment variables: an object of strings that {@link ContextSettings#checkEnvVars} accepts, or null. */
    public Map<String, String> envVars(String field) {
        Map<String, String> env = stringMap(field);
        try {
            ContextSettings.checkEnvVars(env);
        } catch (ContextSettings.InvalidEnvVarException e) {
            throw new BadField(field, "'" + field + "' holds an invalid environment variable: '" + e.name() + "'", e);
        }
        return env;
    }

    private static String text(String field, JsonNode value) {
        if (!value.isTextual()) {
            throw new BadField(field, "'" + field + "' must be a string");
        }
        return value.textValue();
    }

    private JsonNode value(String field) {
        JsonNode value = object.get(field);
        return value == null || value.isNull() ? null : value;
    }
}
