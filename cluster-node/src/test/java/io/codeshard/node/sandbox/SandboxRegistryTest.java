package io.codeshard.node.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.codeshard.protocol.Language;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The per-sandbox listing: creation order, idempotence, survives recovery. */
class SandboxRegistryTest {
    private static ActorTestKit testKit;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config()
                .withFallback(ConfigFactory.parseString("pekko.actor.provider = cluster\npekko.remote.artery.canonical.port = 0"))
                .withFallback(ConfigFactory.load()));
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private static SandboxRegistry.Entry entry(String id) {
        return new SandboxRegistry.Entry(id, Language.PYTHON, Instant.parse("2026-11-26T10:00:00Z"));
    }

    private static List<String> ids(SandboxRegistry.Listing listing) {
        return listing.entries().stream().map(SandboxRegistry.Entry::contextId).toList();
    }

    @Test
    void listsContextsInCreationOrderAcrossRecovery() {
        var kit = EventSourcedBehaviorTestKit.<SandboxRegistry.Command, SandboxRegistry.Event, SandboxRegistry.State>create(
                testKit.system(), SandboxRegistry.create("sbx-order"));
        kit.<SandboxRegistry.Listing>runCommand(r -> new SandboxRegistry.Register(entry("c"), r));
        kit.<SandboxRegistry.Listing>runCommand(r -> new SandboxRegistry.Register(entry("a"), r));
        kit.<SandboxRegistry.Listing>runCommand(r -> new SandboxRegistry.Register(entry("b"), r));
        var removed = kit.<SandboxRegistry.Listing>runCommand(r -> new SandboxRegistry.Unregister("a", r));
        assertEquals(List.of("c", "b"), ids(removed.reply()));
        kit.restart();
        assertEquals(List.of("c", "b"), ids(kit.<SandboxRegistry.Listing>runCommand(SandboxRegistry.ListContexts::new).reply()));
    }

    @Test
    void registeringTwiceOrUnregisteringAnUnknownIdChangesNothing() {
        var kit = EventSourcedBehaviorTestKit.<SandboxRegistry.Command, SandboxRegistry.Event, SandboxRegistry.State>create(
                testKit.system(), SandboxRegistry.create("sbx-idem"));
        kit.<SandboxRegistry.Listing>runCommand(r -> new SandboxRegistry.Register(entry("x"), r));
        var again = kit.<SandboxRegistry.Listing>runCommand(r -> new SandboxRegistry.Register(entry("x"), r));
        assertTrue(again.hasNoEvents());
        var unknown = kit.<SandboxRegistry.Listing>runCommand(r -> new SandboxRegistry.Unregister("nope", r));
        assertTrue(unknown.hasNoEvents());
        assertEquals(List.of("x"), ids(unknown.reply()));
    }

    @Test
    void aReservationOverTheLimitIsRefusedButOneAlreadyListedIsKept() {
        var kit = EventSourcedBehaviorTestKit.<SandboxRegistry.Command, SandboxRegistry.Event, SandboxRegistry.State>create(
                testKit.system(), SandboxRegistry.create("~ledger"));
        kit.<SandboxRegistry.Listing>runCommand(r -> new SandboxRegistry.Reserve(entry("a"), 2, r));
        var second = kit.<SandboxRegistry.Listing>runCommand(r -> new SandboxRegistry.Reserve(entry("b"), 2, r));
        assertTrue(second.reply().contains("b"));
        var refused = kit.<SandboxRegistry.Listing>runCommand(r -> new SandboxRegistry.Reserve(entry("c"), 2, r));
        assertTrue(refused.hasNoEvents());
        assertFalse(refused.reply().contains("c"));
        var kept = kit.<SandboxRegistry.Listing>runCommand(r -> new SandboxRegistry.Reserve(entry("a"), 2, r));
        assertTrue(kept.hasNoEvents());
        assertTrue(kept.reply().contains("a"));
        kit.<SandboxRegistry.Listing>runCommand(r -> new SandboxRegistry.Unregister("a", r));
        assertTrue(kit.<SandboxRegistry.Listing>runCommand(r -> new SandboxRegistry.Reserve(entry("c"), 2, r)).reply().contains("c"));
    }
}
