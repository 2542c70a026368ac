package io.codeshard.gateway.cloudflare;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.codeshard.protocol.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.util.ByteString;

/**
 * JSON in and out of the Cloudflare face, with the protocol's one Jackson setup. Everything written is ASCII
 * (non-ASCII characters escaped as {@code \\uXXXX}): the client decodes each network chunk of an event
 * stream on its own, so a multi-byte character split between two TCP segments would be garbled.
 */
final class CloudflareJson {
    private static final ObjectWriter WRITER = Json.mapper().writer().with(JsonWriteFeature.ESCAPE_NON_ASCII);
    /** Reads bodies without Jackson's lenient coercions: {@code "code": 5} is a mistake, not the code "5". */
    private static final ObjectMapper STRICT = strict(Json.mapper().copy());

    private CloudflareJson() {}

    /** A complete JSON answer (not through a marshaller, so that no Accept header can turn it into a 406). */
    static HttpResponse response(StatusCode status, Object body) {
        return HttpResponse.create().withStatus(status).withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, bytes(body)));
    }

    private static byte[] bytes(Object value) {
        try {
            return WRITER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One line of JSON, ASCII only. */
    static String line(Object value) {
        try {
            return WRITER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
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
                throw new CloudflareErrors.InvalidField("body", "The body must be a JSON object");
            }
            Class<?> target = e instanceof MismatchedInputException mismatch ? mismatch.getTargetType() : null;
            throw new CloudflareErrors.InvalidField(field, "'" + field + "' must be " + describe(target));
        } catch (JsonProcessingException e) {
            throw new CloudflareErrors.InvalidField("body", "The body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
