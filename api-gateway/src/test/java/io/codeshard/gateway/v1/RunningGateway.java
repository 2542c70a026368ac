package io.codeshard.gateway.v1;

import com.fasterxml.jackson.databind.JsonNode;
import io.codeshard.gateway.HttpGateway;
import io.codeshard.gateway.TestNodes;
import io.codeshard.node.CodeshardNode;
import io.codeshard.node.context.ContextService;
import io.codeshard.protocol.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A real codeshard node ({@link TestNodes}: actor system, H2 journal in a fresh directory, sharding,
 * interpreter host) with the /v1 routes bound on a free port, shared by every test class of the JVM: test
 * classes take it as a parameter through {@link Extension}.
 */
final class RunningGateway implements AutoCloseable {
    final CodeshardNode node;
    final ServerBinding binding;
    final String baseUrl;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private RunningGateway(CodeshardNode node, ServerBinding binding) {
        this.node = node;
        this.binding = binding;
        this.baseUrl = "http://127.0.0.1:" + binding.localAddress().getPort();
    }

    /** Starts a node with the given extra config; {@code routes} builds the route from the node's service. */
    static RunningGateway start(String extraConfig, Function<CodeshardNode, V1Routes> routes) throws Exception {
        CodeshardNode node = TestNodes.start(extraConfig);
        try {
            ServerBinding binding = HttpGateway.bind(node.system(), "127.0.0.1", 0, routes.apply(node).route())
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
            return new RunningGateway(node, binding);
        } catch (Exception e) {
            node.close();
            throw e;
        }
    }

    /** A sandbox of its own for a test, so that tests do not see each other's contexts. */
    static String freshSandbox() {
        return "t-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Override
    public void close() {
        binding.unbind();
        node.close();
    }

    // ---- requests ----

    /** An answer, its body as text. */
    record Reply(int status, HttpResponse<String> response) {
        String body() {
            return response.body();
        }

        JsonNode json() {
            try {
                return Json.mapper().readTree(response.body());
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON (status " + status + "): " + response.body(), e);
            }
        }

        String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }

        /** The {@code error.code} of an error answer. */
        String errorCode() {
            return json().path("error").path("code").asText(null);
        }
    }

    Reply send(String method, String path, String sandbox, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(60));
        if (sandbox != null) {
            request.header("X-Sandbox-Id", sandbox);
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return send(request.build());
    }

    Reply send(HttpRequest request) {
        try {
            // The whole exchange, body included, has a deadline (the request's timeout covers the headers only).
            HttpResponse<String> response = http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).get(60, TimeUnit.SECONDS);
            return new Reply(response.statusCode(), response);
        } catch (ExecutionException e) {
            throw new UncheckedIOException(e.getCause() instanceof IOException io ? io : new IOException(e.getCause()));
        } catch (TimeoutException e) {
            throw new AssertionError("no complete answer within 60 s to " + request.method() + " " + request.uri());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Reply get(String path, String sandbox) {
        return send("GET", path, sandbox, null);
    }

    Reply post(String path, String sandbox, String body) {
        return send("POST", path, sandbox, body);
    }

    /** Creates a context and returns its JSON, failing the test on anything but 201. */
    JsonNode createContext(String sandbox, String body) {
        Reply reply = post("/v1/contexts", sandbox, body);
        if (reply.status() != 201) {
            throw new AssertionError("create answered " + reply.status() + ": " + reply.body());
        }
        return reply.json();
    }

    /** Runs code with the aggregated JSON answer, failing the test on anything but 200. */
    JsonNode execute(String sandbox, String body) {
        Reply reply = send("POST", "/v1/execute", sandbox, body, "Accept", "application/json");
        if (reply.status() != 200) {
            throw new AssertionError("execute answered " + reply.status() + ": " + reply.body());
        }
        return reply.json();
    }

    /** A JSON object from alternating names and values, for request bodies. */
    static String json(Object... namesAndValues) {
        var node = Json.mapper().createObjectNode();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            node.set((String) namesAndValues[i], Json.mapper().valueToTree(namesAndValues[i + 1]));
        }
        return node.toString();
    }

    /** Reads the lines of a streamed answer (NDJSON or SSE) as they arrive. */
    HttpResponse<java.util.stream.Stream<String>> stream(String sandbox, String accept, String body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/v1/execute"))
                .header("X-Sandbox-Id", sandbox).header("Accept", accept).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofLines());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The events of an NDJSON or SSE body's data lines, in order. */
    static List<JsonNode> events(List<String> lines, boolean sse) {
        List<JsonNode> events = new ArrayList<>();
        for (String line : lines) {
            String json = sse ? (line.startsWith("data:") ? line.substring(5).trim() : null) : (line.isBlank() ? null : line);
            if (json != null) {
                try {
                    events.add(Json.mapper().readTree(json));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return events;
    }

    /** The node's shared gateway for test classes: {@code @ExtendWith(RunningGateway.Extension.class)}. */
    static final class Extension implements ParameterResolver {
        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == RunningGateway.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            // The root store closes it (AutoCloseable) when the whole test run ends.
            return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                    .getOrComputeIfAbsent(RunningGateway.class, key -> {
                        try {
                            return start("", node -> new V1Routes(node.contexts(), node.defaults()));
                        } catch (Exception e) {
                            throw new IllegalStateException("the test gateway did not start", e);
                        }
                    }, RunningGateway.class);
        }
    }

    /** A service whose asks give up quickly, for tests that need a cluster that does not answer. */
    static V1Routes impatientRoutes(CodeshardNode node, Duration askTimeout) {
        return new V1Routes(new ContextService(node.system(), askTimeout, node.defaults()), node.defaults());
    }
}
