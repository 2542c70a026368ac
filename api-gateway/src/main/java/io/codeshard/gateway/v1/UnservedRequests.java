package io.codeshard.gateway.v1;

import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * What the gateway answers around its faces, in the native API's error shape (each face answers the failures
 * under its own paths itself):
 * <ul>
 *   <li>a request whose framing Pekko could not read: a {@code Content-Length} or {@code Transfer-Encoding} that
 *       does not parse is left among the headers, and the body is then taken to be empty, so the route would run
 *       on a body the client never sent. RFC 9112 6.3 makes that a 400;</li>
 *   <li>a request no face serves: 404.</li>
 * </ul>
 */
public final class UnservedRequests {
    private UnservedRequests() {}

    /** {@code faces} is built once, by the caller: the faces keep state (E2B's killed sandboxes) across requests. */
    public static Route around(Route faces) {
        return Directives.extractRequest(request -> {
            HttpHeader framing = unreadFraming(request);
            if (framing != null) {
                return Directives.complete(ApiErrors.response(StatusCodes.BAD_REQUEST, "bad_request",
                        "The request's " + framing.name() + " header is not valid"));
            }
            return Directives.handleRejections(ApiErrors.rejectionHandler(), () -> faces);
        });
    }

    /** A framing header still among the request's headers: Pekko takes the ones it understood into the entity. */
    private static HttpHeader unreadFraming(HttpRequest request) {
        for (HttpHeader header : request.getHeaders()) {
            if (header.is("content-length") || header.is("transfer-encoding")) {
                return header;
            }
        }
        return null;
    }
}
