package io.codeshard.node.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.codeshard.node.interpreter.SharedRuntime;
import io.codeshard.protocol.ExecutionEvent;
import io.codeshard.protocol.Language;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The CodeContext entity with a real interpreter host and the persistence test kit's journal. */
class CodeContextTest {
    private static ActorTestKit testKit;
    private static Path dataDir;
    private EventSourcedBehaviorTestKit<CodeContext.Command, CodeContext.Event, CodeContext.State> context;

    @BeforeAll
    static void start() throws Exception {
        dataDir = Files.createTempDirectory("codeshard-entity-");
        testKit = ActorTestKit.create(PersistenceTestKitPlugin.getInstance().config()
                .withFallback(PersistenceTestKitSnapshotPlugin.getInstance().config())
                .withFallback(EventSourcedBehaviorTestKit.config())
                .withFallback(ConfigFactory.parseString("pekko.actor.provider = cluster\npekko.remote.artery.canonical.port = 0"))
                .withFallback(ConfigFactory.load()));
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    @AfterEach
    void clear() {
        if (context != null) {
            context.clear();
        }
    }

    private EventSourcedBehaviorTestKit<CodeContext.Command, CodeContext.Event, CodeContext.State> entity(String contextId) {
        context = EventSourcedBehaviorTestKit.create(testKit.system(), CodeContext.create(CodeContext.entityId("sbx", contextId),
                new CodeContext.Dependencies(SharedRuntime.host(), new Workspaces(dataDir))));
        return context;
    }

    private static ContextSettings settings(long idleTtlSeconds) {
        return new ContextSettings(Language.PYTHON, "/workspace", Map.of("MODE", "test"), 30000, idleTtlSeconds, "none");
    }

    private CodeContext.Found create(EventSourcedBehaviorTestKit<CodeContext.Command, CodeContext.Event, CodeContext.State> kit,
                                     String contextId, long idleTtlSeconds) {
        var result = kit.<CodeContext.Reply>runCommand(r -> new CodeContext.Create("sbx", contextId, settings(idleTtlSeconds), false, r));
        assertInstanceOf(CodeContext.Created.class, result.event());
        return assertInstanceOf(CodeContext.Found.class, result.reply());
    }

    private ExecutionEvent.Completed run(EventSourcedBehaviorTestKit<CodeContext.Command, CodeContext.Event, CodeContext.State> kit,
                                         String code, TestProbe<ExecutionEvent> events) {
        var accepted = kit.<CodeContext.Reply>runCommand(r -> new CodeContext.Run(new RunRequest(code, 0, Map.of()), events.getRef(), r));
        assertInstanceOf(CodeContext.Found.class, accepted.reply());
        ExecutionEvent event;
        do {
            event = events.receiveMessage(Duration.ofSeconds(30));
        } while (!(event instanceof ExecutionEvent.Completed));
        return (ExecutionEvent.Completed) event;
    }

    @Test
    void createPersistsTheSettingsAndStartsAnInterpreterInTheWorkspace() {
        var kit = entity("c-create");
        CodeContext.Found found = create(kit, "c-create", 0);
        assertEquals("sbx", found.info().sandboxId());
        assertEquals(Map.of("MODE", "test"), found.info().settings().envVars());
        assertEquals(0, found.info().executionCount());
        TestProbe<ExecutionEvent> events = testKit.createTestProbe();
        kit.<CodeContext.Reply>runCommand(r -> new CodeContext.Run(new RunRequest("import os\nos.getcwd(), os.environ['MODE']", 0, Map.of()), events.getRef(), r));
        assertEquals(new ExecutionEvent.Started(1), events.receiveMessage(Duration.ofSeconds(30)));
        ExecutionEvent.Result result = (ExecutionEvent.Result) events.receiveMessage(Duration.ofSeconds(30));
        assertTrue(result.bundle().text().contains(dataDir.resolve("sandboxes/sbx/workspace").toString()), result.bundle().text());
        assertTrue(result.bundle().text().contains("'test'"));
    }

    @Test
    void createTwiceFailsUnlessIfAbsent() {
        var kit = entity("c-twice");
        CodeContext.Found first = create(kit, "c-twice", 0);
        var again = kit.<CodeContext.Reply>runCommand(r -> new CodeContext.Create("sbx", "c-twice", settings(0), false, r));
        assertInstanceOf(CodeContext.Failed.class, again.reply());
        var ifAbsent = kit.<CodeContext.Reply>runCommand(r -> new CodeContext.Create("sbx", "c-twice", settings(0), true, r));
        assertEquals(first, ifAbsent.reply());
        assertTrue(ifAbsent.hasNoEvents());
    }

    @Test
    void runOnAnUnknownContextIsNotFound() {
        var kit = entity("c-unknown");
        TestProbe<ExecutionEvent> events = testKit.createTestProbe();
        var result = kit.<CodeContext.Reply>runCommand(r -> new CodeContext.Run(new RunRequest("1", 0, Map.of()), events.getRef(), r));
        assertInstanceOf(CodeContext.NotFound.class, result.reply());
        events.expectNoMessage(Duration.ofMillis(200));
    }

    @Test
    void executionsArePersistedAndCountContinuesAfterRecoveryWithAResetNotice() {
        var kit = entity("c-recover");
        create(kit, "c-recover", 0);
        TestProbe<ExecutionEvent> events = testKit.createTestProbe();
        run(kit, "x = 41", events);
        assertEquals(2, run(kit, "x + 1", events).executionCount());
        awaitExecutionCount(kit, 2);

        kit.restart();
        assertEquals(2, info(kit).executionCount());
        var accepted = kit.<CodeContext.Reply>runCommand(r -> new CodeContext.Run(new RunRequest("'x' in globals()", 0, Map.of()), events.getRef(), r));
        assertInstanceOf(CodeContext.Found.class, accepted.reply());
        assertEquals(new ExecutionEvent.Started(3), events.receiveMessage(Duration.ofSeconds(30)));
        ExecutionEvent.Notice notice = (ExecutionEvent.Notice) events.receiveMessage(Duration.ofSeconds(30));
        assertEquals("state_reset", notice.code());
        assertEquals("False", ((ExecutionEvent.Result) events.receiveMessage(Duration.ofSeconds(30))).bundle().text());
    }

    @Test
    void deleteEndsTheContext() {
        // Spawned directly: the entity stops itself after a delete, which the behaviour test kit cannot observe.
        var live = testKit.spawn(CodeContext.create(CodeContext.entityId("sbx", "c-delete"),
                new CodeContext.Dependencies(SharedRuntime.host(), new Workspaces(dataDir))));
        TestProbe<CodeContext.Reply> replies = testKit.createTestProbe();
        live.tell(new CodeContext.Create("sbx", "c-delete", settings(0), false, replies.getRef()));
        replies.expectMessageClass(CodeContext.Found.class, Duration.ofSeconds(10));
        live.tell(new CodeContext.Delete(replies.getRef()));
        replies.expectMessageClass(CodeContext.Found.class, Duration.ofSeconds(10));
        replies.expectTerminated(live, Duration.ofSeconds(10));
        var recovered = testKit.spawn(CodeContext.create(CodeContext.entityId("sbx", "c-delete"),
                new CodeContext.Dependencies(SharedRuntime.host(), new Workspaces(dataDir)))); // recovers the deletion
        recovered.tell(new CodeContext.Get(replies.getRef()));
        replies.expectMessageClass(CodeContext.NotFound.class, Duration.ofSeconds(10));
    }

    @Test
    void restartIsPersistedAndDropsInterpreterState() {
        var kit = entity("c-restart");
        create(kit, "c-restart", 0);
        TestProbe<ExecutionEvent> events = testKit.createTestProbe();
        run(kit, "y = 1", events);
        var restarted = kit.<CodeContext.Reply>runCommand(CodeContext.Restart::new);
        assertInstanceOf(CodeContext.Restarted.class, restarted.event());
        kit.<CodeContext.Reply>runCommand(r -> new CodeContext.Run(new RunRequest("'y' in globals()", 0, Map.of()), events.getRef(), r));
        events.receiveMessage(Duration.ofSeconds(30));
        assertEquals("False", ((ExecutionEvent.Result) events.receiveMessage(Duration.ofSeconds(30))).bundle().text());
    }

    @Test
    void anIdleContextLosesItsInterpreterAfterItsTtlButNotWhileACellRuns() throws Exception {
        var kit = entity("c-idle");
        create(kit, "c-idle", 1);
        TestProbe<ExecutionEvent> events = testKit.createTestProbe();
        kit.<CodeContext.Reply>runCommand(r -> new CodeContext.Run(new RunRequest("x = 1\nimport time\ntime.sleep(2.5)", 0, Map.of()), events.getRef(), r));
        Thread.sleep(2000);
        assertEquals(ContextInfo.READY, kit.getState().info().state(), "must not be culled while a cell runs");
        ExecutionEvent event;
        do {
            event = events.receiveMessage(Duration.ofSeconds(30));
        } while (!(event instanceof ExecutionEvent.Completed));
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline && !kit.getState().info().isCulled()) {
            Thread.sleep(100);
        }
        assertEquals(ContextInfo.CULLED, kit.getState().info().state(), "culled after the TTL once idle");
        assertFalse(kit.getState().deleted(), "the context itself stays");

        kit.<CodeContext.Reply>runCommand(r -> new CodeContext.Run(new RunRequest("'x' in globals()", 0, Map.of()), events.getRef(), r));
        assertEquals(new ExecutionEvent.Started(2), events.receiveMessage(Duration.ofSeconds(30)));
        ExecutionEvent.Notice notice = (ExecutionEvent.Notice) events.receiveMessage(Duration.ofSeconds(30));
        assertTrue(notice.message().contains("idle for 1 s"), notice.message());
        assertEquals("False", ((ExecutionEvent.Result) events.receiveMessage(Duration.ofSeconds(30))).bundle().text());
    }

