package io.codeshard.gateway.v1;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.codeshard.gateway.http.JsonBody;
import io.codeshard.gateway.http.JsonEncoding;
import io.codeshard.gateway.http.SandboxHeader;
import io.codeshard.gateway.tenant.Authentication;
import io.codeshard.node.context.ContextDefaults;
import io.codeshard.node.context.ContextInfo;
import io.codeshard.node.context.ContextService;
import io.codeshard.node.context.ContextSettings;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * The native HTTP API, {@code /v1} (docs/api.md): contexts, execute, health and the OpenAPI document.
 * Routes translate between HTTP and {@link ContextService}; the service and the context entities decide.
 * Every answer under {@code /v1}, errors and unknown routes included, is JSON ({@link ApiErrors}). Everything but
 * health and the OpenAPI document needs an API key ({@code Authorization: Bearer}) when the gateway has keys.
 */
public final class V1Routes extends AllDirectives {
    private static final String OPENAPI_RESOURCE = "io/codeshard/gateway/v1/openapi.json";
    private static final String SANDBOX_HEADER = "X-Sandbox-Id";

    private final ContextService contexts;
    private final ContextDefaults defaults;
    private final Authentication authentication;

    /** The routes of a gateway without API keys. */
    public V1Routes(ContextService contexts, ContextDefaults defaults) {
        this(contexts, defaults, Authentication.none());
    }

    public V1Routes(ContextService contexts, ContextDefaults defaults, Authentication authentication) {
        this.contexts = contexts;
        this.defaults = defaults;
        this.authentication = authentication;
    }

    public Route route() {
        return pathPrefix("v1", () -> withRequestTimeoutResponse(request -> ApiErrors.requestTimedOut(),
                () -> handleExceptions(ApiErrors.exceptionHandler(),
                () -> handleRejections(ApiErrors.rejectionHandler(), () -> concat(
                        path("health", () -> get(() -> complete(JsonEncoding.UTF8.response(StatusCodes.OK, Map.of("status", "ok"))))),
                        path("openapi.json", () -> get(() -> getFromResource(OPENAPI_RESOURCE, ContentTypes.APPLICATION_JSON))),
                        path("contexts", () -> concat(
                                post(() -> inSandbox(this::createContext)),
                                get(() -> inSandbox(this::listContexts)))),
                        path(segment("contexts").slash(segment()), contextId -> concat(
                                get(() -> inSandbox(sandbox -> context(contexts.get(sandbox, contextId), StatusCodes.OK))),
                                delete(() -> inSandbox(sandbox -> deleteContext(sandbox, contextId))))),
                        path(segment("contexts").slash(segment()).slash("restart"), contextId ->
                                post(() -> inSandbox(sandbox -> context(contexts.restart(sandbox, contextId), StatusCodes.OK)))),
                        path("execute", () -> post(() -> inSandbox(this::execute))))))));
    }

    private Route createContext(String sandboxId) {
        return jsonBody(body -> {
            CreateContextRequest request = CreateContextRequest.from(body);
            ContextSettings settings = defaults.settings(request.language(), request.cwd(), request.envVars(),
                    request.timeout(), request.idleTtl()).withRestore(request.restore());
            return context(contexts.create(sandboxId, settings), StatusCodes.CREATED);
        });
    }

    private Route deleteContext(String sandboxId, String contextId) {
        return onSuccess(contexts.delete(sandboxId, contextId), deleted -> complete(StatusCodes.NO_CONTENT));
    }

    private Route listContexts(String sandboxId) {
        return onSuccess(contexts.list(sandboxId), infos -> complete(JsonEncoding.UTF8.response(StatusCodes.OK,
                new ContextJson.Listing(infos.stream().map(ContextJson::of).toList()))));
    }

    private Route execute(String sandboxId) {
        return jsonBody(body -> {
            ExecuteRequest request = ExecuteRequest.from(body);
            return optionalHeaderValueByName("Accept", accept -> {
                ExecutionFormat format = ExecutionFormat.negotiate(accept.orElse(null));
                return onSuccess(contexts.run(sandboxId, request.contextId(), request.language(), request.runRequest()),
                        execution -> format.respond(request.code(), execution.events()));
            });
        });
    }

    /** Answers with the context a service call gives. */
    private Route context(CompletionStage<ContextInfo> context, StatusCode status) {
        return onSuccess(context, info -> complete(JsonEncoding.UTF8.response(status, ContextJson.of(info))));
    }

    /** The sandbox of the request: {@code X-Sandbox-Id} ({@code default} when absent) of the key's tenant. */
    private Route inSandbox(Function<String, Route> inner) {
        return authentication.authenticated(Authentication.BEARER,
                caller -> SandboxHeader.inSandbox(SANDBOX_HEADER, caller.tenant(), inner));
    }

    /** The request body as a JSON object; reading it enforces the gateway's body size limit. */
    private Route jsonBody(Function<JsonBody, Route> inner) {
        return entity(Unmarshaller.entityToByteString(), bytes -> inner.apply(JsonBody.parse(bytes)));
    }
}
