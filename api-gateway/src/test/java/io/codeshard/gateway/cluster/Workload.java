package io.codeshard.gateway.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.codeshard.protocol.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A steady load on a cluster through its gateways' {@code /v1} API, and the books to judge a fault by: contexts
 * spread over several sandboxes, runner threads executing short cells in them continuously (NDJSON streams, so a
 * missing {@code completed} event is seen), a creator adding contexts all along. Every create the service
 * acknowledged (201) is remembered and looked for afterwards; every execution is classified by how it ended.
 */
final class Workload implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** An execution's stream that neither completes nor fails within this long counts as hung. */
    private static final Duration EXECUTION_LIMIT = Duration.ofSeconds(60);
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "workload-watchdog");
        thread.setDaemon(true);
        return thread;
    });
    private static final String CELL = "import time\ntime.sleep(0.02)\nn = globals().get('n', 0) + 1\nprint(n)\nn";

    /** How one execution ended. */
    enum Outcome {
        /** 200 and a stream ending with {@code completed} (with or without an error event). */
        COMPLETED,
        /** Not accepted: a 4xx/5xx answer or no connection; the client knows it did not run. */
        REFUSED,
        /** The connection broke mid-stream (the gateway serving it died): the client sees an I/O error at once. */
        CUT,
        /** The stream ended cleanly without {@code completed}, or stalled past the limit: must never happen. */
        NO_TERMINAL_EVENT
    }

    record Context(String sandbox, String id) {}

    /** How an execution ended, with the events it received. */
    record Ending(Outcome outcome, List<JsonNode> events) {
        List<String> errorNames() {
            return events.stream().filter(e -> e.path("type").asText().equals("error")).map(e -> e.path("name").asText()).toList();
        }

        boolean succeeded() {
            return outcome == Outcome.COMPLETED && errorNames().isEmpty();
        }
    }

    private final Supplier<List<String>> gateways;
    private final List<Context> acknowledged = new CopyOnWriteArrayList<>();
    /** The contexts the runners execute in. */
    private final List<Context> pool = new CopyOnWriteArrayList<>();
    private final Map<Outcome, AtomicLong> outcomes = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicLong> refusals = new ConcurrentHashMap<>();
    private final AtomicLong createsRefused = new AtomicLong();
    private final AtomicLong createsRefusedWithRetryAfter = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private final int sandboxes;

    private Workload(Supplier<List<String>> gateways, int sandboxes) {
        this.gateways = gateways;
        this.sandboxes = sandboxes;
    }

    /** Creates {@code contexts} contexts over {@code sandboxes} sandboxes, then starts {@code runners} runners and a creator. */
    static Workload start(Supplier<List<String>> gateways, int sandboxes, int contexts, int runners) throws Exception {
        Workload workload = new Workload(gateways, sandboxes);
        for (int i = 0; i < contexts; i++) {
            if (workload.create("chaos-" + (i % sandboxes)) == null) {
                throw new IOException("the workload could not create its contexts");
            }
        }
        for (int i = 0; i < runners; i++) {
            workload.spawn("runner-" + i, workload::runLoop);
        }
        workload.spawn("creator", workload::createLoop);
        return workload;
    }

    private void spawn(String name, Runnable loop) {
        Thread thread = new Thread(loop, "workload-" + name);
        thread.setDaemon(true);
        thread.start();
        threads.add(thread);
    }

    private void runLoop() {
        while (running.get()) {
            Context context = pool.get(ThreadLocalRandom.current().nextInt(pool.size()));
            Ending ending = execute(context, CELL);
            outcomes.computeIfAbsent(ending.outcome(), o -> new AtomicLong()).incrementAndGet();
            ending.errorNames().forEach(name -> errors.computeIfAbsent(name, n -> new AtomicLong()).incrementAndGet());
            if (ending.outcome() != Outcome.COMPLETED) {
                pause(200);
            }
        }
    }

    private void createLoop() {
        while (running.get()) {
            create("chaos-" + ThreadLocalRandom.current().nextInt(sandboxes));
            pause(300);
        }
    }

    /** Creates a Python context; returns it when the service acknowledged it (201), else null. */
    Context create(String sandbox) {
        return create(sandbox, "{\"language\":\"python\"}");
    }

    /**
     * Creates a context the runners leave alone (a scenario's own probe), with this {@code POST /v1/contexts} body;
     * returns it when acknowledged (201), else null. It counts among the acknowledged creates.
     */
    Context createPrivate(String sandbox, String body) {
        Context created = create(sandbox, body);
        if (created != null) {
            pool.remove(created);
        }
        return created;
    }

    /** Creates a context with this {@code POST /v1/contexts} body; returns it when acknowledged (201), else null. */
    Context create(String sandbox, String body) {
        String gateway = gateway();
        try {
            HttpResponse<String> answer = HTTP.send(request(gateway, "/v1/contexts", sandbox)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() == 201) {
                Context created = new Context(sandbox, Json.mapper().readTree(answer.body()).path("id").asText());
                acknowledged.add(created);
                pool.add(created);
                return created;
            }
            createsRefused.incrementAndGet();
            if (answer.statusCode() == 503 && answer.headers().firstValue("Retry-After").isPresent()) {
                createsRefusedWithRetryAfter.incrementAndGet();
            }
        } catch (IOException e) {
            createsRefused.incrementAndGet();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }

    /** Runs one cell and tells how its stream ended. */
    Ending execute(Context context, String code) {
        String body = Json.mapper().createObjectNode().put("code", code).put("contextId", context.id()).toString();
        HttpResponse<java.io.InputStream> answer;
        try {
            answer = HTTP.send(request(gateway(), "/v1/execute", context.sandbox())
                    .header("Accept", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            refusals.computeIfAbsent(0, s -> new AtomicLong()).incrementAndGet();
            return new Ending(Outcome.REFUSED, List.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Ending(Outcome.REFUSED, List.of());
        }
        if (answer.statusCode() != 200) {
            refusals.computeIfAbsent(answer.statusCode(), s -> new AtomicLong()).incrementAndGet();
            close(answer);
            return new Ending(Outcome.REFUSED, List.of());
        }
        List<JsonNode> events = new ArrayList<>();
        AtomicBoolean stalled = new AtomicBoolean();
        ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> {
            stalled.set(true);
            close(answer);
        }, EXECUTION_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(answer.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isBlank()) {
                    continue; // keep-alive
                }
                JsonNode event = Json.mapper().readTree(line);
                events.add(event);
                if (event.path("type").asText().equals("completed")) {
                    return new Ending(Outcome.COMPLETED, events);
                }
            }
            return new Ending(Outcome.NO_TERMINAL_EVENT, events);
        } catch (IOException e) {
            return new Ending(stalled.get() ? Outcome.NO_TERMINAL_EVENT : Outcome.CUT, events);
        } finally {
            watchdog.cancel(false);
        }
    }

    private static void close(HttpResponse<java.io.InputStream> answer) {
        try {
            answer.body().close();
        } catch (IOException ignored) {
            // nothing to read anyway
        }
    }

    private HttpRequest.Builder request(String gateway, String path, String sandbox) {
        return HttpRequest.newBuilder(URI.create(gateway + path)).timeout(EXECUTION_LIMIT)
                .header("Content-Type", "application/json").header("X-Sandbox-Id", sandbox);
    }

    private String gateway() {
        List<String> live = gateways.get();
        return live.get(ThreadLocalRandom.current().nextInt(live.size()));
    }

    /** Stops the runners and the creator, letting running executions end. */
    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread thread : threads) {
            thread.join(EXECUTION_LIMIT.toMillis() + 5000);
        }
    }

    List<Context> acknowledged() {
        return List.copyOf(acknowledged);
    }

    /** The contexts the service lists now, over every sandbox of the workload (retried while the cluster settles). */
    Set<Context> listed() throws InterruptedException {
        Set<Context> all = ConcurrentHashMap.newKeySet();
        for (String sandbox : acknowledged.stream().map(Context::sandbox).distinct().toList()) {
            for (int attempt = 0; ; attempt++) {
                try {
                    HttpResponse<String> answer = HTTP.send(request(gateway(), "/v1/contexts", sandbox).GET().build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (answer.statusCode() == 200) {
                        Json.mapper().readTree(answer.body()).path("contexts")
                                .forEach(c -> all.add(new Context(sandbox, c.path("id").asText())));
                        break;
                    }
                } catch (IOException e) {
                    // a gateway or the sandbox's shard is moving: retry
                }
                if (attempt == 60) {
                    throw new IllegalStateException("sandbox " + sandbox + " could not be listed");
                }
                Thread.sleep(500);
            }
        }
        return all;
    }

    long count(Outcome outcome) {
        AtomicLong n = outcomes.get(outcome);
        return n == null ? 0 : n.get();
    }

    long executions() {
        return outcomes.values().stream().mapToLong(AtomicLong::get).sum();
    }

    Map<String, Long> errorsByName() {
        Map<String, Long> copy = new TreeMap<>();
        errors.forEach((name, n) -> copy.put(name, n.get()));
        return copy;
    }

    Map<Integer, Long> refusalsByStatus() {
        Map<Integer, Long> copy = new TreeMap<>();
        refusals.forEach((status, n) -> copy.put(status, n.get()));
        return copy;
    }

    long createsRefused() {
        return createsRefused.get();
    }

    long createsRefusedWithRetryAfter() {
        return createsRefusedWithRetryAfter.get();
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
