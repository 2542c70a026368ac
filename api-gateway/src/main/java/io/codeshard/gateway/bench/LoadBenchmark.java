package io.codeshard.gateway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.codeshard.node.bench.Latencies;
import io.codeshard.protocol.Json;
import io.codeshard.protocol.Language;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * {@code ./codeshard bench load}: N contexts x M executions driven concurrently through a gateway over HTTP
 * ({@code /v1}, NDJSON answers), every answer checked ({@link LoadCell}), then throughput, latency, errors by kind
 * and the workers' peak memory ({@link WorkerMemory}). Without {@code --url} it starts an all-in-one node of its
 * own in a temp data dir ({@link LocalNode}); with {@code --url} it drives an existing gateway and measures the
 * workers named by {@code --worker-pids}, or those {@code ./codeshard cluster up} recorded in {@code --cluster-state}.
 *
 * <p>Contexts are spread over sandboxes of {@code --per-sandbox} contexts (a sandbox's contexts live on one node);
 * every third one is JavaScript, the others Python, and every {@code --rich-every}-th Python cell also shows a
 * matplotlib figure or a pandas DataFrame. {@code --concurrency} clients each take the next context that is not
 * busy and run its next cell, so cells of one context run in order and all contexts advance together. The
 * contexts are deleted at the end. Exit status 1 when any answer was wrong.
 */
public final class LoadBenchmark {
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(3);

    /** The command line. */
    record Options(int contexts, int executions, int concurrency, String url, List<Long> workerPids, Path clusterState,
                   int perSandbox, int richEvery) {

        static Options parse(String[] args) {
            Map<String, String> given = new TreeMap<>();
            for (int i = 0; i < args.length; i++) {
                if (!args[i].startsWith("--") || i + 1 >= args.length) {
                    throw new IllegalArgumentException("expected --name value, got '" + args[i] + "'");
                }
                given.put(args[i].substring(2), args[++i]);
            }
            List<String> known = List.of("contexts", "executions", "concurrency", "url", "worker-pids", "cluster-state",
                    "per-sandbox", "rich-every");
            given.keySet().stream().filter(name -> !known.contains(name)).findFirst().ifPresent(name -> {
                throw new IllegalArgumentException("unknown option --" + name + " (known: --" + String.join(", --", known) + ")");
            });
            List<Long> pids = given.containsKey("worker-pids")
                    ? Arrays.stream(given.get("worker-pids").split(",")).map(String::trim).map(Long::parseLong).toList()
                    : List.of();
            return new Options(
                    Integer.parseInt(given.getOrDefault("contexts", "200")),
                    Integer.parseInt(given.getOrDefault("executions", "50")),
                    Integer.parseInt(given.getOrDefault("concurrency", "64")),
                    given.get("url"),
                    pids,
                    Path.of(given.getOrDefault("cluster-state", ".codeshard/cluster")),
                    Integer.parseInt(given.getOrDefault("per-sandbox", "10")),
                    Integer.parseInt(given.getOrDefault("rich-every", "10")));
        }
    }

    private final Options options;
    private final String base;
    private final HttpClient http;
    /** Names this run's sandboxes, so that runs against one cluster do not meet. */
    private final String run = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final Map<String, String> firstOfKind = new ConcurrentHashMap<>();

    private LoadBenchmark(Options options, String base) {
        this.options = options;
        this.base = base;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench load: " + e.getMessage());
            System.exit(2);
            return;
        }
        boolean clean;
        if (options.url() == null) {
            System.out.println("starting an all-in-one node (its own JVM, fresh data dir) ...");
            try (LocalNode node = LocalNode.start()) {
                System.out.println("node " + node.url + " pid " + node.pid() + ", log " + node.log());
                clean = measure(options, node.url, List.of(node.pid()), "all-in-one node (1 worker)");
            }
        } else {
            List<Long> pids = options.workerPids().isEmpty() ? clusterWorkerPids(options.clusterState()) : options.workerPids();
            clean = measure(options, options.url().replaceAll("/+$", ""), pids, "gateway " + options.url() + ", "
                    + (pids.isEmpty() ? "workers unknown" : pids.size() + " worker JVM(s) " + pids));
        }
        System.exit(clean ? 0 : 1);
    }

    private static boolean measure(Options options, String url, List<Long> workerPids, String target) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(options.concurrency());
        try (WorkerMemory memory = new WorkerMemory(workerPids)) {
            LoadBenchmark bench = new LoadBenchmark(options, url);
            return bench.drive(target, memory, clients);
        } finally {
            clients.shutdownNow();
        }
    }

    /** The pids of the worker JVMs that {@code ./codeshard cluster up} started ({@code worker-*.pid}), those still alive. */
    static List<Long> clusterWorkerPids(Path state) throws IOException {
        if (!Files.isDirectory(state)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(state)) {
            return files.filter(file -> file.getFileName().toString().matches("worker-\\d+\\.pid")).sorted()
                    .map(file -> {
                        try {
                            return Long.parseLong(Files.readString(file).trim());
                        } catch (IOException | NumberFormatException e) {
                            return -1L;
                        }
                    })
                    .filter(pid -> pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    .toList();
        }
    }

    // ---- the run ----

    /** One load context: its id, sandbox, language, and the number of its next cell. */
    private static final class LoadContext {
        final int index;
        final String sandbox;
        final Language language;
        String id;
        int next;

        LoadContext(int index, String sandbox, Language language) {
            this.index = index;
            this.sandbox = sandbox;
            this.language = language;
        }
    }

    private boolean drive(String target, WorkerMemory memory, ExecutorService clients) throws Exception {
        System.out.printf("load: %d contexts x %d executions, concurrency %d, against %s%n", options.contexts(), options.executions(),
                options.concurrency(), target);
        List<LoadContext> contexts = new ArrayList<>();
        for (int i = 0; i < options.contexts(); i++) {
            contexts.add(new LoadContext(i, "load-" + run + "-" + i / Math.max(1, options.perSandbox()),
                    i % 3 == 2 ? Language.JAVASCRIPT : Language.PYTHON));
        }

        long t0 = System.nanoTime();
        double[] createMs = inParallel(clients, contexts, this::create);
        double createSeconds = (System.nanoTime() - t0) / 1e9;
        List<LoadContext> created = contexts.stream().filter(context -> context.id != null).toList();
        System.out.printf("  created %d of %d contexts in %.1f s (create latency p50 %.1f ms, p99 %.1f ms)%n", created.size(),
                contexts.size(), createSeconds, percentile(createMs, 50), percentile(createMs, 99));

        ConcurrentLinkedQueue<LoadContext> ready = new ConcurrentLinkedQueue<>(created);
        int total = created.size() * options.executions();
        double[] latencies = new double[total];
        AtomicInteger done = new AtomicInteger();
        long t1 = System.nanoTime();
        List<Future<?>> clientsDone = new ArrayList<>();
        for (int c = 0; c < options.concurrency(); c++) {
            clientsDone.add(clients.submit(() -> {
                LoadContext context;
                while ((context = ready.poll()) != null) {
                    LoadCell cell = cell(context);
                    long start = System.nanoTime();
                    runCell(context, cell);
                    latencies[done.getAndIncrement()] = (System.nanoTime() - start) / 1e6;
                    if (++context.next < options.executions()) {
                        ready.add(context);
                    }
                }
                return null;
            }));
        }
        java.util.concurrent.ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor();
        progress.scheduleAtFixedRate(() -> System.out.printf("  ... %d of %d executions, %d errors%n", done.get(), total,
                errors.values().stream().mapToLong(LongAdder::sum).sum()), 10, 10, java.util.concurrent.TimeUnit.SECONDS);
        try {
            for (Future<?> client : clientsDone) {
                client.get();
            }
        } finally {
            progress.shutdownNow();
        }
        double seconds = (System.nanoTime() - t1) / 1e9;
        WorkerMemory.Peak peak = memory.peak();

        inParallel(clients, created, this::delete);
        report(created.size(), total, seconds, Arrays.copyOf(latencies, done.get()), peak);
        return errors.isEmpty();
    }

    private LoadCell cell(LoadContext context) {
        LoadCell.Rich rich = LoadCell.Rich.NONE;
        if (context.language == Language.PYTHON && options.richEvery() > 0 && context.next % options.richEvery() == options.richEvery() - 1) {
            rich = (context.next / options.richEvery() + context.index) % 2 == 0 ? LoadCell.Rich.PNG : LoadCell.Rich.HTML;
        }
        return new LoadCell(context.index, context.next, context.language, rich);
    }

    private void create(LoadContext context) {
        String body = "{\"language\":\"" + context.language.wireName() + "\"}";
        try {
            HttpResponse<String> response = http.send(request("/v1/contexts", context.sandbox, "application/json", body),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 201) {
                error("create: HTTP " + response.statusCode(), response.body());
                return;
            }
            context.id = Json.mapper().readTree(response.body()).path("id").asText();
        } catch (IOException e) {
            error("create: " + e.getClass().getSimpleName(), String.valueOf(e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void runCell(LoadContext context, LoadCell cell) {
        String body = Json.mapper().createObjectNode().put("contextId", context.id).put("code", cell.code()).toString();
        try {
            HttpResponse<Stream<String>> response = http.send(request("/v1/execute", context.sandbox, "application/x-ndjson", body),
                    HttpResponse.BodyHandlers.ofLines());
            if (response.statusCode() != 200) {
                error("execute: HTTP " + response.statusCode(), response.body().reduce("", String::concat));
                return;
            }
            List<JsonNode> events = new ArrayList<>();
            try (Stream<String> lines = response.body()) {
                for (String line : (Iterable<String>) lines.filter(line -> !line.isBlank())::iterator) {
                    events.add(Json.mapper().readTree(line));
                }
            }
            String mistake = cell.check(events);
            if (mistake != null) {
                error(mistake, "context " + context.index + " (" + context.language.wireName() + ") cell " + cell.k() + ": " + events);
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            error("execute: " + e.getClass().getSimpleName(), String.valueOf(e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void delete(LoadContext context) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/contexts/" + context.id))
                    .header("X-Sandbox-Id", context.sandbox).timeout(REQUEST_TIMEOUT).DELETE().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 204) {
                error("delete: HTTP " + response.statusCode(), response.body());
            }
        } catch (IOException e) {
            error("delete: " + e.getClass().getSimpleName(), String.valueOf(e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private HttpRequest request(String path, String sandbox, String accept, String body) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(REQUEST_TIMEOUT)
                .header("X-Sandbox-Id", sandbox).header("Content-Type", "application/json").header("Accept", accept)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private void error(String kind, String detail) {
        errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
        firstOfKind.putIfAbsent(kind, detail.length() > 600 ? detail.substring(0, 600) + "..." : detail);
    }

    /** Runs {@code step} for every context on the client threads; the latency of each, in ms. */
    private static double[] inParallel(ExecutorService clients, List<LoadContext> contexts, java.util.function.Consumer<LoadContext> step)
            throws Exception {
        double[] latencies = new double[contexts.size()];
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < contexts.size(); i++) {
            int index = i;
            futures.add(clients.submit(() -> {
                long start = System.nanoTime();
                step.accept(contexts.get(index));
                latencies[index] = (System.nanoTime() - start) / 1e6;
            }));
        }
        for (Future<?> future : futures) {
            future.get();
        }
        return latencies;
    }

    private static double percentile(double[] samples, double p) {
        return samples.length == 0 ? Double.NaN : Latencies.percentile(samples, p);
    }

    private void report(int contexts, int total, double seconds, double[] latencies, WorkerMemory.Peak peak) {
        long wrong = errors.values().stream().mapToLong(LongAdder::sum).sum();
        double max = Arrays.stream(latencies).max().orElse(Double.NaN);
        System.out.printf("  errors by kind: %s%n", errors.isEmpty() ? "none" : new TreeMap<>(errors));
        firstOfKind.forEach((kind, detail) -> System.out.printf("    first '%s': %s%n", kind, detail));
        System.out.println("  " + peak.describe());
        System.out.printf("RESULT load %d contexts x %d executions, concurrency %d: %d executions in %.1f s = %.0f exec/s; "
                        + "latency p50 %.1f ms, p99 %.1f ms, max %.1f ms; %d errors; %s%n",
                contexts, options.executions(), options.concurrency(), latencies.length, seconds, latencies.length / seconds,
                percentile(latencies, 50), percentile(latencies, 99), max, wrong, peak.describe());
        if (latencies.length != total) {
            System.out.printf("  (%d of %d planned executions ran)%n", latencies.length, total);
        }
    }
}
