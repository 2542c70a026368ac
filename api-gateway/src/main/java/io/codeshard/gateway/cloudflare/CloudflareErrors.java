package io.codeshard.gateway.cloudflare;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.codeshard.gateway.http.FailureAnswers;
import io.codeshard.gateway.http.JsonEncoding;
import io.codeshard.gateway.http.RequestFailure;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;

/**
 * Error answers in the shape {@code @cloudflare/sandbox} turns into its typed errors
 * ({@code createErrorFromResponse}): {@code {code, message, context, httpStatus, timestamp, operation?}}.
 * The client picks the error class by {@code code}: {@code CONTEXT_NOT_FOUND} (404) gives
 * {@code ContextNotFoundError} with {@code context.contextId}, {@code VALIDATION_FAILED} (400)
 * {@code ValidationFailedError} with {@code context.validationErrors}, and {@code INTERPRETER_NOT_READY} (503)
 * is retried by the client's transport (with {@code Retry-After}, as Cloudflare's container sends it).
 */
final class CloudflareErrors {
    /** Operation names of the client's error vocabulary. */
    static final String CREATE = "code.context.create";
    static final String DELETE = "code.context.delete";
    static final String EXECUTE = "code.execute";

    private CloudflareErrors() {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Body(String code, String message, Map<String, Object> context, int httpStatus, Instant timestamp, String operation) {}

    /** The answer when the cluster does not answer before the server's request timeout. */
    static HttpResponse requestTimedOut() {
        return FailureAnswers.answer(RequestFailure.unavailable("The cluster did not answer in time; retry shortly"),
                failure -> render(failure, null, null));
    }

    /**
     * Exceptions of a route and of the service's futures; {@code contextId} (null when the request names none)
     * fills the {@code CONTEXT_NOT_FOUND} context.
     */
    static ExceptionHandler exceptionHandler(String contextId, String operation) {
        return FailureAnswers.exceptionHandler("an /api request", failure -> render(failure, contextId, operation));
    }

    /** Rejections under {@code /api}: wrong method, unreadable or oversized body, no such route. */
    static RejectionHandler rejectionHandler() {
        return FailureAnswers.rejectionHandler(failure -> render(failure, null, null));
    }

    private static HttpResponse render(RequestFailure failure, String contextId, String operation) {
        Map<String, Object> aboutContext = contextId == null ? Map.of() : Map.of("contextId", contextId);
        return switch (failure.kind()) {
            case NOT_FOUND -> response(failure, "CONTEXT_NOT_FOUND", aboutContext, operation);
            case BAD_REQUEST, UNKNOWN_LANGUAGE -> validationFailed(failure, operation);
            // An oversized body is refused before any operation is known.
            case TOO_LARGE -> validationFailed(failure, null);
            case UNAVAILABLE -> response(failure, "INTERPRETER_NOT_READY",
                    Map.of("retryAfter", failure.retryAfterSeconds()), operation);
            // Codes the client does not know: it raises its generic SandboxError with the status.
            case UNAUTHORIZED -> response(failure, "UNAUTHORIZED", Map.of(), operation);
            case QUOTA_EXCEEDED -> response(failure, "QUOTA_EXCEEDED", Map.of("retryAfter", failure.retryAfterSeconds()), operation);
            // The context refused in its current state (e.g. its interpreter could not be restarted).
            case CONFLICT -> response(failure, "CODE_EXECUTION_ERROR", aboutContext, operation);
            case INTERNAL -> response(failure, "INTERNAL_ERROR", Map.of(), operation);
            case NO_ROUTE, METHOD_NOT_ALLOWED -> response(failure, "UNKNOWN_ERROR", Map.of(), operation);
        };
    }

    /** {@code VALIDATION_FAILED}, naming the field when the failure knows it. */
    private static HttpResponse validationFailed(RequestFailure failure, String operation) {
        Map<String, Object> detail = failure.field() == null
                ? Map.of("message", failure.message())
                : Map.of("field", failure.field(), "message", failure.message());
        return response(failure, "VALIDATION_FAILED", Map.of("validationErrors", List.of(detail)), operation);
    }

    private static HttpResponse response(RequestFailure failure, String code, Map<String, Object> context, String operation) {
        StatusCode status = failure.status();
        return JsonEncoding.ASCII.response(status,
                new Body(code, failure.message(), context, status.intValue(), Instant.now(), operation));
    }
}
