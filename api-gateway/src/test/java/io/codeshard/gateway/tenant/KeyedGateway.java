package io.codeshard.gateway.tenant;

import com.fasterxml.jackson.databind.JsonNode;
import io.codeshard.gateway.HttpGateway;
import io.codeshard.gateway.Main;
import io.codeshard.gateway.TestNodes;
import io.codeshard.node.CodeshardNode;
import io.codeshard.protocol.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A real node whose gateway serves all three faces with API keys from a keys file (read again every 200 ms),
 * shared by the test classes of the JVM through {@link Extension}. Its quotas: 4 contexts per tenant, no
 * per-node limit (a test binds its own routes for that), cells up to 1 KiB of code. Every test takes tenants of
 * its own ({@link #newTenant}), so the per-tenant counts of tests do not add up.
 */
public final class KeyedGateway implements AutoCloseable {
    static final int CONTEXTS_PER_TENANT = 4;
    static final int MAX_CODE_BYTES = 1024;

    public final CodeshardNode node;
    public final String baseUrl;
    final Path keysFile;
    private final ServerBinding binding;
    private final Map<String, String> entries = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private KeyedGateway(CodeshardNode node, ServerBinding binding, Path keysFile) {
        this.node = node;
        this.binding = binding;
        this.keysFile = keysFile;
        this.baseUrl = "http://127.0.0.1:" + binding.localAddress().getPort();
    }

    static KeyedGateway start() throws Exception {
        Path keysFile = Files.createTempDirectory("codeshard-keys-").resolve("api-keys");
        Files.writeString(keysFile, "# tenants of the tests\n");
        CodeshardNode node = TestNodes.start("codeshard.gateway.auth.keys-file = \"" + keysFile + "\"\n"
                + "codeshard.gateway.quotas.contexts-per-tenant = " + CONTEXTS_PER_TENANT + "\n"
                + "codeshard.gateway.quotas.retry-after = 7s\n"
                + "codeshard.gateway.max-code-bytes = " + MAX_CODE_BYTES + "\n");
        try {
            ApiKeys keys = ApiKeys.forGateway(node.system().settings().config(), "127.0.0.1").orElseThrow();
            keys.watch(node.system(), Duration.ofMillis(200));
            ServerBinding binding = HttpGateway.bind(node.system(), "127.0.0.1", 0,
                    Main.gatewayRoutes(node, Authentication.of(Optional.of(keys)))).toCompletableFuture().get(30, TimeUnit.SECONDS);
            return new KeyedGateway(node, binding, keysFile);
        } catch (Exception e) {
            node.close();
            throw e;
        }
    }

    /** A new tenant with one key, written to the keys file; returns the key once the gateway accepts it. */
    public synchronized String newTenant(String prefix) {
        String tenant = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        String key = "csk_test_" + UUID.randomUUID();
        addKey(tenant, key);
        awaitStatus(key, 200);
        return key;
    }

    /** Appends a key to the keys file (without waiting for the gateway to see it). */
    synchronized void addKey(String tenant, String key) {
        entries.put(key, tenant + ":" + ApiKeys.hash(key));
        writeKeys();
    }

    /** Removes a key from the keys file (without waiting). */
    synchronized void removeKey(String key) {
        entries.remove(key);
        writeKeys();
    }

    private void writeKeys() {
        StringBuilder text = new StringBuilder("# tenants of the tests\n");
        entries.values().forEach(entry -> text.append(entry).append('\n'));
        try {
            Path next = keysFile.resolveSibling("api-keys.next");
            Files.writeString(next, text);
            Files.move(next, keysFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits (up to 5 s) until {@code GET /v1/contexts} with {@code key} answers {@code status}; returns how long it
     * took in ms.
     */
    long awaitStatus(String key, int status) {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(5);
        int last;
        do {
            last = send("GET", "/v1/contexts", null, "Authorization", "Bearer " + key).status();
            if (last == status) {
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            }
            sleep(50);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("GET /v1/contexts with the key still answers " + last + ", not " + status + ", after 5 s");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        binding.unbind();
        node.close();
    }

    // ---- requests ----

    /** An answer. */
    public record Reply(int status, HttpResponse<String> response) {
        public String body() {
            return response.body();
        }

        public JsonNode json() {
            try {
                return Json.mapper().readTree(response.body());
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON (status " + status + "): " + response.body(), e);
            }
        }

        public String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }
    }

    /** A request with alternating header names and values; a JSON body when {@code body} is not null. */
    public Reply send(String method, String path, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(60));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> response = http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()).get(60, TimeUnit.SECONDS);
            return new Reply(response.statusCode(), response);
        } catch (Exception e) {
            throw new IllegalStateException(method + " " + path + " failed: " + e, e);
        }
    }

    /** The gateway shared by test classes: {@code @ExtendWith(KeyedGateway.Extension.class)}. */
    public static final class Extension implements ParameterResolver {
        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == KeyedGateway.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                    .getOrComputeIfAbsent(KeyedGateway.class, key -> {
                        try {
                            return start();
                        } catch (Exception e) {
                            throw new IllegalStateException("the keyed test gateway did not start", e);
                        }
                    }, KeyedGateway.class);
        }
    }
}
