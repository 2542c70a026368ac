package io.codeshard.gateway.http;

import java.time.Duration;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * The 200 that streams an execution: each chunk written as the source emits it, so a client that disconnects
 * cancels the source (and with it the cell). A closed connection only shows when the server writes to it, so
 * after {@code interval} of silence the answer carries a {@code filler} that its format ignores.
 */
public final class StreamedResponse {
    /** Newline-delimited JSON in UTF-8. */
    public static final ContentType NDJSON = MediaTypes.applicationWithFixedCharset("x-ndjson", HttpCharsets.UTF_8).toContentType();

    private StreamedResponse() {}

    public static HttpResponse of(ContentType type, Source<ByteString, NotUsed> body, ByteString filler, Duration interval) {
        return HttpResponse.create().withStatus(StatusCodes.OK)
                .withEntity(HttpEntities.createChunked(type, body.keepAlive(interval, () -> filler)));
    }
}
