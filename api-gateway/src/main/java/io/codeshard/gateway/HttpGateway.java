package io.codeshard.gateway;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import io.codeshard.gateway.v1.ParsingErrorAnswers;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ServerSettings;

/**
 * Binds the gateway's routes with Pekko HTTP. Server settings come from {@code pekko.http.server}
 * (gateway.conf sets the timeouts long executions need); the request body limit from
 * {@code codeshard.gateway.max-body-bytes}. Requests too malformed to reach a route are answered by
 * {@link ParsingErrorAnswers}.
 */
public final class HttpGateway {
    /** How long in-flight requests get to finish when the node shuts down. */
    private static final Duration SHUTDOWN_DEADLINE = Duration.ofSeconds(10);

    private HttpGateway() {}

    public static CompletionStage<ServerBinding> bind(ActorSystem<?> system, String host, int port, Route route) {
        ServerSettings defaults = ServerSettings.create(system.classicSystem());
        long maxBodyBytes = system.settings().config().getBytes("codeshard.gateway.max-body-bytes");
        ServerSettings settings = defaults.withParserSettings(defaults.getParserSettings().withMaxContentLength(maxBodyBytes))
                .withParsingErrorHandler(ParsingErrorAnswers.class.getName());
        return Http.get(system).newServerAt(host, port).withSettings(settings).bind(route)
                .thenApply(binding -> binding.addToCoordinatedShutdown(SHUTDOWN_DEADLINE, system));
    }
}