    @Test
    void aReplayContextRunsItsSuccessfulCellsAgainAfterRecovery() {
        var kit = entity("c-replay");
        var created = kit.<CodeContext.Reply>runCommand(r -> new CodeContext.Create("sbx", "c-replay",
                new ContextSettings(Language.PYTHON, "/workspace", Map.of(), 30000, 0, "replay"), false, r));
        assertInstanceOf(CodeContext.Found.class, created.reply());
        TestProbe<ExecutionEvent> events = testKit.createTestProbe();
        run(kit, "x = 41", events);
        run(kit, "1 / 0", events);
        run(kit, "y = x", events);
        awaitExecutionCount(kit, 3);

        kit.restart();
        var accepted = kit.<CodeContext.Reply>runCommand(r -> new CodeContext.Run(new RunRequest("y + 1", 0, Map.of()), events.getRef(), r));
        assertInstanceOf(CodeContext.Found.class, accepted.reply());
        assertEquals(new ExecutionEvent.Started(4), events.receiveMessage(Duration.ofSeconds(30)));
        ExecutionEvent.Notice notice = (ExecutionEvent.Notice) events.receiveMessage(Duration.ofSeconds(30));
        assertEquals("state_replayed", notice.code());
        assertTrue(notice.message().contains("its 2 recorded successful cell(s)"), notice.message());
        assertEquals("42", ((ExecutionEvent.Result) events.receiveMessage(Duration.ofSeconds(30))).bundle().text());
    }

