package io.codeshard.gateway.e2b;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.codeshard.gateway.http.FailureAnswers;
import io.codeshard.gateway.http.JsonBody;
import io.codeshard.gateway.http.JsonEncoding;
import io.codeshard.gateway.http.RequestFailure;
import io.codeshard.gateway.http.SandboxHeader;
import io.codeshard.gateway.tenant.Authentication;
import io.codeshard.gateway.tenant.Caller;
import io.codeshard.node.context.ContextDefaults;
import io.codeshard.node.context.ContextInfo;
import io.codeshard.node.context.ContextNotFoundException;
import io.codeshard.node.context.ContextService;
import io.codeshard.node.context.RunRequest;
import io.codeshard.node.context.Workspaces;
import io.codeshard.protocol.Language;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * The E2B-compatible face (WIRE.md §B), what {@code @e2b/code-interpreter} speaks when
 * {@code E2B_SANDBOX_URL} and {@code E2B_API_URL} point at this gateway:
 *
 * <ul>
 *   <li>Data plane (E2B's in-sandbox code interpreter server, chosen by the {@code E2b-Sandbox-Id} header,
 *       {@code default} without it): {@code GET /health}, {@code POST /execute} (NDJSON),
 *       {@code POST|GET /contexts}, {@code POST /contexts/{id}/restart}, {@code DELETE /contexts/{id}}.
 *       Errors are plain text, as E2B's server sends them.</li>
 *   <li>A minimal control plane: {@code POST /v2/sandboxes} (and {@code /sandboxes}, the Python SDK's),
 *       {@code POST /v2/sandboxes/{id}/connect}, {@code GET /sandboxes/{id}}, {@code GET /v2/sandboxes},
 *       {@code POST /sandboxes/{id}/timeout}, {@code DELETE /sandboxes/{id}}. Errors are
 *       {@code {"code", "message"}} JSON, as E2B's API sends them.</li>
 * </ul>
 *
 * With API keys (docs/tenants.md) the control plane takes the key where the SDK sends its {@code E2B_API_KEY}
 * ({@code X-API-Key}), and hands the same key back as the sandbox's {@code envdAccessToken} and
 * {@code trafficAccessToken}: the SDK then sends it on every data-plane call ({@code X-Access-Token} on
 * {@code /execute} and {@code /health}, {@code E2B-Traffic-Access-Token} on {@code /contexts}). No per-sandbox
 * token is kept, so any gateway accepts them, and a key removed from the keys file stops both planes at once.
 * {@code GET /health} stays open; it tells a killed sandbox only to its tenant.
 *
 * Paths this face does not serve are rejected untouched, so that it composes with the other faces.
 */
public final class E2bRoutes extends AllDirectives {
    static final String SANDBOX_HEADER = "E2b-Sandbox-Id";
    /** Where the data plane finds the key: the SDK's envd and traffic tokens first, then the control plane's headers. */
    private static final List<String> DATA_PLANE_KEY = List.of("X-Access-Token", "E2B-Traffic-Access-Token", "X-API-Key",
            Authentication.AUTHORIZATION);
    private static final List<String> CONTROL_PLANE_KEY = List.of("X-API-Key", Authentication.AUTHORIZATION);

    private final ContextService contexts;
    private final E2bSandboxes sandboxes;
    private final Authentication authentication;

    public E2bRoutes(ContextService contexts, ContextDefaults defaults, Authentication authentication) {
        this.contexts = contexts;
        this.sandboxes = new E2bSandboxes(contexts, defaults);
        this.authentication = authentication;
    }

    public Route route() {
        return concat(dataPlane(), controlPlane());
    }

    // ==== data plane ====

    private Route dataPlane() {
        return concat(
                path("health", () -> dataPlaneErrors(() -> get(() -> health()))),
                path("execute", () -> dataPlaneErrors(() -> post(() -> inSandbox(this::execute)))),
                path("contexts", () -> dataPlaneErrors(() -> concat(
                        post(() -> inSandbox(this::createContext)),
                        get(() -> inSandbox(this::listContexts))))),
                path(segment("contexts").slash(segment()), contextId -> dataPlaneErrors(() ->
                        delete(() -> drained(() -> inSandbox(sandbox -> nullAnswer(contextId, contexts.delete(sandbox, contextId))))))),
                path(segment("contexts").slash(segment()).slash("restart"), contextId -> dataPlaneErrors(() ->
                        post(() -> drained(() -> inSandbox(sandbox -> nullAnswer(contextId, contexts.restart(sandbox, contextId))))))));
    }

    /**
     * {@code "OK"}; for a killed sandbox the 502 by which the SDK's {@code isRunning()} tells it is gone (to its
     * tenant only: without a valid key the answer is always OK).
     */
    private Route health() {
        return optionalHeaderValueByName(SANDBOX_HEADER, header -> authentication.identified(DATA_PLANE_KEY, caller -> {
            Optional<String> sandboxId = header.filter(Workspaces::isValidSandboxId);
            if (sandboxId.isPresent() && caller.isPresent() && sandboxes.isKilled(caller.get().tenant().sandboxId(sandboxId.get()))) {
                return complete(sandboxGone(sandboxId.get()));
            }
            return complete(JsonEncoding.ASCII.response(StatusCodes.OK, TextNode.valueOf("OK")));
        }));
    }

    private Route execute(String sandboxId) {
        return jsonBody(body -> {
            String code = body.requiredString("code");
            String contextId = body.string("context_id");
            String languageName = body.string("language");
            Map<String, String> envVars = body.envVars("env_vars");
            if (contextId != null && languageName != null) {
                return complete(text(StatusCodes.BAD_REQUEST, "Only one of context_id or language can be provided"));
            }
            Language language = languageName == null ? null : Language.parse(languageName);
            RunRequest run = new RunRequest(code, 0, envVars);
            // Without a context id: the default python and javascript contexts come first in the listing, as in E2B,
            // and the default context that runs the code has the sandbox's env vars.
            CompletionStage<Map<String, String>> sandboxEnvs = contextId != null
                    ? CompletableFuture.completedFuture(Map.of())
                    : sandboxes.ensureDefaults(sandboxId).thenCompose(ready -> sandboxes.envs(sandboxId));
            CompletionStage<ContextService.Execution> started = sandboxEnvs.thenCompose(env ->
                    contexts.run(sandboxId, contextId, language, run, chosen -> sandboxes.settings(chosen, null, env)));
            return onSuccess(notFoundAs(contextId, started), execution -> complete(E2bExecutionStream.response(execution.events())));
        });
    }

    private Route createContext(String sandboxId) {
        return jsonBody(body -> {
            Language language = body.language("language");
            String cwd = body.string("cwd");
            CompletionStage<ContextInfo> created = sandboxes.ensureDefaults(sandboxId)
                    .thenCompose(ready -> sandboxes.envs(sandboxId))
                    .thenCompose(env -> contexts.create(sandboxId, sandboxes.settings(language, cwd, env)));
            return onSuccess(created, info -> complete(JsonEncoding.ASCII.response(StatusCodes.OK, contextJson(info))));
        });
    }

    private Route listContexts(String sandboxId) {
        CompletionStage<List<ContextInfo>> listing = sandboxes.ensureDefaults(sandboxId).thenCompose(ready -> contexts.list(sandboxId));
        return onSuccess(listing, infos -> {
            ArrayNode array = JsonNodeFactory.instance.arrayNode();
            infos.forEach(info -> array.add(contextJson(info)));
            return complete(JsonEncoding.ASCII.response(StatusCodes.OK, array));
        });
    }

    /** Answers {@code null} (E2B's answer to restart and delete) once the operation succeeded. */
    private Route nullAnswer(String contextId, CompletionStage<ContextInfo> operation) {
        return onSuccess(notFoundAs(contextId, operation), info -> complete(JsonEncoding.ASCII.response(StatusCodes.OK, NullNode.getInstance())));
    }

    private static ObjectNode contextJson(ContextInfo info) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("id", info.id());
        json.put("language", info.settings().language().wireName());
        json.put("cwd", info.settings().cwd());
        return json;
    }

    /**
     * The request's sandbox ({@code E2b-Sandbox-Id}, {@code default} when absent) of the key's tenant; a killed one
     * answers 502.
     */
    private Route inSandbox(Function<String, Route> inner) {
        return authentication.authenticated(DATA_PLANE_KEY, caller -> SandboxHeader.inSandbox(SANDBOX_HEADER, caller.tenant(),
                sandboxId -> sandboxes.isKilled(sandboxId)
                        ? complete(sandboxGone(caller.tenant().clientSandboxId(sandboxId)))
                        : inner.apply(sandboxId)));
    }

    /** E2B's answer for a sandbox that is not running (what its proxy sends), which the SDK maps to "killed". */
    private static HttpResponse sandboxGone(String sandboxId) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("sandboxId", sandboxId);
        body.put("message", "The sandbox was not found: it was killed or it timed out");
        body.put("code", 502);
        return JsonEncoding.ASCII.response(StatusCodes.BAD_GATEWAY, body);
    }

    /** The request body as a JSON object; reading it enforces the gateway's body size limit. */
    private Route jsonBody(Function<JsonBody, Route> inner) {
        return entity(Unmarshaller.entityToByteString(), bytes -> inner.apply(JsonBody.parseLoosely(bytes)));
    }

    /** Reads (and ignores) a body the answer does not depend on: answering before it is read closes the connection. */
    private Route drained(java.util.function.Supplier<Route> inner) {
        return entity(Unmarshaller.entityToByteString(), ignored -> inner.get());
    }

    /** Data-plane errors as E2B's server answers them: plain text, {@code Context <id> not found} for 404. */
    private Route dataPlaneErrors(java.util.function.Supplier<Route> inner) {
        return errors(false, inner);
    }

    private static <T> CompletionStage<T> notFoundAs(String contextId, CompletionStage<T> stage) {
        return stage.exceptionallyCompose(failure -> ContextService.unwrap(failure) instanceof ContextNotFoundException && contextId != null
                ? CompletableFuture.failedStage(new ContextNotFoundException(contextId))
                : CompletableFuture.failedStage(ContextService.unwrap(failure)));
    }

    // ==== control plane ====

    private Route controlPlane() {
        return concat(
                path(segment("v2").slash("sandboxes"), () -> controlPlaneErrors(() -> concat(
                        post(() -> asCaller(this::createSandbox)),
                        get(() -> asCaller(this::listSandboxes))))),
                path("sandboxes", () -> controlPlaneErrors(() -> concat(
                        post(() -> asCaller(this::createSandbox)),
                        get(() -> asCaller(this::listSandboxes))))),
                path(segment("v2").slash("sandboxes").slash(segment()).slash("connect"), id -> controlPlaneErrors(() ->
                        post(() -> asCaller(caller -> connect(caller, id))))),
                path(segment("sandboxes").slash(segment()).slash("connect"), id -> controlPlaneErrors(() ->
                        post(() -> asCaller(caller -> connect(caller, id))))),
                path(segment("sandboxes").slash(segment()).slash("timeout"), id -> controlPlaneErrors(() ->
                        post(() -> asCaller(caller -> setTimeout(caller, id))))),
                path(segment("sandboxes").slash(segment()).slash("refreshes"), id -> controlPlaneErrors(() ->
                        post(() -> asCaller(caller -> drained(() -> known(caller, id, info -> complete(StatusCodes.NO_CONTENT))))))),
                path(segment("sandboxes").slash(segment()), id -> controlPlaneErrors(() -> concat(
                        get(() -> asCaller(caller -> known(caller, id, info ->
                                complete(JsonEncoding.ASCII.response(StatusCodes.OK, sandboxJson(caller, info, true)))))),
                        delete(() -> asCaller(caller -> drained(() -> kill(caller, id))))))));
    }

    /** The control plane's caller, by the key the SDK sends as {@code X-API-Key}. */
    private Route asCaller(Function<Caller, Route> inner) {
        return authentication.authenticated(CONTROL_PLANE_KEY, inner);
    }

    private Route createSandbox(Caller caller) {
        return jsonBody(body -> {
            Long timeout = body.integer("timeout");
            CompletionStage<E2bSandboxes.Info> created = sandboxes.create(caller.tenant(), body.string("templateID"),
                    body.envVars("envVars"), body.stringMap("metadata"), timeout);
            return onSuccess(created, info -> complete(JsonEncoding.ASCII.response(StatusCodes.CREATED, sandboxJson(caller, info, false))));
        });
    }

    private Route listSandboxes(Caller caller) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        sandboxes.running(caller.tenant()).forEach(info -> array.add(sandboxJson(caller, info, true)));
        return complete(JsonEncoding.ASCII.response(StatusCodes.OK, array));
    }

    private Route connect(Caller caller, String sandboxId) {
        return drained(() -> known(caller, sandboxId, info ->
                complete(JsonEncoding.ASCII.response(StatusCodes.OK, sandboxJson(caller, info, false)))));
    }

    private Route setTimeout(Caller caller, String sandboxId) {
        return known(caller, sandboxId, info -> jsonBody(body -> {
            Long timeout = body.integer("timeout");
            if (timeout != null) {
                sandboxes.setTimeout(info.id(), timeout);
            }
            return complete(StatusCodes.NO_CONTENT);
        }));
    }

    private Route kill(Caller caller, String sandboxId) {
        if (!Workspaces.isValidSandboxId(sandboxId)) {
            return complete(apiError(StatusCodes.NOT_FOUND, "sandbox \"" + sandboxId + "\" not found"));
        }
        return onSuccess(sandboxes.kill(caller.tenant().sandboxId(sandboxId)), existed -> existed
                ? complete(StatusCodes.NO_CONTENT)
                : complete(apiError(StatusCodes.NOT_FOUND, "sandbox \"" + sandboxId + "\" not found")));
    }

    /**
     * A sandbox of the caller's tenant the control plane can talk about ({@link E2bSandboxes#find}); else 404, which
     * is also the answer for another tenant's sandbox.
     */
    private Route known(Caller caller, String sandboxId, Function<E2bSandboxes.Info, Route> inner) {
        if (!Workspaces.isValidSandboxId(sandboxId)) {
            return complete(apiError(StatusCodes.NOT_FOUND, "sandbox \"" + sandboxId + "\" not found"));
        }
        return onSuccess(sandboxes.find(caller.tenant().sandboxId(sandboxId)), found -> found
                .map(inner)
                .orElseGet(() -> complete(apiError(StatusCodes.NOT_FOUND, "sandbox \"" + sandboxId + "\" not found"))));
    }

    /**
     * The sandbox as E2B's API describes it to {@code caller} (its id in the caller's namespace, the caller's key as
     * its tokens when the gateway has keys); {@code detail} adds the fields of {@code GET /sandboxes/{id}}.
     */
    private static ObjectNode sandboxJson(Caller caller, E2bSandboxes.Info info, boolean detail) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("sandboxID", caller.tenant().clientSandboxId(info.id()));
        json.put("templateID", info.templateId());
        json.put("clientID", info.clientId());
        json.put("envdVersion", E2bSandboxes.ENVD_VERSION);
        if (caller.key() != null) {
            json.put("envdAccessToken", caller.key());
            json.put("trafficAccessToken", caller.key());
        } else if (info.envdAccessToken() != null) {
            json.put("envdAccessToken", info.envdAccessToken());
        }
        json.putNull("domain");
        if (detail) {
            json.put("startedAt", info.startedAt().toString());
            json.put("endAt", info.endAt().toString());
            json.put("state", "running");
            json.put("cpuCount", Runtime.getRuntime().availableProcessors());
            json.put("memoryMB", Runtime.getRuntime().maxMemory() / (1024 * 1024));
            ObjectNode metadata = json.putObject("metadata");
            info.metadata().forEach(metadata::put);
        }
        return json;
    }

    private static HttpResponse apiError(StatusCode status, String message) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("code", status.intValue());
        body.put("message", message);
        return JsonEncoding.ASCII.response(status, body);
    }

    /** Control-plane errors as E2B's API answers them: {@code {code, message}} JSON. */
    private Route controlPlaneErrors(java.util.function.Supplier<Route> inner) {
        return errors(true, inner);
    }

    // ==== errors shared by both planes ====

    /** Exceptions and rejections of paths this face serves, answered as the plane ({@code api}: control) words them. */
    private Route errors(boolean api, java.util.function.Supplier<Route> inner) {
        Function<RequestFailure, HttpResponse> render = failure -> render(failure, api);
        return handleExceptions(FailureAnswers.exceptionHandler("an E2B request", render),
                () -> handleRejections(FailureAnswers.servedPathsRejectionHandler(render), inner));
    }

    /**
     * A failure as E2B answers it: plain text on the data plane, {@code {code, message}} on the control plane.
     * A context's refusal in its current state is a 500 there, and a wrong method says only so.
     */
    private static HttpResponse render(RequestFailure failure, boolean api) {
        StatusCode status = failure.kind() == RequestFailure.Kind.CONFLICT ? StatusCodes.INTERNAL_SERVER_ERROR : failure.status();
        String message = failure.kind() == RequestFailure.Kind.METHOD_NOT_ALLOWED ? "Method Not Allowed" : failure.message();
        return api ? apiError(status, message) : text(status, message);
    }

    private static HttpResponse text(StatusCode status, String body) {
        return HttpResponse.create().withStatus(status).withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, body));
    }
}
