package io.codeshard.gateway.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.codeshard.client.CodeContext;
import io.codeshard.client.CodeshardException;
import io.codeshard.client.CreateContextOptions;
import io.codeshard.client.ExecutionError;
import io.codeshard.client.ExecutionResult;
import io.codeshard.client.RunCodeOptions;
import io.codeshard.client.Sandbox;
import io.codeshard.protocol.ExecutionEvent;
import io.codeshard.protocol.Language;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of the worker hosting a context, with PostgreSQL, 3 worker JVMs and a gateway JVM (docs/cluster.md).
 * Slow (about a minute): only in the {@code cluster} Maven profile, {@code mvn -Pcluster test -pl api-gateway}.
 */
@Tag("cluster")
class FailoverTest {
    /** Removal of the dead worker (failure detection + SBR stable-after) plus the shard's move and recovery. */
    private static final Duration FAILOVER_BOUND = Duration.ofSeconds(60);

    @Test
    void aContextSurvivesTheDeathOfItsWorkerAndItsRunningCellEndsWithWorkerLost() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3, 1)) {
            Sandbox sandbox = Sandbox.connect(cluster.gateways().get(0).url());
            CodeContext created = sandbox.createCodeContext(CreateContextOptions.builder()
                    .language(Language.PYTHON).cwd("/home/user").envVars(Map.of("MODE", "failover")).build());
            assertEquals(1, sandbox.runCode("x = 41", RunCodeOptions.inContext(created)).executionCount());
            LocalCluster.Member host = hostOf(cluster);

            CountDownLatch running = new CountDownLatch(1);
            List<ExecutionError> errors = new CopyOnWriteArrayList<>();
            CompletableFuture<ExecutionResult> longCell = CompletableFuture.supplyAsync(() -> sandbox.runCode(
                    "import time\nprint('started', flush=True)\ntime.sleep(120)",
                    RunCodeOptions.builder().context(created).onStdout(text -> running.countDown()).onError(errors::add).build()));
            assertTrue(running.await(30, TimeUnit.SECONDS), "the long cell did not start");

            host.process().destroyForcibly(); // SIGKILL
            long killedAt = System.nanoTime();

            ExecutionResult lost = longCell.get(FAILOVER_BOUND.toSeconds(), TimeUnit.SECONDS);
            assertEquals("WorkerLost", lost.error().name());
            assertTrue(lost.error().value().contains("outcome is unknown"), lost.error().value());
            assertEquals(1, errors.size());

            List<ExecutionEvent.Notice> notices = new CopyOnWriteArrayList<>();
            ExecutionResult after = runUntilAnswered(sandbox, created, notices, killedAt);
            assertEquals("(False, 'failover', True)", after.results().get(0).text());
            assertEquals(2, after.executionCount(), "executionCount continues from the journal");
            assertTrue(notices.stream().anyMatch(n -> n.code().equals("state_reset")), "a state_reset notice: " + notices);

            CodeContext recovered = sandbox.getCodeContext(created.id());
            assertEquals(created.id(), recovered.id());
            assertEquals(Language.PYTHON, recovered.language());
            assertEquals("/home/user", recovered.cwd());
            assertEquals(Map.of("MODE", "failover"), recovered.envVars());
            assertFalse(host.process().isAlive());
            assertNotNull(hostOf(cluster), "the context lives on a surviving worker");
        }
    }

    /** The worker whose CodeContext shard region holds an entity (management /cluster/shards). */
    private static LocalCluster.Member hostOf(LocalCluster cluster) {
        return cluster.workers().stream()
                .filter(worker -> worker.process().isAlive())
                .filter(worker -> {
                    String shards = LocalCluster.management(worker, "/cluster/shards/CodeContext");
                    return shards != null && shards.contains("\"numEntities\":1");
                })
                .findFirst().orElse(null);
    }

    private static ExecutionResult runUntilAnswered(Sandbox sandbox, CodeContext context, List<ExecutionEvent.Notice> notices,
                                                    long since) throws InterruptedException {
        RunCodeOptions options = RunCodeOptions.builder().context(context).onNotice(notices::add).build();
        String probe = "import os\n('x' in globals(), os.environ['MODE'], os.getcwd().endswith('/home/user'))";
        CodeshardException last = null;
        while (System.nanoTime() - since < FAILOVER_BOUND.toNanos()) {
            try {
                return sandbox.runCode(probe, options);
            } catch (CodeshardException unavailable) {
                last = unavailable; // 503 while the shard moves
                Thread.sleep(500);
            }
        }
        throw new AssertionError("context not usable within " + FAILOVER_BOUND, last);
    }
}
