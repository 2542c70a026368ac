package io.codeshard.gateway.v1;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.codeshard.protocol.Json;
import java.io.UncheckedIOException;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;

/**
 * JSON answers written with the protocol's one Jackson setup. Built as complete responses rather than
 * through a marshaller, so that no Accept header can turn them into a 406.
 */
final class JsonResponses {
    private JsonResponses() {}

    static HttpResponse of(StatusCode status, Object body) {
        return HttpResponse.create().withStatus(status).withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, bytes(body)));
    }

    static byte[] bytes(Object value) {
        try {
            return Json.mapper().writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
