package io.codeshard.gateway.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.codeshard.node.context.CodeContext;
import io.codeshard.node.sandbox.SandboxShards;
import io.codeshard.protocol.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The chaos scenarios of docs/cluster.md: each starts its own cluster (PostgreSQL, 3 workers, 2 gateways), puts the
 * {@link Workload} on it, injects one fault, and returns a {@link ChaosSummary} whose line goes to stdout and to
 * {@code target/chaos-summary.txt}. The tests assert on the summary; {@code ./codeshard chaos <scenario>} runs them.
 */
final class ChaosScenarios {
    private static final Duration USABLE_WITHIN = Duration.ofSeconds(90);
    private static final Duration MEMBER_START = Duration.ofSeconds(120);
    private static final SandboxShards<Object> SHARDS = new SandboxShards<>(100);

    private ChaosScenarios() {}

    /** kill -9 of the worker hosting a probe context, {@code trials} times (the worker is started again after each). */
    static ChaosSummary killWorker(int trials) throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3, 2);
             Workload workload = Workload.start(() -> liveGateways(cluster), 6, 24, 4)) {
            ChaosSummary.Builder summary = ChaosSummary.builder("kill-worker", workload);
            for (int trial = 1; trial <= trials; trial++) {
                String sandbox = "probe-" + trial;
                Workload.Context probe = workload.create(sandbox);
                Workload.Context replayed = workload.createPrivate(sandbox, "{\"language\":\"python\",\"restore\":\"replay\"}");
                require(workload.execute(replayed, "x = 41").succeeded(), "x = 41 in the replay context");
                LocalCluster.Member victim = hostOf(cluster, probe);
                List<Long> interpreters = LocalCluster.descendants(victim);

                victim.process().destroyForcibly(); // SIGKILL
                long killed = System.nanoTime();
                summary.failover(awaitUsable(workload, probe, killed));

                Workload.Ending after = workload.execute(replayed, "x + 1");
                require(after.succeeded() && results(after).contains("\"42\"") && notices(after).contains("state_replayed"),
                        "replay restore after failover: " + after.events());
                summary.replayed();
                awaitGone(interpreters, "interpreter processes of the killed worker");
                cluster.restart(victim.name(), MEMBER_START);
                awaitWorkersUp(cluster, 3);
            }
            return summary.finish(workload);
        }
    }

    /** SIGSTOP of a worker past the split brain resolver's decision, then SIGCONT: it must leave, not come back. */
    static ChaosSummary pauseWorker() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3, 2);
             Workload workload = Workload.start(() -> liveGateways(cluster), 6, 24, 4)) {
            ChaosSummary.Builder summary = ChaosSummary.builder("pause-worker", workload);
            Workload.Context probe = workload.create("probe-pause");
            LocalCluster.Member victim = hostOf(cluster, probe);
            List<Long> interpreters = LocalCluster.descendants(victim);

            cluster.signal(victim.name(), "STOP");
            long paused = System.nanoTime();
            summary.failover(awaitUsable(workload, probe, paused));
            awaitWorkersUp(cluster, 2);
            cluster.signal(victim.name(), "CONT");
            long resumed = System.nanoTime();
            while (victim.process().isAlive() && System.nanoTime() - resumed < USABLE_WITHIN.toNanos()) {
                Thread.sleep(200);
            }
            require(!victim.process().isAlive(), "the resumed worker must leave the cluster and exit");
            summary.check(String.format("resumed worker exited %.1f s after SIGCONT (status %d)",
                    (System.nanoTime() - resumed) / 1e9, victim.process().exitValue()));
            awaitGone(interpreters, "interpreter processes of the paused worker");
            require(workersUp(cluster) == 2, "two workers stay, no second cluster");
            summary.check("its interpreters ended with it; the others stayed one cluster of 2 workers");
            return summary.finish(workload);
        }
    }

    /**
     * One worker cut off from everything else (network namespace, routes blackholed both ways): the majority downs
     * it and takes over its contexts, it downs itself and exits with its interpreters; no second cluster forms.
     */
    static ChaosSummary partition() throws Exception {
        try (NetworkPartition network = NetworkPartition.create();
             LocalCluster cluster = LocalCluster.start(3, 2, network.topology("worker-3"));
             Workload workload = Workload.start(() -> liveGateways(cluster), 6, 24, 4)) {
            ChaosSummary.Builder summary = ChaosSummary.builder("partition", workload);
            LocalCluster.Member victim = cluster.member("worker-3");
            Workload.Context probe = contextOn(cluster, workload, victim);
            List<Long> interpreters = LocalCluster.descendants(victim);

            network.cut();
            long cut = System.nanoTime();
            summary.failover(awaitUsable(workload, probe, cut));
            awaitGone(interpreters, "interpreter processes of the cut-off worker");
            double interpretersGone = (System.nanoTime() - cut) / 1e9;
            while (victim.process().isAlive() && System.nanoTime() - cut < USABLE_WITHIN.toNanos()) {
                Thread.sleep(200);
            }
            require(!victim.process().isAlive(), "the cut-off worker must down itself and exit");
            summary.check(String.format("cut-off worker: interpreters gone %.1f s and process exited %.1f s after the cut",
                    interpretersGone, (System.nanoTime() - cut) / 1e9));
            network.heal();
            Thread.sleep(2000);
            require(workersUp(cluster) == 2, "the majority stays one cluster of 2 workers");
            summary.check("the majority stayed one cluster of 2 workers");
            return summary.finish(workload);
        }
    }

    /** A new context in a sandbox whose shard lives on {@code worker}. */
    private static Workload.Context contextOn(LocalCluster cluster, Workload workload, LocalCluster.Member worker) throws IOException {
        for (int i = 0; i < 200; i++) {
            Workload.Context context = workload.create("probe-on-" + worker.name() + "-" + i);
            if (context != null && hostOf(cluster, context).name().equals(worker.name())) {
                return context;
            }
        }
        throw new IllegalStateException("no sandbox landed on " + worker.name());
    }

    /** kill -9 of one of the two gateways: clients carry on through the other. */
    static ChaosSummary killGateway() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3, 2);
             Workload workload = Workload.start(() -> liveGateways(cluster), 6, 24, 4)) {
            ChaosSummary.Builder summary = ChaosSummary.builder("kill-gateway", workload);
            Thread.sleep(3000);
            LocalCluster.Member victim = cluster.gateways().get(1);
            victim.process().destroyForcibly();
            long before = workload.count(Workload.Outcome.COMPLETED);
            Thread.sleep(10_000);
            long carriedOn = workload.count(Workload.Outcome.COMPLETED) - before;
            require(carriedOn > 0, "executions must go on through the other gateway");
            summary.check(carriedOn + " executions completed through the other gateway in the 10 s after the kill");
            return summary.finish(workload);
        }
    }

    /** PostgreSQL stopped for 10 s: creates get 503 + Retry-After, running contexts keep executing, nothing is lost. */
    static ChaosSummary journalOutage() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3, 2);
             Workload workload = Workload.start(() -> liveGateways(cluster), 6, 24, 4)) {
            ChaosSummary.Builder summary = ChaosSummary.builder("journal-outage", workload);
            Thread.sleep(3000);
            cluster.stopPostgres();
            long stopped = System.nanoTime();
            long completedBefore = workload.count(Workload.Outcome.COMPLETED);
            long refusedBefore = workload.createsRefusedWithRetryAfter();
            Thread.sleep(2000);
            for (int i = 0; i < 10; i++) { // besides the creator's: each answered at once, not after a timeout
                workload.create("during-outage");
            }
            Thread.sleep(Math.max(0, 10_000 - (System.nanoTime() - stopped) / 1_000_000));
            long completedDuring = workload.count(Workload.Outcome.COMPLETED) - completedBefore;
            long refusedDuring = workload.createsRefusedWithRetryAfter() - refusedBefore;
            cluster.resumePostgres();
            require(completedDuring > 0, "running contexts must keep executing while the journal is down");
            require(refusedDuring > 0, "creates must be refused with 503 + Retry-After while the journal is down");
            summary.check(completedDuring + " executions completed and " + refusedDuring
                    + " creates were refused with 503 + Retry-After during the 10 s outage");
            long resumed = System.nanoTime();
            while (workload.create("after-outage") == null) {
                require(System.nanoTime() - resumed < USABLE_WITHIN.toNanos(), "creates work again once the journal is back");
                Thread.sleep(200);
            }
            summary.check(String.format("creates work again %.1f s after the journal came back", (System.nanoTime() - resumed) / 1e9));
            return summary.finish(workload);
        }
    }

    /** Every worker in turn stopped with SIGTERM (graceful hand-off) and started again, under load. */
    static ChaosSummary rollingRestart() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3, 2);
             Workload workload = Workload.start(() -> liveGateways(cluster), 6, 24, 4)) {
            ChaosSummary.Builder summary = ChaosSummary.builder("rolling-restart", workload);
            for (LocalCluster.Member worker : cluster.workers()) {
                Workload.Context busy = contextOn(cluster, workload, worker);
                CompletableFuture<Workload.Ending> longCell = CompletableFuture.supplyAsync(() ->
                        workload.execute(busy, "import time\ntime.sleep(3)\n'finished'"));
                Thread.sleep(1000);
                cluster.signal(worker.name(), "TERM");
                long stopping = System.nanoTime();
                require(worker.process().waitFor(60, TimeUnit.SECONDS), worker.name() + " did not stop on SIGTERM");
                Workload.Ending ending = longCell.get(60, TimeUnit.SECONDS);
                require(ending.succeeded() && results(ending).contains("finished"),
                        "a cell running on a worker that stops gracefully finishes: " + ending.events());
                summary.check(String.format("%s left in %.1f s, its running 3 s cell finished", worker.name(), (System.nanoTime() - stopping) / 1e9));
                cluster.restart(worker.name(), MEMBER_START);
                awaitWorkersUp(cluster, 3);
            }
            return summary.finish(workload);
        }
    }

    // ---- observations ----

    static List<String> liveGateways(LocalCluster cluster) {
        return cluster.gateways().stream().filter(g -> g.process().isAlive()).map(LocalCluster.Member::url).toList();
    }

    /** The worker whose CodeContext region holds the context's shard (management {@code /cluster/shards}). */
    static LocalCluster.Member hostOf(LocalCluster cluster, Workload.Context context) throws IOException {
        String shard = SHARDS.shardId(CodeContext.entityId(context.sandbox(), context.id()));
        for (LocalCluster.Member worker : cluster.workers()) {
            String regions = worker.process().isAlive() ? LocalCluster.management(worker, "/cluster/shards/CodeContext") : null;
            if (regions == null) {
                continue;
            }
            // {"regions": [{"shardId": "36", "numEntities": 2}, …]}: the shards of this worker's region
            for (JsonNode hosted : Json.mapper().readTree(regions).path("regions")) {
                if (hosted.path("shardId").asText().equals(shard)) {
                    return worker;
                }
            }
        }
        throw new IllegalStateException("no worker hosts shard " + shard);
    }

    /** Seconds from {@code since} until a cell in the context runs to completion without an error. */
    static double awaitUsable(Workload workload, Workload.Context context, long since) throws InterruptedException {
        while (System.nanoTime() - since < USABLE_WITHIN.toNanos()) {
            if (workload.execute(context, "1").succeeded()) {
                return (System.nanoTime() - since) / 1e9;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("context " + context + " not usable within " + USABLE_WITHIN);
    }

    static int workersUp(LocalCluster cluster) throws IOException {
        for (LocalCluster.Member gateway : cluster.gateways()) {
            String members = gateway.process().isAlive() ? LocalCluster.management(gateway, "/cluster/members") : null;
            if (members == null) {
                continue;
            }
            JsonNode tree = Json.mapper().readTree(members);
            Set<String> unreachable = new HashSet<>();
            tree.path("unreachable").forEach(u -> unreachable.add(u.path("node").asText()));
            int up = 0;
            for (JsonNode member : tree.path("members")) {
                if (member.path("status").asText().equals("Up") && member.path("roles").toString().contains("\"worker\"")
                        && !unreachable.contains(member.path("node").asText())) {
                    up++;
                }
            }
            return up;
        }
        return 0;
    }

    static void awaitWorkersUp(LocalCluster cluster, int workers) throws Exception {
        long deadline = System.nanoTime() + MEMBER_START.toNanos();
        while (workersUp(cluster) != workers) {
            require(System.nanoTime() < deadline, "the cluster did not settle at " + workers + " workers");
            Thread.sleep(250);
        }
    }

    static void awaitGone(List<Long> pids, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        List<Long> alive = new ArrayList<>(pids);
        while (!alive.isEmpty() && System.nanoTime() < deadline) {
            alive.removeIf(pid -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
            Thread.sleep(200);
        }
        require(alive.isEmpty(), what + " still running: " + alive);
    }

    /** The results' JSON texts. */
    private static String results(Workload.Ending ending) {
        return ending.events().stream().filter(e -> e.path("type").asText().equals("result")).map(JsonNode::toString).toList().toString();
    }

    private static List<String> notices(Workload.Ending ending) {
        return ending.events().stream().filter(e -> e.path("type").asText().equals("notice")).map(e -> e.path("code").asText()).toList();
    }

    static void require(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }

    /** Appends a summary line to {@code target/chaos-summary.txt} and prints it. */
    static void report(ChaosSummary summary) throws IOException {
        System.out.println(summary.line());
        Files.writeString(Path.of("target", "chaos-summary.txt"), summary.line() + System.lineSeparator(),
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
