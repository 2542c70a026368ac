package io.codeshard.gateway.v1;

import io.codeshard.gateway.http.FailureAnswers;
import io.codeshard.gateway.http.JsonEncoding;
import io.codeshard.gateway.http.RequestFailure;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;

/**
 * The API's error answers, {@code {"error": {"code", "message"}}} (docs/api.md, "Errors"), for every
 * exception and rejection under {@code /v1}: a client's mistake is a 4xx with a reason, never a 500.
 */
final class ApiErrors {
    private ApiErrors() {}

    record Body(Detail error) {
        record Detail(String code, String message) {}
    }

    /** The answer when the cluster does not answer before the server's request timeout. */
    static HttpResponse requestTimedOut() {
        return FailureAnswers.answer(RequestFailure.unavailable("The cluster did not answer in time"), ApiErrors::render);
    }

    static ExceptionHandler exceptionHandler() {
        return FailureAnswers.exceptionHandler("a /v1 request", ApiErrors::render);
    }

    static RejectionHandler rejectionHandler() {
        return FailureAnswers.rejectionHandler(ApiErrors::render);
    }

    /** Each kind of failure as its error code of docs/api.md. */
    private static HttpResponse render(RequestFailure failure) {
        String code = switch (failure.kind()) {
            case UNAUTHORIZED -> "unauthorized";
            case NOT_FOUND, NO_ROUTE -> "not_found";
            case METHOD_NOT_ALLOWED -> "method_not_allowed";
            case BAD_REQUEST -> "bad_request";
            case UNKNOWN_LANGUAGE -> "unknown_language";
            case TOO_LARGE -> "too_large";
            case QUOTA_EXCEEDED -> "quota_exceeded";
            case CONFLICT -> "conflict";
            case UNAVAILABLE -> "unavailable";
            case INTERNAL -> "internal";
        };
        return response(failure.status(), code, failure.message());
    }

    /** An error answer in the API's shape. */
    static HttpResponse response(StatusCode status, String code, String message) {
        return JsonEncoding.UTF8.response(status, new Body(new Body.Detail(code, message)));
    }
}
