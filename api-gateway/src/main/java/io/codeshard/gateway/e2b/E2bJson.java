package io.codeshard.gateway.e2b;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.codeshard.protocol.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.util.ByteString;

/**
 * JSON in and out of the E2B face. Request bodies are objects whose fields are read loosely as E2B's
 * server does (null, a missing field and an empty string are all "absent"), but a field of the wrong
 * type is the client's mistake: {@link IllegalArgumentException}, answered 400. Answers are written with
 * every non-ASCII character escaped as {@code \\uXXXX}: the JS SDK decodes each network chunk on its
 * own, so a multi-byte character split across two chunks would be corrupted.
 */
final class E2bJson {
    private static final ObjectReader READER = Json.mapper().reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final ObjectWriter ASCII_WRITER = Json.mapper().writer().with(JsonWriteFeature.ESCAPE_NON_ASCII);

    private E2bJson() {}

    static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    /** One value as ASCII-only JSON bytes. */
    static byte[] bytes(Object value) {
        try {
            return ASCII_WRITER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One value as an NDJSON line: ASCII-only JSON, then {@code \n}. */
    static ByteString line(Object value) {
        return ByteString.fromArray(bytes(value)).concat(NEWLINE);
    }

    private static final ByteString NEWLINE = ByteString.fromString("\n");

    static HttpResponse response(StatusCode status, Object body) {
        return HttpResponse.create().withStatus(status).withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, bytes(body)));
    }

    static HttpResponse text(StatusCode status, String body) {
        return HttpResponse.create().withStatus(status).withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, body));
    }

    /** A request body: a JSON object; an empty body is an empty object. */
    static final class Body {
        private final JsonNode object;

        private Body(JsonNode object) {
            this.object = object;
        }

        static Body parse(ByteString bytes) {
            if (bytes.isEmpty()) {
                return new Body(object());
            }
            JsonNode node;
            try {
                node = READER.readTree(bytes.toArray());
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("The body is not valid JSON: " + e.getOriginalMessage(), e);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (node == null || node.isMissingNode() || node.isNull()) {
                return new Body(object());
            }
            if (!node.isObject()) {
                throw new IllegalArgumentException("The body must be a JSON object");
            }
            return new Body(node);
        }

        /** A string field; null when missing, null or empty. */
        String string(String field) {
            JsonNode value = value(field);
            if (value == null) {
                return null;
            }
            if (!value.isTextual()) {
                throw new IllegalArgumentException("'" + field + "' must be a string");
            }
            return value.textValue().isEmpty() ? null : value.textValue();
        }

        /** A required string field; an empty string counts as given. */
        String requiredString(String field) {
            JsonNode value = value(field);
            if (value == null) {
                throw new IllegalArgumentException("'" + field + "' is required");
            }
            if (!value.isTextual()) {
                throw new IllegalArgumentException("'" + field + "' must be a string");
            }
            return value.textValue();
        }

        /** An integer field, or null. */
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

        /** An object of string values, or null. */
        Map<String, String> stringMap(String field) {
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

        /** Environment variables: names non-empty and free of '=' and NUL, values free of NUL. */
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

        /** A JSON object field as it is, or null. */
        JsonNode node(String field) {
            return value(field);
        }

        private JsonNode value(String field) {
            JsonNode value = object.get(field);
            return value == null || value.isNull() ? null : value;
        }
    }
}
