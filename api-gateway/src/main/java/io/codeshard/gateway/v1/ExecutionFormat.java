package io.codeshard.gateway.v1;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.codeshard.gateway.http.JsonEncoding;
import io.codeshard.gateway.http.StreamedResponse;
import io.codeshard.protocol.ExecutionEvent;
import io.codeshard.protocol.Json;
import java.time.Duration;
import java.util.Locale;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * How {@code POST /v1/execute} answers, chosen by the request's {@code Accept}: Server-Sent Events,
 * NDJSON, or one aggregated JSON result. All three are streamed responses fed by the execution's event
 * source, so a client that disconnects cancels that source, and the cancellation interrupts the cell.
 * A closed connection only shows when the server writes to it, so a silent cell's answer carries a
 * heartbeat that the format ignores (an SSE comment, a blank line, whitespace before the JSON).
 */
enum ExecutionFormat {
    /**
     * {@code event: <type>}, {@code id: <sequence from 0>}, {@code data: <event JSON>} per event, as it happens.
     * Written by hand rather than by Pekko's SSE marshaller, which puts {@code data:} first and without the
     * space that simple clients look for.
     */
    SSE {
        @Override
        Route respond(String code, Source<ExecutionEvent, NotUsed> events) {
            Source<ByteString, NotUsed> frames = events.zipWithIndex().map(numbered -> {
                ObjectNode json = Json.mapper().valueToTree(numbered.first());
                return ByteString.fromString("event: " + json.path("type").asText() + "\nid: " + numbered.second()
                        + "\ndata: " + Json.mapper().writeValueAsString(json) + "\n\n");
            });
            return streamed(MediaTypes.TEXT_EVENT_STREAM.toContentType(), frames, ": keep-alive\n\n");
        }
    },
    /** One event JSON per line, each line sent as it happens. */
    NDJSON {
        @Override
        Route respond(String code, Source<ExecutionEvent, NotUsed> events) {
            return streamed(StreamedResponse.NDJSON, events.map(JsonEncoding.UTF8::line), "\n");
        }
    },
    /** The ExecutionResult after the run; the response is still a stream, of one element, for the sake of disconnects. */
    JSON {
        @Override
        Route respond(String code, Source<ExecutionEvent, NotUsed> events) {
            Source<ByteString, NotUsed> result = Source.lazySource(() -> events.fold(new ExecutionResultJson.Collector(code), ExecutionResultJson.Collector::add))
                    .map(collector -> ByteString.fromArray(JsonEncoding.UTF8.bytes(collector.result())))
                    .mapMaterializedValue(ignored -> NotUsed.getInstance());
            return streamed(ContentTypes.APPLICATION_JSON, result, " ");
        }
    };

    /** How soon after a client went away a silent cell is interrupted, about. */
    private static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(1);

    /** Answers with the execution's events in this format. */
    abstract Route respond(String code, Source<ExecutionEvent, NotUsed> events);

    /** A 200 whose chunks are written as the source emits them, with {@code heartbeat} after every silent second. */
    private static Route streamed(ContentType type, Source<ByteString, NotUsed> body, String heartbeat) {
        return Directives.complete(StreamedResponse.of(type, body, ByteString.fromString(heartbeat), HEARTBEAT_INTERVAL));
    }

    /**
     * The format the {@code Accept} header prefers: the listed one of {@code text/event-stream},
     * {@code application/x-ndjson} and {@code application/json} with the highest q-value (the first listed on
     * a tie); JSON when none of them is listed, wildcards included.
     */
    static ExecutionFormat negotiate(String accept) {
        ExecutionFormat best = JSON;
        float bestQuality = 0;
        if (accept == null) {
            return best;
        }
        for (String range : accept.split(",")) {
            String[] parts = range.split(";");
            ExecutionFormat format = switch (parts[0].trim().toLowerCase(Locale.ROOT)) {
                case "text/event-stream" -> SSE;
                case "application/x-ndjson" -> NDJSON;
                case "application/json" -> JSON;
                default -> null;
            };
            float quality = quality(parts);
            if (format != null && quality > bestQuality) {
                best = format;
                bestQuality = quality;
            }
        }
        return best;
    }

    private static float quality(String[] parts) {
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].trim();
            if (parameter.startsWith("q=")) {
                try {
                    return Float.parseFloat(parameter.substring(2));
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 1;
    }
}
