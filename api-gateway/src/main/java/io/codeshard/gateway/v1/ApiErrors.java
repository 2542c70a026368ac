package io.codeshard.gateway.v1;

import io.codeshard.node.context.ContextNotFoundException;
import io.codeshard.node.context.ContextService;
import io.codeshard.node.interpreter.InterpreterUnavailableException;
import io.codeshard.protocol.Language;
import java.util.List;
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
 * The API's error answers, {@code {"error": {"code", "message"}}} (docs/api.md, "Errors"), for every
 * exception and rejection under {@code /v1}: a client's mistake is a 4xx with a reason, never a 500.
 */
final class ApiErrors {
    private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);
    /** Seconds a client should wait before retrying when the cluster or journal did not answer. */
    private static final String RETRY_AFTER_SECONDS = "5";

    private ApiErrors() {}

    record Body(Detail error) {
        record Detail(String code, String message) {}
    }

    static HttpResponse response(StatusCode status, String code, String message) {
        return JsonResponses.of(status, new Body(new Body.Detail(code, message)));
    }

    static HttpResponse unavailable(String message) {
        return response(StatusCodes.SERVICE_UNAVAILABLE, "unavailable", message)
                .addHeader(RawHeader.create("Retry-After", RETRY_AFTER_SECONDS));
    }

    /** Exceptions of routes and of the service's futures (wrapped in CompletionExceptions or not). */
    static ExceptionHandler exceptionHandler() {
        return ExceptionHandler.newBuilder()
                .matchAny(failure -> Directives.complete(forException(ContextService.unwrap(failure))))
                .build();
    }

    private static HttpResponse forException(Throwable failure) {
        if (failure instanceof ContextNotFoundException) {
            return response(StatusCodes.NOT_FOUND, "not_found", failure.getMessage());
        }
        if (failure instanceof Language.UnknownLanguageException) {
            return response(StatusCodes.BAD_REQUEST, "unknown_language", failure.getMessage());
        }
        if (failure instanceof IllegalArgumentException) {
            return response(StatusCodes.BAD_REQUEST, "bad_request", failure.getMessage());
        }
        if (failure instanceof IllegalStateException) {
            return response(StatusCodes.CONFLICT, "conflict", failure.getMessage());
        }
        if (failure instanceof EntityStreamSizeException tooLarge) {
            return tooLarge(tooLarge);
        }
        if (failure instanceof TimeoutException) {
            return unavailable("The cluster did not answer in time; retry shortly");
        }
        if (failure instanceof InterpreterUnavailableException) {
            return unavailable("No interpreter is available: " + failure.getMessage());
        }
        log.error("unexpected failure of a /v1 request", failure);
        return response(StatusCodes.INTERNAL_SERVER_ERROR, "internal", "Internal error; the gateway's log has the details");
    }

    /** Rejections: wrong method, unreadable or oversized body, and no route at all. */
    static RejectionHandler rejectionHandler() {
        return RejectionHandler.newBuilder()
                .handleAll(MethodRejection.class, ApiErrors::methodNotAllowed)
                .handle(MalformedRequestContentRejection.class, rejection ->
                        Directives.complete(rejection.getCause() instanceof EntityStreamSizeException tooLarge
                                ? tooLarge(tooLarge)
                                : response(StatusCodes.BAD_REQUEST, "bad_request", rejection.message())))
                .handle(Rejection.class, rejection ->
                        Directives.complete(response(StatusCodes.BAD_REQUEST, "bad_request", rejection.toString())))
                .handleNotFound(Directives.extractRequest(request -> Directives.complete(response(StatusCodes.NOT_FOUND,
                        "not_found", "No route " + request.method().value() + " " + request.getUri().path()))))
                .build();
    }

    private static Route methodNotAllowed(List<MethodRejection> rejections) {
        String allowed = rejections.stream().map(r -> r.supported().value()).distinct().collect(Collectors.joining(", "));
        return Directives.complete(response(StatusCodes.METHOD_NOT_ALLOWED, "method_not_allowed",
                "Method not allowed here; allowed: " + allowed).addHeader(RawHeader.create("Allow", allowed)));
    }

    private static HttpResponse tooLarge(EntityStreamSizeException failure) {
        return response(StatusCodes.CONTENT_TOO_LARGE, "too_large",
                "The request body is larger than the limit of " + failure.limit() + " bytes");
    }
}
