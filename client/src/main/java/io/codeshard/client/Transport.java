package io.codeshard.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.codeshard.protocol.ExecutionEvent;
import io.codeshard.protocol.Json;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Sends the requests of one sandbox to the service: JSON in, JSON or NDJSON out, the sandbox named in
 * {@code X-Sandbox-Id}, error answers turned into {@link CodeshardException}s and I/O failures into
 * {@link UncheckedIOException}s.
 */
final class Transport {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient http = HttpClient.newBuilder()
            // Plain HTTP/1.1: no h2c upgrade attempt, and NDJSON arrives as chunks the server flushes.
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT)
            .build();
    private final String baseUrl;
    private final String sandboxId;

    Transport(String baseUrl, String sandboxId) {
        this.baseUrl = baseUrl.replaceAll("/+$", "");
        this.sandboxId = sandboxId;
    }

    /** Sends a request and decodes the JSON answer as {@code answerType}; {@code Void.class} for 204. */
    <T> T exchange(String method, String path, Object body, Class<T> answerType) {
        HttpResponse<String> response = send(request(method, path, body, "application/json"),
                HttpResponse.BodyHandlers.ofString());
        if (!isSuccess(response)) {
            throw failure(response.statusCode(), response.body());
        }
        return answerType == Void.class ? null : decode(response.body(), answerType);
    }

    /**
     * POSTs {@code body} asking for NDJSON and hands each execution event to {@code onEvent} as soon as its
     * line arrives, until {@link ExecutionEvent.Completed}.
     */
    void stream(String path, Object body, Consumer<ExecutionEvent> onEvent) {
        HttpResponse<Stream<String>> response = send(request("POST", path, body, "application/x-ndjson"),
                HttpResponse.BodyHandlers.ofLines());
        // Closing the lines early (a callback threw) drops the connection, which interrupts the cell.
        try (Stream<String> lines = response.body()) {
            if (!isSuccess(response)) {
                throw failure(response.statusCode(), lines.collect(Collectors.joining("\n")));
            }
            Iterator<String> pending = lines.filter(line -> !line.isBlank()).iterator();
            while (pending.hasNext()) {
                ExecutionEvent event = decode(pending.next(), ExecutionEvent.class);
                onEvent.accept(event);
                if (event.isTerminal()) {
                    return;
                }
            }
            throw new UncheckedIOException(new EOFException("The execution stream ended before its completed event"));
        }
    }

    private HttpRequest request(String method, String path, Object body, String accept) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("X-Sandbox-Id", sandboxId)
                .header("Accept", accept);
        if (body == null) {
            return request.method(method, HttpRequest.BodyPublishers.noBody()).build();
        }
        return request.header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofByteArray(encode(body)))
                .build();
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> bodyHandler) {
        try {
            return http.send(request, bodyHandler);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(
                    new InterruptedIOException("Interrupted while waiting for " + request.method() + " " + request.uri()));
        }
    }

    private static boolean isSuccess(HttpResponse<?> response) {
        return response.statusCode() / 100 == 2;
    }

    /** The exception for an error answer; a body that is not the API's error JSON (a proxy's page) becomes the message. */
    private static CodeshardException failure(int status, String body) {
        Wire.ErrorBody.Detail detail = errorDetail(body);
        if (detail == null) {
            detail = new Wire.ErrorBody.Detail("http_" + status, body.isBlank() ? "HTTP " + status : body);
        }
        return status == 404
                ? new ContextNotFoundException(detail.code(), detail.message())
                : new CodeshardException(status, detail.code(), detail.message());
    }

    private static Wire.ErrorBody.Detail errorDetail(String body) {
        try {
            Wire.ErrorBody error = Json.mapper().readValue(body, Wire.ErrorBody.class);
            return error == null ? null : error.error();
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static byte[] encode(Object body) {
        try {
            return Json.mapper().writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static <T> T decode(String json, Class<T> type) {
        try {
            return Json.mapper().readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
