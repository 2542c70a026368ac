package io.codeshard.gateway.v1;

import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * The answer to a request that Pekko HTTP could not parse (a bad request line, header or framing), given before
 * any face sees it, so in the native API's error shape. Pekko's parser answers some of these with a 5xx
 * (501 for a method or transfer coding it does not know, 505 for an HTTP version other than 1.x); they are the
 * client's mistakes, so they are answered 400 here: a 5xx from the gateway means that the gateway failed.
 * Bound by {@code HttpGateway} ({@code pekko.http.server.parsing.error-handler}).
 */
public final class ParsingErrorAnswers extends ParsingErrorHandler {

    @Override
    public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
        log.debug("unparsable request, answered as a client error: {} {}", status.intValue(), info.formatPretty());
        boolean clientError = status.intValue() >= 400 && status.intValue() < 500;
        String code = status.intValue() == 413 ? "too_large" : "bad_request";
        String message = info.summary().isEmpty() ? status.reason() : info.summary();
        return ApiErrors.response(clientError ? StatusCodes.get(status.intValue()) : StatusCodes.BAD_REQUEST, code, message);
    }
}