    @Test
    void aFailedJournalWriteLeavesTheInterpreterRunningAndIsWrittenLater() {
        var kit = entity("c-outage");
        CodeContext.Found created = create(kit, "c-outage", 0);
        TestProbe<ExecutionEvent> events = testKit.createTestProbe();
        run(kit, "x = 1", events);
        awaitExecutionCount(kit, 1);
        String log = ExecutionLog.persistenceId(created.info()).id();
        kit.persistenceTestKit().failNextNPersisted(log, 2);
        run(kit, "x += 1", events);
        run(kit, "x += 1", events);
        ExecutionEvent.Completed last = run(kit, "x", events);
        assertEquals(4, last.executionCount(), "the interpreter kept its state through the failed writes");

        long deadline = System.currentTimeMillis() + 15_000; // the log restarts after its back-off and writes again
        while (lastRecorded(kit, log) < 4 && System.currentTimeMillis() < deadline) {
            Thread.onSpinWait();
        }
        kit.restart();
        assertEquals(4, info(kit).executionCount());
    }

    private static int lastRecorded(EventSourcedBehaviorTestKit<CodeContext.Command, CodeContext.Event, CodeContext.State> kit, String log) {
        return kit.persistenceTestKit().persistedInStorage(log).stream()
                .filter(ExecutionLog.Recorded.class::isInstance).mapToInt(e -> ((ExecutionLog.Recorded) e).executionCount())
                .max().orElse(0);
    }

    private static ContextInfo info(EventSourcedBehaviorTestKit<CodeContext.Command, CodeContext.Event, CodeContext.State> kit) {
        return assertInstanceOf(CodeContext.Found.class, kit.<CodeContext.Reply>runCommand(CodeContext.Get::new).reply()).info();
    }

    private static void awaitExecutionCount(EventSourcedBehaviorTestKit<CodeContext.Command, CodeContext.Event, CodeContext.State> kit, int count)  {
        long deadline = System.currentTimeMillis() + 10_000;
        while (info(kit).executionCount() < count && System.currentTimeMillis() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(count, info(kit).executionCount());
    }
}
