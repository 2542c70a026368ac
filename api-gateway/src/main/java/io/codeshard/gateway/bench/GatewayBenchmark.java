package io.codeshard.gateway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.codeshard.gateway.HttpGateway;
import io.codeshard.gateway.v1.V1Routes;
import io.codeshard.node.CodeshardNode;
import io.codeshard.node.bench.Latencies;
import io.codeshard.node.interpreter.ExecutionRequest;
import io.codeshard.node.interpreter.Interpreter;
import io.codeshard.node.interpreter.InterpreterSpec;
import io.codeshard.protocol.Json;
import io.codeshard.protocol.Language;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./codeshard bench gateway}: the all-in-one service in this JVM, measured through HTTP next to
 * the interpreter API alone in the same run:
 * <ul>
 *   <li>trivial runCode round trip: POST /v1/execute (JSON answer) vs. {@link Interpreter#execute} directly</li>
 *   <li>context create latency: POST /v1/contexts</li>
 *   <li>executions per second across 50 contexts driven concurrently</li>
 * </ul>
 */
public final class GatewayBenchmark {
    private static final int ROUND_TRIPS = 1000;
    private static final int CREATES = 100;
    private static final int CONTEXTS = 50;
    private static final int EXECUTIONS_PER_CONTEXT = 40;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String base;

    private GatewayBenchmark(String base) {
        this.base = base;
    }

    public static void main(String[] args) throws Exception {
        Path dataDir = Files.createTempDirectory("codeshard-bench-");
        // Overrides go below the application config before it is resolved, so the journal URL follows the data dir.
        try (CodeshardNode node = CodeshardNode.start(ConfigFactory.load(ConfigFactory.parseString(
                        "codeshard.data-dir = \"" + dataDir + "\"\npekko.remote.artery.canonical.port = 0\npekko.loglevel = WARNING")
                .withFallback(ConfigFactory.defaultApplication())))) {
            var binding = HttpGateway.bind(node.system(), "127.0.0.1", 0, new V1Routes(node.contexts(), node.defaults()).route())
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
            GatewayBenchmark bench = new GatewayBenchmark("http://127.0.0.1:" + binding.localAddress().getPort());
            bench.roundTrips(node);
            bench.creates();
            bench.throughput();
        }
    }

    private void roundTrips(CodeshardNode node) throws Exception {
        System.out.println("== trivial cell round trip (`1`), " + ROUND_TRIPS + " sequential ==");
        double[] direct;
        try (Interpreter interpreter = node.runtimeHost().open(new InterpreterSpec(Language.PYTHON,
                Files.createTempDirectory("codeshard-bench-"), Map.of())).get(30, TimeUnit.SECONDS)) {
            direct = time(ROUND_TRIPS, () -> interpreter.execute(ExecutionRequest.of("1"), e -> { }).get());
        }
        String contextId = post("/v1/contexts", "{\"language\":\"python\"}").path("id").asText();
        String body = "{\"code\":\"1\",\"contextId\":\"" + contextId + "\"}";
        double[] health = time(ROUND_TRIPS, () -> get("/v1/health"));
        double[] lookup = time(ROUND_TRIPS, () -> get("/v1/contexts/" + contextId));
        double[] gateway = time(ROUND_TRIPS, () -> post("/v1/execute", body));
        report("HTTP alone (GET /v1/health)", health);
        report("HTTP + entity ask (GET /v1/contexts/{id})", lookup);
        report("interpreter API alone", direct);
        report("runCode via gateway (HTTP+sharding+entity)", gateway);
        double gatewayMedian = Latencies.percentile(gateway, 50);
        double directMedian = Latencies.percentile(direct, 50);
        System.out.printf("  gateway/interpreter (median): %.2fx, overhead %.3f ms%n", gatewayMedian / directMedian, gatewayMedian - directMedian);
    }

    private void creates() throws Exception {
        System.out.println("\n== context create (POST /v1/contexts), " + CREATES + " sequential each ==");
        for (Language language : List.of(Language.PYTHON, Language.JAVASCRIPT)) {
            String body = "{\"language\":\"" + language.wireName() + "\"}";
            // a pause between creates (not timed) lets the warm pool refill, as between users
            long pauseMs = language == Language.PYTHON ? 20 : 250;
            double[] samples = time(CREATES, () -> post("/v1/contexts", body), pauseMs);
            report(language.wireName(), samples);
        }
    }

    private void throughput() throws Exception {
        System.out.println("\n== executions per second, " + CONTEXTS + " contexts x " + EXECUTIONS_PER_CONTEXT + " executions, concurrent ==");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < CONTEXTS; i++) {
            ids.add(post("/v1/contexts", "{\"language\":\"python\"}").path("id").asText());
        }
        ExecutorService clients = Executors.newFixedThreadPool(CONTEXTS);
        long t0 = System.nanoTime();
        List<Future<?>> done = new ArrayList<>();
        for (String id : ids) {
            String body = "{\"code\":\"x = 1\",\"contextId\":\"" + id + "\"}";
            done.add(clients.submit(() -> {
                for (int i = 0; i < EXECUTIONS_PER_CONTEXT; i++) {
                    post("/v1/execute", body);
                }
                return null;
            }));
        }
        for (Future<?> future : done) {
            future.get();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        clients.shutdown();
        System.out.printf("  %d executions in %.1f s: %.0f executions/s on one node (2 cores)%n",
                CONTEXTS * EXECUTIONS_PER_CONTEXT, seconds, CONTEXTS * EXECUTIONS_PER_CONTEXT / seconds);
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(path + " answered " + response.statusCode() + ": " + response.body());
        }
        return Json.mapper().readTree(response.body());
    }

    private JsonNode post(String path, String json) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(path + " answered " + response.statusCode() + ": " + response.body());
        }
        return Json.mapper().readTree(response.body());
    }

    private interface Step {
        Object run() throws Exception;
    }

    private static double[] time(int n, Step step) throws Exception {
        return time(n, step, 0);
    }

    private static double[] time(int n, Step step, long pauseMs) throws Exception {
        for (int i = 0; i < Math.min(100, n); i++) {
            step.run();
        }
        double[] samples = new double[n];
        for (int i = 0; i < n; i++) {
            Thread.sleep(pauseMs);
            long t0 = System.nanoTime();
            step.run();
            samples[i] = (System.nanoTime() - t0) / 1e6;
        }
        return samples;
    }

    private static void report(String what, double[] samples) {
        Latencies.report(what, 44, samples);
    }
}
