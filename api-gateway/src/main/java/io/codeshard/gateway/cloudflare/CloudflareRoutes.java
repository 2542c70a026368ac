package io.codeshard.gateway.cloudflare;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.codeshard.gateway.http.BadField;
import io.codeshard.gateway.http.JsonBody;
import io.codeshard.gateway.http.JsonEncoding;
import io.codeshard.gateway.http.SandboxHeader;
import io.codeshard.gateway.tenant.Authentication;
import io.codeshard.node.context.ContextDefaults;
import io.codeshard.node.context.ContextService;
import io.codeshard.node.context.LanguageMismatchException;
import io.codeshard.protocol.Language;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * The Cloudflare-compatible face (docs/compat.md): the code-interpreter routes of the Cloudflare Sandbox
 * container API under {@code /api}, as {@code @cloudflare/sandbox}'s {@code SandboxClient.interpreter} calls them.
 * Routes translate between that wire and {@link ContextService}; the service and the context entities decide.
 *
 * <p>The sandbox is the one the client's Durable Object names in {@code X-Sandbox-Id} (a Sandbox sends its
 * object id there), {@code default} when absent, as in the native API; its contexts share one workspace.
 * Every answer under {@code /api}, errors and unknown routes included, is JSON or the event stream. Everything but
 * the health check needs an API key ({@code Authorization: Bearer}) when the gateway has keys.
 */
public final class CloudflareRoutes extends AllDirectives {
    private static final String SANDBOX_HEADER = "X-Sandbox-Id";

    private final ContextService contexts;
    private final ContextDefaults defaults;
    private final Authentication authentication;

    public CloudflareRoutes(ContextService contexts, ContextDefaults defaults, Authentication authentication) {
        this.contexts = contexts;
        this.defaults = defaults;
        this.authentication = authentication;
    }

    /** {@code {success, contextId, language, cwd, timestamp}}: the client reads contextId, language and cwd. */
    record Created(boolean success, String contextId, Language language, String cwd, Instant timestamp) {}

    /** {@code {success, contexts: [{id, language, cwd}], timestamp}}. */
    record Listing(boolean success, List<Summary> contexts, Instant timestamp) {
        record Summary(String id, Language language, String cwd) {}
    }

    record Deleted(boolean success, String contextId, Instant timestamp) {}

    record Health(boolean success, String status, Instant timestamp) {}

    public Route route() {
        return pathPrefix("api", () -> withRequestTimeoutResponse(
                request -> CloudflareErrors.requestTimedOut(),
                () -> handleExceptions(CloudflareErrors.exceptionHandler(null, null),
                () -> handleRejections(CloudflareErrors.rejectionHandler(), () -> concat(
                        path(segment("interpreter").slash("health"), () -> get(() ->
                                complete(JsonEncoding.ASCII.response(StatusCodes.OK, new Health(true, "healthy", Instant.now()))))),
                        path("contexts", () -> concat(
                                post(() -> inSandbox(this::createContext)),
                                get(() -> inSandbox(this::listContexts)))),
                        path(segment("contexts").slash(segment()), contextId ->
                                delete(() -> inSandbox(sandbox -> deleteContext(sandbox, contextId)))),
                        path(segment("execute").slash("code"), () -> post(() -> inSandbox(this::executeCode))))))));
    }

    private Route createContext(String sandboxId) {
        return body(CloudflareRequests.CreateContext::from, CloudflareErrors.CREATE, request ->
                onSuccess(contexts.create(sandboxId, request.settings(defaults)), info -> complete(JsonEncoding.ASCII.response(
                        StatusCodes.OK, new Created(true, info.id(), info.settings().language(), info.settings().cwd(), Instant.now())))));
    }

    private Route listContexts(String sandboxId) {
        return onSuccess(contexts.list(sandboxId), infos -> complete(JsonEncoding.ASCII.response(StatusCodes.OK, new Listing(true,
                infos.stream().map(info -> new Listing.Summary(info.id(), info.settings().language(), info.settings().cwd())).toList(),
                Instant.now()))));
    }

    private Route deleteContext(String sandboxId, String contextId) {
        return handleExceptions(CloudflareErrors.exceptionHandler(contextId, CloudflareErrors.DELETE), () ->
                onSuccess(contexts.delete(sandboxId, contextId), deleted ->
                        complete(JsonEncoding.ASCII.response(StatusCodes.OK, new Deleted(true, contextId, Instant.now())))));
    }

    private Route executeCode(String sandboxId) {
        return body(CloudflareRequests.ExecuteCode::from, CloudflareErrors.EXECUTE, request ->
                handleExceptions(CloudflareErrors.exceptionHandler(request.contextId(), CloudflareErrors.EXECUTE), () ->
                        onSuccess(start(sandboxId, request), execution -> complete(ExecutionStream.response(execution.events())))));
    }

    /**
     * Hands the cell to its context. A language given with a context must be the context's: that mistake is in
     * the request's {@code language} field.
     */
    private CompletionStage<ContextService.Execution> start(String sandboxId, CloudflareRequests.ExecuteCode request) {
        return contexts.run(sandboxId, request.contextId(), request.language(), request.runRequest())
                .exceptionallyCompose(failure -> CompletableFuture.failedStage(
                        ContextService.unwrap(failure) instanceof LanguageMismatchException mismatch
                                ? new BadField("language", mismatch.getMessage())
                                : failure));
    }

    /** The sandbox of the request: {@code X-Sandbox-Id} ({@code default} when absent) of the key's tenant. */
    private Route inSandbox(Function<String, Route> inner) {
        return authentication.authenticated(Authentication.BEARER,
                caller -> SandboxHeader.inSandbox(SANDBOX_HEADER, caller.tenant(), inner));
    }

    /** The request body as {@code reader} makes it of the JSON object; reading it enforces the gateway's body size limit. */
    private <T> Route body(Function<JsonBody, T> reader, String operation, Function<T, Route> inner) {
        return handleExceptions(CloudflareErrors.exceptionHandler(null, operation), () ->
                entity(Unmarshaller.entityToByteString(), bytes -> inner.apply(reader.apply(JsonBody.parse(bytes)))));
    }
}
