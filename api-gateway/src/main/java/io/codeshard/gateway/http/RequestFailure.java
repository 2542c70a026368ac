package io.codeshard.gateway.http;

import io.codeshard.gateway.quota.CodeTooLarge;
import io.codeshard.gateway.quota.QuotaExceeded;
import io.codeshard.gateway.tenant.Unauthenticated;
import io.codeshard.node.context.ContextNotFoundException;
import io.codeshard.node.context.JournalUnavailableException;
import io.codeshard.node.context.WorkerFullException;
import io.codeshard.node.interpreter.InterpreterUnavailableException;
import io.codeshard.protocol.Language;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;

/**
 * What went wrong with a request, before any face words it: the same failure is the same {@link Kind} under
 * {@code /v1}, {@code /api} and E2B's paths, and each face only renders it in its own body shape.
 *
 * @param kind    what went wrong; its {@link Kind#status()} is the usual answer
 * @param message a message for the client (never internals: an unexpected failure says only that there was one)
 * @param field   the part of the request that was wrong ({@link BadField#field()}), or null
 * @param retryAfterSeconds what the answer's {@code Retry-After} says; 0 for none
 */
public record RequestFailure(Kind kind, String message, String field, int retryAfterSeconds) {
    /** Seconds a client should wait before retrying when the cluster or an interpreter was not available. */
    public static final int RETRY_AFTER_SECONDS = 5;

    /** The kinds of failure, with the status each usually gets. */
    public enum Kind {
        /** The request has no valid API key. */
        UNAUTHORIZED(StatusCodes.UNAUTHORIZED),
        /** The request names a context the sandbox does not have (or a sandbox of another tenant). */
        NOT_FOUND(StatusCodes.NOT_FOUND),
        /** No route of the face serves the path. */
        NO_ROUTE(StatusCodes.NOT_FOUND),
        METHOD_NOT_ALLOWED(StatusCodes.METHOD_NOT_ALLOWED),
        BAD_REQUEST(StatusCodes.BAD_REQUEST),
        /** A bad request whose mistake is a language no runtime serves. */
        UNKNOWN_LANGUAGE(StatusCodes.BAD_REQUEST),
        TOO_LARGE(StatusCodes.CONTENT_TOO_LARGE),
        /** A quota refused the request; retrying after {@code Retry-After} may work. */
        QUOTA_EXCEEDED(StatusCodes.TOO_MANY_REQUESTS),
        /** The context refused in its current state (e.g. its interpreter could not be restarted). */
        CONFLICT(StatusCodes.CONFLICT),
        /** The cluster or an interpreter did not answer; retrying later may work. */
        UNAVAILABLE(StatusCodes.SERVICE_UNAVAILABLE),
        INTERNAL(StatusCodes.INTERNAL_SERVER_ERROR);

        private final StatusCode status;

        Kind(StatusCode status) {
            this.status = status;
        }

        public StatusCode status() {
            return status;
        }
    }

    /** A failure without {@code Retry-After}. */
    public RequestFailure(Kind kind, String message, String field) {
        this(kind, message, field, 0);
    }

    /** The failure behind an exception of a route or of the service's futures (already unwrapped). */
    public static RequestFailure of(Throwable failure) {
        if (failure instanceof Unauthenticated) {
            return new RequestFailure(Kind.UNAUTHORIZED, failure.getMessage(), null);
        }
        if (failure instanceof WorkerFullException) {
            return new RequestFailure(Kind.QUOTA_EXCEEDED, failure.getMessage(), null, WorkerFullException.RETRY_AFTER_SECONDS);
        }
        if (failure instanceof QuotaExceeded quota) {
            return new RequestFailure(Kind.QUOTA_EXCEEDED, failure.getMessage(), null, quota.retryAfterSeconds());
        }
        if (failure instanceof CodeTooLarge) {
            return new RequestFailure(Kind.TOO_LARGE, failure.getMessage(), "code");
        }
        if (failure instanceof ContextNotFoundException) {
            return new RequestFailure(Kind.NOT_FOUND, failure.getMessage(), null);
        }
        if (failure instanceof Language.UnknownLanguageException) {
            return new RequestFailure(Kind.UNKNOWN_LANGUAGE, failure.getMessage(), null);
        }
        if (failure instanceof IllegalArgumentException) {
            return new RequestFailure(Kind.BAD_REQUEST, failure.getMessage(),
                    failure instanceof BadField bad ? bad.field() : null);
        }
        if (failure instanceof IllegalStateException) {
            return new RequestFailure(Kind.CONFLICT, failure.getMessage(), null);
        }
        if (failure instanceof EntityStreamSizeException tooLarge) {
            return tooLarge(tooLarge);
        }
        if (failure instanceof TimeoutException) {
            return unavailable("The cluster did not answer in time; retry shortly");
        }
        if (failure instanceof JournalUnavailableException) {
            return unavailable(failure.getMessage());
        }
        if (failure instanceof InterpreterUnavailableException) {
            return unavailable("No interpreter is available: " + failure.getMessage());
        }
        return new RequestFailure(Kind.INTERNAL, "Internal error; the gateway's log has the details", null);
    }

    public static RequestFailure unavailable(String message) {
        return new RequestFailure(Kind.UNAVAILABLE, message, null, RETRY_AFTER_SECONDS);
    }

    static RequestFailure tooLarge(EntityStreamSizeException failure) {
        return new RequestFailure(Kind.TOO_LARGE, "The request body is larger than the limit of " + failure.limit() + " bytes", "body");
    }

    public StatusCode status() {
        return kind.status();
    }
}
