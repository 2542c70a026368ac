package io.codeshard.gateway.cloudflare;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.codeshard.gateway.http.JsonEncoding;
import io.codeshard.gateway.http.StreamedResponse;
import io.codeshard.protocol.ExecutionEvent;
import io.codeshard.protocol.Json;
import io.codeshard.protocol.ResultBundle;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.headers.CacheControl;
import org.apache.pekko.http.javadsl.model.headers.CacheDirectives;
import org.apache.pekko.japi.pf.PFBuilder;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answer of {@code POST /api/execute/code}: the execution's events as Server-Sent Events in the form
 * {@code @cloudflare/sandbox} parses, one {@code data: <single-line JSON>\n\n} frame per event, each written
 * as its own chunk the moment the event happens (Cloudflare's own container sends everything after the run).
 *
 * <p>Event mapping: {@code stdout}/{@code stderr} {@code {text, timestamp}} (epoch ms, what the client's
 * {@code OutputMessage} holds); {@code result} with the bundle's formats as flat keys (text, html, png, jpeg,
 * svg, latex, markdown, javascript, json, pdf, chart, data, extra); {@code error {ename, evalue, traceback[]}};
 * {@code execution_complete {execution_count}}. A notice (such as {@code state_reset}: the interpreter was
 * restarted and in-memory state is gone) has no event type in this protocol and becomes stderr text, so it is
 * never silent. The client reads only {@code data: } lines, so the heartbeat of a silent cell is an SSE comment.
 */
final class ExecutionStream {
    private static final Logger log = LoggerFactory.getLogger(ExecutionStream.class);
    private static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
    private static final ByteString HEARTBEAT = ByteString.fromString(": keep-alive\n\n");

    private ExecutionStream() {}

    /** A 200 streaming the events; a client that disconnects cancels the source, which interrupts the cell. */
    static HttpResponse response(Source<ExecutionEvent, NotUsed> events) {
        Source<ByteString, NotUsed> frames = events
                .mapConcat(ExecutionStream::frames)
                .recover(new PFBuilder<Throwable, ByteString>().matchAny(failure -> {
                    log.warn("an execution's event stream failed", failure);
                    return frame(error("ServiceError", "The execution's event stream broke off: " + failure.getMessage(), List.of()));
                }).build());
        return StreamedResponse.of(MediaTypes.TEXT_EVENT_STREAM.toContentType(), frames, HEARTBEAT, HEARTBEAT_INTERVAL)
                .addHeader(CacheControl.create(CacheDirectives.NO_CACHE));
    }

    /** The frames of one event: none for {@code started}, which this protocol does not know. */
    private static List<ByteString> frames(ExecutionEvent event) {
        ObjectNode json = json(event);
        return json == null ? List.of() : List.of(frame(json));
    }

    private static ObjectNode json(ExecutionEvent event) {
        if (event instanceof ExecutionEvent.Stdout stdout) {
            return output("stdout", stdout.text(), stdout.timestamp());
        }
        if (event instanceof ExecutionEvent.Stderr stderr) {
            return output("stderr", stderr.text(), stderr.timestamp());
        }
        if (event instanceof ExecutionEvent.Result result) {
            return result(result.bundle());
        }
        if (event instanceof ExecutionEvent.Error error) {
            return error(error.name(), error.value(), error.traceback());
        }
        if (event instanceof ExecutionEvent.Notice notice) {
            return output("stderr", "[codeshard " + notice.code() + "] " + notice.message() + "\n", Instant.now());
        }
        if (event instanceof ExecutionEvent.Completed completed) {
            return JsonNodeFactory.instance.objectNode().put("type", "execution_complete")
                    .put("execution_count", completed.executionCount());
        }
        return null;
    }

    private static ObjectNode output(String type, String text, Instant timestamp) {
        return JsonNodeFactory.instance.objectNode().put("type", type).put("text", text)
                .put("timestamp", (timestamp == null ? Instant.now() : timestamp).toEpochMilli());
    }

    private static ObjectNode result(ResultBundle bundle) {
        ObjectNode json = JsonNodeFactory.instance.objectNode().put("type", "result");
        json.setAll((ObjectNode) Json.mapper().valueToTree(bundle));
        if (bundle.extra() == null || bundle.extra().isEmpty()) {
            json.remove("extra");
        }
        return json;
    }

    private static ObjectNode error(String name, String value, List<String> traceback) {
        ObjectNode json = JsonNodeFactory.instance.objectNode().put("type", "error").put("ename", name).put("evalue", value);
        traceback.forEach(json.putArray("traceback")::add);
        return json;
    }

    private static ByteString frame(ObjectNode json) {
        return ByteString.fromString("data: " + JsonEncoding.ASCII.string(json) + "\n\n");
    }
}
