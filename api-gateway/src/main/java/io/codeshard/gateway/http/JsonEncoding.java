package io.codeshard.gateway.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.codeshard.protocol.Json;
import java.io.UncheckedIOException;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.util.ByteString;

/**
 * How a face writes JSON, with the protocol's one Jackson setup. Answers are complete responses rather than
 * going through a marshaller, so that no Accept header can turn them into a 406.
 */
public enum JsonEncoding {
    /** UTF-8 as it is: the native API. */
    UTF8(Json.mapper().writer()),
    /**
     * Every non-ASCII character escaped as {@code \\uXXXX}: the Cloudflare and E2B JS clients decode each network
     * chunk on its own, so a multi-byte character split between two chunks would be garbled.
     */
    ASCII(Json.mapper().writer().with(JsonWriteFeature.ESCAPE_NON_ASCII));

    private static final ByteString NEWLINE = ByteString.fromString("\n");

    private final ObjectWriter writer;

    JsonEncoding(ObjectWriter writer) {
        this.writer = writer;
    }

    /** A complete {@code application/json} answer. */
    public HttpResponse response(StatusCode status, Object body) {
        return HttpResponse.create().withStatus(status).withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, bytes(body)));
    }

    public byte[] bytes(Object value) {
        try {
            return writer.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One line of JSON, without a line break. */
    public String string(Object value) {
        try {
            return writer.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One NDJSON line: the JSON, then {@code \n}. */
    public ByteString line(Object value) {
        return ByteString.fromArray(bytes(value)).concat(NEWLINE);
    }
}
