package io.codeshard.gateway.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.codeshard.gateway.HttpGateway;
import io.codeshard.gateway.Main;
import io.codeshard.gateway.TestNodes;
import io.codeshard.gateway.fuzz.FuzzRoute.Face;
import io.codeshard.gateway.fuzz.MalformedRequests.Expect;
import io.codeshard.gateway.fuzz.MalformedRequests.FuzzRequest;
import io.codeshard.node.CodeshardNode;
import io.codeshard.node.context.CodeContext;
import io.codeshard.protocol.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Thousands of malformed requests at every route of every face of one real gateway (all-in-one node, all three
 * faces, as {@code ./codeshard run} serves them), from {@link MalformedRequests}' seeded generator. Every request the
 * generator calls malformed must get a 4xx with its face's error body, none may get a 5xx or hang, and afterwards
 * the node still serves and the contexts that existed before are exactly as they were.
 *
 * <p>{@code -Dcodeshard.fuzz.seed=N} and {@code -Dcodeshard.fuzz.requests=N} replay or widen a run; the counts
 * per face and status are printed.
 */
class GatewayFuzzTest {
    private static final long SEED = Long.getLong("codeshard.fuzz.seed", 20261126L);
    private static final int REQUESTS = Integer.getInteger("codeshard.fuzz.requests", 5000);
    private static final int SENDERS = 4;
    private static final Duration ANSWER_DEADLINE = Duration.ofSeconds(20);
    private static final String FUZZ_SANDBOX = "fuzz";
    private static final String FUZZ_E2B_SANDBOX = "fuzz-e2b";

