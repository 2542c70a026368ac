package io.codeshard.gateway.cloudflare;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.codeshard.node.context.ContextNotFoundException;
import io.codeshard.node.context.ContextService;
import io.codeshard.node.interpreter.InterpreterUnavailableException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MalformedRequestContentRejection;
import org.apache.pekko.http.javadsl.server.MethodRejection;
import org.apache.pekko.http.javadsl.server.Rejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Error answers in the shape {@code @cloudflare/sandbox} turns into its typed errors
 * ({@code createErrorFromResponse}): {@code {code, message, context, httpStatus, timestamp, operation?}}.
 * The client picks the error class by {@code code}: {@code CONTEXT_NOT_FOUND} (404) gives
 * {@code ContextNotFoundError} with {@code context.contextId}, {@code VALIDATION_FAILED} (400)
 * {@code ValidationFailedError} with {@code context.validationErrors}, and {@code INTERPRETER_NOT_READY} (503)
 * is retried by the client's transport (with {@code Retry-After}, as Cloudflare's container sends it).
 */
final class CloudflareErrors {
    private static final Logger log = LoggerFactory.getLogger(CloudflareErrors.class);
    private static final int RETRY_AFTER_SECONDS = 5;

    /** Operation names of the client's error vocabulary. */
    static final String CREATE = "code.context.create";
    static final String DELETE = "code.context.delete";
    static final String EXECUTE = "code.execute";

    private CloudflareErrors() {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Body(String code, String message, Map<String, Object> context, int httpStatus, Instant timestamp, String operation) {}

    /** A client mistake in one request field (400 VALIDATION_FAILED naming the field). */
    static final class InvalidField extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final String field;

        InvalidField(String field, String message) {
            super(message);
            this.field = field;
        }

        String field() {
            return field;
        }
    }

    static HttpResponse response(StatusCode status, String code, String message, Map<String, Object> context, String operation) {
        return CloudflareJson.response(status, new Body(code, message, context, status.intValue(), Instant.now(), operation));
    }

    static HttpResponse unavailable(String message, String operation) {
        return response(StatusCodes.SERVICE_UNAVAILABLE, "INTERPRETER_NOT_READY", message,
                Map.of("retryAfter", RETRY_AFTER_SECONDS), operation)
                .addHeader(RawHeader.create("Retry-After", String.valueOf(RETRY_AFTER_SECONDS)));
    }

    /**
     * Exceptions of a route and of the service's futures; {@code contextId} (null when the request names none)
     * fills the {@code CONTEXT_NOT_FOUND} context.
     */
    static ExceptionHandler exceptionHandler(String contextId, String operation) {
        return ExceptionHandler.newBuilder()
                .matchAny(failure -> Directives.complete(forException(ContextService.unwrap(failure), contextId, operation)))
                .build();
    }

    private static HttpResponse forException(Throwable failure, String contextId, String operation) {
        if (failure instanceof ContextNotFoundException) {
            return response(StatusCodes.NOT_FOUND, "CONTEXT_NOT_FOUND", failure.getMessage(),
                    contextId == null ? Map.of() : Map.of("contextId", contextId), operation);
        }
        if (failure instanceof InvalidField invalid) {
            return validationFailed(invalid.field(), invalid.getMessage(), operation);
        }
        if (failure instanceof IllegalArgumentException) {
            return validationFailed(null, failure.getMessage(), operation);
        }
        if (failure instanceof EntityStreamSizeException tooLarge) {
            return tooLarge(tooLarge);
        }
        if (failure instanceof TimeoutException) {
            return unavailable("The cluster did not answer in time; retry shortly", operation);
        }
        if (failure instanceof InterpreterUnavailableException) {
            return unavailable("No interpreter is available: " + failure.getMessage(), operation);
        }
        if (failure instanceof IllegalStateException) {
            // The context refused in its current state (e.g. its interpreter could not be restarted).
            return response(StatusCodes.CONFLICT, "CODE_EXECUTION_ERROR", failure.getMessage(),
                    contextId == null ? Map.of() : Map.of("contextId", contextId), operation);
        }
        log.error("unexpected failure of an /api request", failure);
        return response(StatusCodes.INTERNAL_SERVER_ERROR, "INTERNAL_ERROR", "Internal error; the gateway's log has the details",
                Map.of(), operation);
    }

    private static HttpResponse validationFailed(String field, String message, String operation) {
        Map<String, Object> detail = field == null ? Map.of("message", message) : Map.of("field", field, "message", message);
        return response(StatusCodes.BAD_REQUEST, "VALIDATION_FAILED", message, Map.of("validationErrors", List.of(detail)), operation);
    }

    /** Rejections under {@code /api}: wrong method, unreadable or oversized body, no such route. */
    static RejectionHandler rejectionHandler() {
        return RejectionHandler.newBuilder()
                .handleAll(MethodRejection.class, CloudflareErrors::methodNotAllowed)
                .handle(MalformedRequestContentRejection.class, rejection ->
                        Directives.complete(rejection.getCause() instanceof EntityStreamSizeException tooLarge
                                ? tooLarge(tooLarge)
                                : validationFailed("body", rejection.message(), null)))
                .handle(Rejection.class, rejection -> Directives.complete(validationFailed(null, rejection.toString(), null)))
                .handleNotFound(Directives.extractRequest(request -> Directives.complete(response(StatusCodes.NOT_FOUND,
                        "UNKNOWN_ERROR", "No route " + request.method().value() + " " + request.getUri().path(), Map.of(), null))))
                .build();
    }

    private static Route methodNotAllowed(List<MethodRejection> rejections) {
        String allowed = rejections.stream().map(r -> r.supported().value()).distinct().collect(Collectors.joining(", "));
        return Directives.complete(response(StatusCodes.METHOD_NOT_ALLOWED, "UNKNOWN_ERROR",
                "Method not allowed here; allowed: " + allowed, Map.of(), null).addHeader(RawHeader.create("Allow", allowed)));
    }

    private static HttpResponse tooLarge(EntityStreamSizeException failure) {
        String message = "The request body is larger than the limit of " + failure.limit() + " bytes";
        return response(StatusCodes.CONTENT_TOO_LARGE, "VALIDATION_FAILED", message,
                Map.of("validationErrors", List.of(Map.of("field", "body", "message", message))), null);
    }
}
