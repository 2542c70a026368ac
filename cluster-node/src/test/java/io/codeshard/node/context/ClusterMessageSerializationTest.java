package io.codeshard.node.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.typesafe.config.ConfigFactory;
import io.codeshard.node.sandbox.SandboxRegistry;
import io.codeshard.protocol.ClusterMessage;
import io.codeshard.protocol.ExecutionEvent;
import io.codeshard.protocol.Language;
import io.codeshard.protocol.ResultBundle;
import io.codeshard.protocol.kryo.KryoSerializer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every cluster message survives Kryo, and every registered class has a round trip here. */
class ClusterMessageSerializationTest {
    private static ActorTestKit testKit;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create(ConfigFactory.parseString("""
                pekko.actor.provider = cluster
                pekko.remote.artery.canonical.port = 0
                """).withFallback(ConfigFactory.load()));
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private static List<Object> samples() {
        TestProbe<CodeContext.Reply> replies = testKit.createTestProbe();
        TestProbe<ExecutionEvent> events = testKit.createTestProbe();
        TestProbe<SandboxRegistry.Listing> listings = testKit.createTestProbe();
        ActorRef<CodeContext.Reply> replyTo = replies.getRef();
        Instant now = Instant.parse("2026-11-26T10:00:00Z");
        ContextSettings settings = new ContextSettings(Language.TYPESCRIPT, "/workspace/x", Map.of("A", "1", "B", "2"), 30000, 3600, "none");
        ContextInfo info = new ContextInfo("sbx", "c-1", settings, now, now, 4, ContextInfo.READY);
        SandboxRegistry.Entry entry = new SandboxRegistry.Entry("c-1", Language.PYTHON, now);
        ResultBundle bundle = new ResultBundle("15", "<b>15</b>", null, null, "iVBOR", null, null, null, null,
                JsonNodeFactory.instance.arrayNode().add(1), JsonNodeFactory.instance.objectNode().put("type", "bar"),
                null, Map.of("application/x-custom", JsonNodeFactory.instance.textNode("v")));
        return List.of(
                new ExecutionEvent.Started(3),
                new ExecutionEvent.Stdout("héllo\n", now),
                new ExecutionEvent.Stderr("oops\n", now),
                new ExecutionEvent.Result(bundle, true),
                new ExecutionEvent.Error("ZeroDivisionError", "division by zero", List.of("Traceback", "  line 1")),
                new ExecutionEvent.Notice("state_reset", "gone"),
                new ExecutionEvent.Completed(3, 12),
                new CodeContext.Create("sbx", "c-1", settings, true, replyTo),
                new CodeContext.Get(replyTo),
                new CodeContext.Run(new RunRequest("print(1)", 0, Map.of("X", "y")), events.getRef(), replyTo),
                new CodeContext.Interrupt(),
                new CodeContext.Restart(replyTo),
                new CodeContext.Delete(replyTo),
                new CodeContext.Found(info),
                new CodeContext.NotFound("sbx:c-9"),
                new CodeContext.Failed("no"),
                new CodeContext.WorkerFull("full"),
                new CodeContext.IdleTimeout(),
                new SandboxRegistry.Register(entry, listings.getRef()),
                new SandboxRegistry.Unregister("c-1", null),
                new SandboxRegistry.ListContexts(listings.getRef()),
                new SandboxRegistry.Reserve(entry, 100, listings.getRef()),
                new SandboxRegistry.Listing(List.of(entry)));
    }

    @Test
    void everyClusterMessageRoundTripsThroughKryo() {
        Serialization serialization = SerializationExtension.get(testKit.system());
        for (Object message : samples()) {
            assertTrue(message instanceof ClusterMessage, message.getClass() + " must be a ClusterMessage");
            assertEquals(KryoSerializer.IDENTIFIER, serialization.findSerializerFor(message).identifier(), message.getClass().getName());
            byte[] bytes = serialization.serialize(message).get();
            Object back = serialization.deserialize(bytes, serialization.findSerializerFor(message).identifier(),
                    Serializers.manifestFor(serialization.findSerializerFor(message), message)).get();
            assertEquals(message, back, message.getClass().getName());
        }
    }

    @Test
    void everyRegisteredMessageClassIsCoveredByARoundTrip() {
        Set<String> covered = samples().stream().map(m -> m.getClass().getName()).collect(Collectors.toSet());
        covered.addAll(Set.of(ContextSettings.class.getName(), ContextInfo.class.getName(), RunRequest.class.getName(),
                SandboxRegistry.Entry.class.getName(), Language.class.getName()));
        Set<String> registered = testKit.system().settings().config().getConfig("codeshard.kryo.classes").root().keySet()
                .stream().map(k -> k.replace("\"", "")).collect(Collectors.toSet());
        assertEquals(registered.stream().sorted().toList(), registered.stream().filter(covered::contains).sorted().toList());
    }
}
