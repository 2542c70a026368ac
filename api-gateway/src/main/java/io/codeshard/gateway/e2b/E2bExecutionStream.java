package io.codeshard.gateway.e2b;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.codeshard.gateway.http.JsonEncoding;
import io.codeshard.gateway.http.StreamedResponse;
import io.codeshard.protocol.ExecutionEvent;
import io.codeshard.protocol.ResultBundle;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.japi.pf.PFBuilder;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answer of E2B's {@code POST /execute}: codeshard's execution events as E2B's NDJSON lines (WIRE.md §B).
 * {@code number_of_executions} first, then {@code stdout}/{@code stderr} with a timestamp, {@code result}
 * with e2b's standard keys, {@code extra} and {@code is_main_result}, the first {@code error} only,
 * {@code keepalive} after 5 s of silence, and always {@code end_of_execution} last. Every line is one JSON
 * object in ASCII (non-ASCII escaped) followed by {@code \n}; no blank lines.
 *
 * <p>The response is a chunked stream fed by the execution's event source, so a client that goes away
 * cancels that source, and {@code ContextService} interrupts the cell. A closed connection shows only when
 * the server writes to it; the keepalive is that write for a silent cell.
 */
final class E2bExecutionStream {
    private static final Logger log = LoggerFactory.getLogger(E2bExecutionStream.class);
    /** E2B's server sends a keepalive line after this much silence. */
    private static final Duration KEEPALIVE_INTERVAL = Duration.ofSeconds(5);
    private static final ByteString KEEPALIVE = JsonEncoding.ASCII.line(type("keepalive"));
    private static final ByteString END = JsonEncoding.ASCII.line(type("end_of_execution"));

    /** What one execution has sent so far (one instance per materialized stream, used by its one stage). */
    private boolean errorSent;
    private boolean endSent;

    private E2bExecutionStream() {}

    /** A 200 streaming the execution's events as E2B NDJSON. */
    static HttpResponse response(Source<ExecutionEvent, NotUsed> events) {
        return StreamedResponse.of(StreamedResponse.NDJSON, lines(events), KEEPALIVE, KEEPALIVE_INTERVAL);
    }

    /**
     * The lines of one execution. A broken event stream (e.g. the worker became unreachable) ends with an
     * error line; {@code end_of_execution} is sent once, last, whatever happened.
     */
    private static Source<ByteString, NotUsed> lines(Source<ExecutionEvent, NotUsed> events) {
        return events
                .recover(new PFBuilder<Throwable, ExecutionEvent>().matchAny(E2bExecutionStream::failed).build())
                .statefulMap(E2bExecutionStream::new,
                        (stream, event) -> Pair.create(stream, stream.translate(event)),
                        stream -> stream.endSent ? Optional.empty() : Optional.of(END))
                .filter(bytes -> !bytes.isEmpty());
    }

    /** One event as zero or one NDJSON line (an empty ByteString for none). */
    ByteString translate(ExecutionEvent event) {
        if (event instanceof ExecutionEvent.Started started) {
            ObjectNode line = type("number_of_executions");
            line.put("execution_count", started.executionCount());
            return JsonEncoding.ASCII.line(line);
        }
        if (event instanceof ExecutionEvent.Stdout out) {
            return output("stdout", out.text(), out.timestamp());
        }
        if (event instanceof ExecutionEvent.Stderr err) {
            return output("stderr", err.text(), err.timestamp());
        }
        if (event instanceof ExecutionEvent.Result result) {
            return JsonEncoding.ASCII.line(result(result.bundle(), result.isMainResult()));
        }
        if (event instanceof ExecutionEvent.Error error) {
            return error(error.name(), error.value(), String.join("\n", error.traceback()));
        }
        if (event instanceof ExecutionEvent.Notice notice) {
            // E2B has no line type for what the service says about the context: stderr, so it is never lost.
            return output("stderr", "[codeshard " + notice.code() + "] " + notice.message() + "\n", Instant.now());
        }
        if (event instanceof ExecutionEvent.Completed) {
            endSent = true;
            return END;
        }
        return ByteString.emptyByteString();
    }

    private static ExecutionEvent failed(Throwable failure) {
        log.warn("an E2B execution stream failed", failure);
        return new ExecutionEvent.Error("ExecutionFailed", "The execution's event stream failed: " + failure.getMessage(), List.of());
    }

    private ByteString error(String name, String value, String traceback) {
        if (errorSent) {
            return ByteString.emptyByteString(); // E2B sends the first error of an execution only
        }
        errorSent = true;
        ObjectNode line = type("error");
        line.put("name", name);
        line.put("value", value);
        line.put("traceback", traceback);
        return JsonEncoding.ASCII.line(line);
    }

    private static ByteString output(String type, String text, Instant timestamp) {
        if (text == null || text.isEmpty()) {
            return ByteString.emptyByteString();
        }
        ObjectNode line = type(type);
        line.put("text", text);
        line.put("timestamp", (timestamp == null ? Instant.now() : timestamp).toString());
        return JsonEncoding.ASCII.line(line);
    }

    /**
     * A result line: only e2b's standard keys (any other key becomes visible to the JS SDK as {@code extra}),
     * null ones left out; MIME types without a key of their own go under {@code extra}. Plain text wrapped in
     * quotes loses them, as e2b's server does ({@code 'bar'} → {@code bar}).
     */
    static ObjectNode result(ResultBundle bundle, boolean isMainResult) {
        ObjectNode line = type("result");
        putText(line, "text", stripQuotes(bundle.text()));
        putText(line, "html", bundle.html());
        putText(line, "markdown", bundle.markdown());
        putText(line, "svg", bundle.svg());
        putText(line, "png", bundle.png());
        putText(line, "jpeg", bundle.jpeg());
        putText(line, "pdf", bundle.pdf());
        putText(line, "latex", bundle.latex());
        putNode(line, "json", bundle.json());
        putText(line, "javascript", bundle.javascript());
        putNode(line, "data", bundle.data());
        putNode(line, "chart", bundle.chart());
        ObjectNode extra = line.putObject("extra");
        Map<String, JsonNode> unknown = bundle.extra();
        if (unknown != null) {
            unknown.forEach(extra::set);
        }
        line.put("is_main_result", isMainResult);
        return line;
    }

    static String stripQuotes(String text) {
        if (text != null && text.length() >= 2
                && ((text.startsWith("'") && text.endsWith("'")) || (text.startsWith("\"") && text.endsWith("\"")))) {
            return text.substring(1, text.length() - 1);
        }
        return text;
    }

    private static void putText(ObjectNode line, String key, String value) {
        if (value != null) {
            line.put(key, value);
        }
    }

    private static void putNode(ObjectNode line, String key, JsonNode value) {
        if (value != null && !value.isNull() && !value.isMissingNode()) {
            line.set(key, value);
        }
    }

    private static ObjectNode type(String type) {
        ObjectNode line = JsonNodeFactory.instance.objectNode();
        line.put("type", type);
        return line;
    }
}
