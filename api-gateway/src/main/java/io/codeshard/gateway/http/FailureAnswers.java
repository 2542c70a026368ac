package io.codeshard.gateway.http;

import io.codeshard.node.context.ContextService;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MalformedRequestContentRejection;
import org.apache.pekko.http.javadsl.server.MethodRejection;
import org.apache.pekko.http.javadsl.server.Rejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandlerBuilder;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exception and rejection handlers of every face: they classify what went wrong as a {@link RequestFailure}
 * and let the face's {@code render} word it. The headers are the same everywhere: {@code Retry-After} when the
 * failure has one ({@link RequestFailure.Kind#UNAVAILABLE}, {@link RequestFailure.Kind#QUOTA_EXCEEDED}),
 * {@code WWW-Authenticate} on {@link RequestFailure.Kind#UNAUTHORIZED}, {@code Allow} on
 * {@link RequestFailure.Kind#METHOD_NOT_ALLOWED}.
 */
public final class FailureAnswers {
    private static final Logger log = LoggerFactory.getLogger(FailureAnswers.class);

    private FailureAnswers() {}

    /** The face's rendering of a failure, with the headers every face sends with it. */
    public static HttpResponse answer(RequestFailure failure, Function<RequestFailure, HttpResponse> render) {
        HttpResponse response = render.apply(failure);
        if (failure.retryAfterSeconds() > 0) {
            response = response.addHeader(RawHeader.create("Retry-After", String.valueOf(failure.retryAfterSeconds())));
        }
        if (failure.kind() == RequestFailure.Kind.UNAUTHORIZED) {
            response = response.addHeader(RawHeader.create("WWW-Authenticate", "Bearer realm=\"codeshard\""));
        }
        return response;
    }

    /**
     * Exceptions of routes and of the service's futures (wrapped in CompletionExceptions or not); an unexpected
     * one is logged as a failure of {@code requests} (e.g. "a /v1 request"), since its answer hides the details.
     */
    public static ExceptionHandler exceptionHandler(String requests, Function<RequestFailure, HttpResponse> render) {
        return ExceptionHandler.newBuilder()
                .matchAny(thrown -> {
                    Throwable failure = ContextService.unwrap(thrown);
                    RequestFailure classified = RequestFailure.of(failure);
                    if (classified.kind() == RequestFailure.Kind.INTERNAL) {
                        log.error("unexpected failure of {}", requests, failure);
                    }
                    return Directives.complete(answer(classified, render));
                })
                .build();
    }

    /** Rejections of a face that owns its paths: wrong method, unreadable or oversized body, and no route at all. */
    public static RejectionHandler rejectionHandler(Function<RequestFailure, HttpResponse> render) {
        return rejections(render)
                .handleNotFound(Directives.extractRequest(request -> Directives.complete(answer(new RequestFailure(
                        RequestFailure.Kind.NO_ROUTE, "No route " + request.method().value() + " " + request.getUri().path(), null),
                        render))))
                .build();
    }

    /**
     * Rejections within the paths a face serves; a request no route of it matched is left to the routes after
     * it (a face at the root composes with the others).
     */
    public static RejectionHandler servedPathsRejectionHandler(Function<RequestFailure, HttpResponse> render) {
        return rejections(render).build();
    }

    private static RejectionHandlerBuilder rejections(Function<RequestFailure, HttpResponse> render) {
        return RejectionHandler.newBuilder()
                .handleAll(MethodRejection.class, rejections -> methodNotAllowed(rejections, render))
                .handle(MalformedRequestContentRejection.class, rejection -> Directives.complete(answer(
                        rejection.getCause() instanceof EntityStreamSizeException tooLarge
                                ? RequestFailure.tooLarge(tooLarge)
                                : new RequestFailure(RequestFailure.Kind.BAD_REQUEST, rejection.message(), "body"),
                        render)))
                .handle(Rejection.class, rejection -> Directives.complete(answer(
                        new RequestFailure(RequestFailure.Kind.BAD_REQUEST, rejection.toString(), null), render)));
    }

    private static Route methodNotAllowed(List<MethodRejection> rejections, Function<RequestFailure, HttpResponse> render) {
        String allowed = rejections.stream().map(r -> r.supported().value()).distinct().collect(Collectors.joining(", "));
        RequestFailure failure = new RequestFailure(RequestFailure.Kind.METHOD_NOT_ALLOWED, "Method not allowed here; allowed: " + allowed, null);
        return Directives.complete(answer(failure, render).addHeader(RawHeader.create("Allow", allowed)));
    }
}