    private static CodeshardNode node;
    private static ServerBinding binding;
    private static int port;
    private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        node = TestNodes.start("");
        binding = HttpGateway.bind(node.system(), "127.0.0.1", 0, Main.gatewayRoutes(node)).toCompletableFuture().get(30, TimeUnit.SECONDS);
        port = binding.localAddress().getPort();
    }

    @AfterAll
    static void stop() {
        if (binding != null) {
            binding.unbind();
        }
        if (node != null) {
            node.close();
        }
    }

    @Test
    void theRouteTableHasEveryOperationOfTheOpenApiDocument() throws Exception {
        JsonNode paths = call("GET", "/v1/openapi.json", Map.of(), null, 200).path("paths");
        Set<String> documented = new TreeSet<>();
        paths.properties().forEach(path -> path.getValue().properties().forEach(operation -> {
            if (!operation.getKey().equals("parameters")) {
                documented.add(operation.getKey().toUpperCase() + " " + path.getKey());
            }
        }));
        Set<String> fuzzed = FuzzRoute.ALL.stream().filter(route -> route.face() == Face.V1)
                .map(route -> route.method() + " " + route.path()).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(documented, fuzzed);
    }

    @Test
    void malformedRequestsAreRefusedWithTheFacesErrorAndChangeNothing() throws Exception {
        Precious precious = Precious.create();
        Map<String, JsonNode> before = precious.snapshot();
        int entitiesBefore = liveContextEntities();

        MalformedRequests generator = new MalformedRequests(SEED, FUZZ_SANDBOX, FUZZ_E2B_SANDBOX);
        Tally tally = new Tally();
        long t0 = System.nanoTime();
        ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int s = 0; s < SENDERS; s++) {
                int first = s;
                done.add(senders.submit(() -> {
                    for (int i = first; i < REQUESTS; i += SENDERS) {
                        send(i, generator.generate(i), tally);
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get(10, TimeUnit.MINUTES);
            }
        } finally {
            senders.shutdownNow();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        tally.print(seconds);
        // Each context id a request names makes its entity live (it answers "not found" and stays): what bad ids cost
        System.out.printf("  live CodeContext entities: %d before, %d after the fuzzing%n", entitiesBefore, liveContextEntities());
        // every wrong answer, for reading at leisure
        Files.write(Path.of("target", "gateway-fuzz-problems.txt"), tally.problems);

        assertTrue(tally.problems.isEmpty(), tally.problems.size() + " answers were wrong, e.g.:\n"
                + String.join("\n", tally.problems.subList(0, Math.min(40, tally.problems.size()))));

        // the node still serves: the health routes, and a normal create + run
        call("GET", "/v1/health", Map.of(), null, 200);
        String sandbox = "after-fuzz";
        String id = call("POST", "/v1/contexts", Map.of("X-Sandbox-Id", sandbox), "{\"language\":\"python\"}", 201).path("id").asText();
        JsonNode run = call("POST", "/v1/execute", Map.of("X-Sandbox-Id", sandbox), "{\"contextId\":\"" + id + "\",\"code\":\"6 * 7\"}", 200);
        assertEquals("42", run.path("results").path(0).path("text").asText(), run.toString());

        // bad input changed nothing: the same contexts, counts and timestamps, and their variables are still there
        assertEquals(before, precious.snapshot());
        precious.stillWorks();
    }

    @Test
    void aCwdOutsideTheWorkspaceIsAFolderInsideTheSandbox() throws Exception {
        Path sandboxes = Path.of(node.system().settings().config().getString("codeshard.data-dir")).toAbsolutePath().resolve("sandboxes");
        for (String cwd : List.of("/etc", "/", "/root/.ssh", "/workspace/sub")) {
            String sandbox = "cwd-" + Integer.toHexString(cwd.hashCode());
            String id = call("POST", "/v1/contexts", Map.of("X-Sandbox-Id", sandbox),
                    Json.mapper().createObjectNode().put("cwd", cwd).toString(), 201).path("id").asText();
            JsonNode run = call("POST", "/v1/execute", Map.of("X-Sandbox-Id", sandbox),
                    "{\"contextId\":\"" + id + "\",\"code\":\"import os; os.getcwd()\"}", 200);
            String actual = run.path("results").path(0).path("text").asText().replace("'", "");
            assertTrue(Path.of(actual).startsWith(sandboxes.resolve(sandbox)), cwd + " became " + actual);
            call("DELETE", "/v1/contexts/" + id, Map.of("X-Sandbox-Id", sandbox), null, 204);
        }
    }

    private static int liveContextEntities() throws Exception {
        return AskPattern.<org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery, ShardRegion.CurrentShardRegionState>ask(ClusterSharding.get(node.system()).shardState(),
                        replyTo -> new GetShardRegionState(CodeContext.TYPE_KEY, replyTo), Duration.ofSeconds(10), node.system().scheduler())
                .toCompletableFuture().get(10, TimeUnit.SECONDS)
                .getShards().stream().mapToInt(shard -> shard.getEntityIds().size()).sum();
    }

    // ---- sending and judging ----

    private static void send(int index, FuzzRequest request, Tally tally) {
        RawHttp.Answer answer;
        try {
            answer = RawHttp.exchange(port, request.bytes(), request.halfClose(), ANSWER_DEADLINE);
        } catch (RawHttp.NoAnswer e) {
            if (e.timedOut) {
                tally.add(request, "hang", "#" + index + " " + describe(request) + ": " + e.getMessage());
            } else {
                tally.add(request, "closed", request.halfClose() ? null : "#" + index + " " + describe(request) + ": " + e.getMessage());
            }
            return;
        } catch (IOException e) {
            tally.add(request, "io-error", "#" + index + " " + describe(request) + ": " + e);
            return;
        }
        tally.add(request, String.valueOf(answer.status()), judge(request, answer).map(problem -> "#" + index + " " + describe(request)
                + " -> " + answer.status() + " " + problem + ": " + preview(answer.body())).orElse(null));
    }

    /** What is wrong with an answer, if anything. */
    private static Optional<String> judge(FuzzRequest request, RawHttp.Answer answer) {
        int status = answer.status();
        if (status >= 500) {
            return Optional.of("a server error");
        }
        if (request.expect() == Expect.REFUSED && (status < 400 || status >= 500)) {
            return Optional.of("not refused");
        }
        if (status < 400 || request.bodyless()) {
            return Optional.empty();
        }
        if (faceShaped(request.face(), answer) || (request.outsideFace() && faceShaped(Face.NONE, answer))) {
            return Optional.empty();
        }
        return Optional.of("not the " + request.face() + " error body (Content-Type " + answer.header("content-type") + ")");
    }

    /** Whether an error answer has the body its face promises (docs/api.md, docs/compat.md). */
    private static boolean faceShaped(Face face, RawHttp.Answer answer) {
        String type = String.valueOf(answer.header("content-type"));
        if (face == Face.E2B_DATA) {
            return type.startsWith("text/plain") && !answer.text().isBlank();
        }
        if (!type.startsWith("application/json")) {
            return false;
        }
        JsonNode body;
        try {
            body = Json.mapper().readTree(answer.body());
        } catch (IOException e) {
            return false;
        }
        return switch (face) {
            case V1, NONE -> body.path("error").path("code").isTextual() && !body.path("error").path("message").asText().isBlank();
            case CLOUDFLARE -> body.path("code").isTextual() && body.path("message").isTextual()
                    && body.path("httpStatus").asInt() == answer.status();
            case E2B_CONTROL -> body.path("code").asInt() == answer.status() && body.path("message").isTextual();
            case E2B_DATA -> false;
        };
    }

    private static String describe(FuzzRequest request) {
        byte[] bytes = request.bytes();
        String tail = bytes.length > 400 ? " ... " + preview(java.util.Arrays.copyOfRange(bytes, bytes.length - 120, bytes.length)) : "";
        return request.route() + " [" + request.kind() + "] " + preview(bytes) + tail;
    }

    private static String preview(byte[] bytes) {
        String text = new String(bytes, 0, Math.min(bytes.length, 400), StandardCharsets.ISO_8859_1);
        return text.replace("\r", "\\r").replace("\n", "\\n") + (bytes.length > 400 ? "...(" + bytes.length + " bytes)" : "");
    }

    /** Answers counted by face and status (or "closed", "hang"), and the wrong ones. */
    private static final class Tally {
        private final Map<Face, Map<String, Integer>> counts = new EnumMap<>(Face.class);
        private final Map<String, Integer> kinds = new TreeMap<>();
        private final Map<Expect, Integer> expectations = new EnumMap<>(Expect.class);
        final List<String> problems = Collections.synchronizedList(new ArrayList<>());

        synchronized void add(FuzzRequest request, String outcome, String problem) {
            counts.computeIfAbsent(request.face(), face -> new TreeMap<>()).merge(outcome, 1, Integer::sum);
            kinds.merge(request.kind(), 1, Integer::sum);
            expectations.merge(request.expect(), 1, Integer::sum);
            if (problem != null) {
                problems.add(problem);
            }
        }

        synchronized void print(double seconds) {
            int total = counts.values().stream().flatMap(m -> m.values().stream()).mapToInt(Integer::intValue).sum();
            System.out.printf("gateway fuzz: seed %d, %d requests in %.1f s (%.0f/s), %d wrong answers; %s must be refused, %s may be served%n",
                    SEED, total, seconds, total / seconds, problems.size(), expectations.getOrDefault(Expect.REFUSED, 0),
                    expectations.getOrDefault(Expect.TOLERATED, 0));
            counts.forEach((face, statuses) -> System.out.printf("  %-12s %5d  %s%n", face,
                    statuses.values().stream().mapToInt(Integer::intValue).sum(), statuses));
            System.out.println("  by mistake: " + kinds);
        }
    }

    // ---- what must not change ----

    /**
     * Contexts made before the fuzzing through each face, with state in their interpreters: their listings (ids,
     * settings, execution counts, timestamps) must not change, and their variables must still be there.
     */
    private record Precious(String pythonId, String jsId, String cloudflareId, String e2bSandbox) {
        static final String V1 = "precious";
        static final String CLOUDFLARE = "precious-cf";

        static Precious create() throws Exception {
            Map<String, String> v1 = Map.of("X-Sandbox-Id", V1);
            String python = call("POST", "/v1/contexts", v1, "{\"language\":\"python\",\"envVars\":{\"KEEP\":\"1\"}}", 201).path("id").asText();
            call("POST", "/v1/execute", v1, "{\"contextId\":\"" + python + "\",\"code\":\"x = 42\"}", 200);
            String js = call("POST", "/v1/contexts", v1, "{\"language\":\"javascript\"}", 201).path("id").asText();
            call("POST", "/v1/execute", v1, "{\"contextId\":\"" + js + "\",\"code\":\"const y = 7\"}", 200);
            Map<String, String> cf = Map.of("X-Sandbox-Id", CLOUDFLARE);
            String cloudflare = call("POST", "/api/contexts", cf, "{\"language\":\"python\",\"cwd\":\"/workspace\"}", 200).path("contextId").asText();
            callText("POST", "/api/execute/code", cf, "{\"context_id\":\"" + cloudflare + "\",\"code\":\"w = 5\"}", 200);
            String e2b = call("POST", "/v2/sandboxes", Map.of(), "{\"templateID\":\"code-interpreter-v1\"}", 201).path("sandboxID").asText();
            callText("POST", "/execute", Map.of("E2b-Sandbox-Id", e2b), "{\"code\":\"z = 3\"}", 200);
            return new Precious(python, js, cloudflare, e2b);
        }

        Map<String, JsonNode> snapshot() throws Exception {
            Map<String, JsonNode> state = new TreeMap<>();
            for (String sandbox : List.of(V1, CLOUDFLARE, e2bSandbox, "default")) {
                state.put(sandbox, call("GET", "/v1/contexts", Map.of("X-Sandbox-Id", sandbox), null, 200));
            }
            state.put("e2b sandboxes", Json.mapper().valueToTree(ids(call("GET", "/v2/sandboxes", Map.of(), null, 200))));
            return state;
        }

        private static List<String> ids(JsonNode sandboxes) {
            List<String> ids = new ArrayList<>();
            sandboxes.forEach(sandbox -> ids.add(sandbox.path("sandboxID").asText()));
            return ids;
        }

        void stillWorks() throws Exception {
            Map<String, String> v1 = Map.of("X-Sandbox-Id", V1);
            JsonNode x = call("POST", "/v1/execute", v1, "{\"contextId\":\"" + pythonId + "\",\"code\":\"import os; (x, os.environ['KEEP'])\"}", 200);
            assertEquals("(42, '1')", x.path("results").path(0).path("text").asText(), x.toString());
            assertEquals(2, x.path("executionCount").asInt(), x.toString());
            JsonNode y = call("POST", "/v1/execute", v1, "{\"contextId\":\"" + jsId + "\",\"code\":\"y * 6\"}", 200);
            assertEquals("42", y.path("results").path(0).path("text").asText(), y.toString());
            String w = callText("POST", "/api/execute/code", Map.of("X-Sandbox-Id", CLOUDFLARE),
                    "{\"context_id\":\"" + cloudflareId + "\",\"code\":\"w * 2\"}", 200);
            assertTrue(w.contains("\"text\":\"10\""), w);
            String z = callText("POST", "/execute", Map.of("E2b-Sandbox-Id", e2bSandbox), "{\"code\":\"z * 14\"}", 200);
            assertTrue(z.contains("\"text\":\"42\""), z);
        }
    }

    // ---- well-formed requests of the checks around the fuzzing ----

    private static JsonNode call(String method, String path, Map<String, String> headers, String body, int expected) throws Exception {
        return Json.mapper().readTree(callText(method, path, headers, body, expected));
    }

    private static String callText(String method, String path, Map<String, String> headers, String body, int expected) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(expected, response.statusCode(), method + " " + path + " " + body + " -> " + response.body());
        return response.body();
    }
}
