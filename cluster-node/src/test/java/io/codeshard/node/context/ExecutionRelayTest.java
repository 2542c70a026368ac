package io.codeshard.node.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.codeshard.protocol.ExecutionEvent;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The requester-side end of an execution: events pass through; a dead host ends the stream instead of a hang. */
class ExecutionRelayTest {
    private static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    @Test
    void relaysEventsAndStopsAtCompleted() {
        TestProbe<ExecutionEvent> stream = testKit.createTestProbe();
        ActorRef<Object> relay = testKit.spawn(ExecutionRelay.create(stream.getRef()));
        relay.tell(new ExecutionRelay.Watch(testKit.spawn(Behaviors.<CodeContext.Command>ignore())));
        relay.tell(new ExecutionEvent.Started(4));
        relay.tell(new ExecutionEvent.Stdout("hi\n", Instant.now()));
        relay.tell(new ExecutionEvent.Completed(4, 12));

        assertEquals(new ExecutionEvent.Started(4), stream.receiveMessage());
        assertEquals("hi\n", ((ExecutionEvent.Stdout) stream.receiveMessage()).text());
        assertEquals(new ExecutionEvent.Completed(4, 12), stream.receiveMessage());
        stream.expectTerminated(relay);
    }

    @Test
    void aHostThatDiesMidExecutionEndsTheStreamWithWorkerLost() {
        TestProbe<ExecutionEvent> stream = testKit.createTestProbe();
        ActorRef<CodeContext.Command> host = testKit.spawn(Behaviors.<CodeContext.Command>ignore());
        ActorRef<Object> relay = testKit.spawn(ExecutionRelay.create(stream.getRef()));
        relay.tell(new ExecutionRelay.Watch(host));
        relay.tell(new ExecutionEvent.Started(7));
        stream.expectMessage(new ExecutionEvent.Started(7));

        testKit.stop(host);

        ExecutionEvent.Error error = (ExecutionEvent.Error) stream.receiveMessage();
        assertEquals(ExecutionRelay.WORKER_LOST, error.name());
        assertTrue(error.value().contains("outcome is unknown"), error.value());
        assertEquals(List.of(), error.traceback());
        assertEquals(7, ((ExecutionEvent.Completed) stream.receiveMessage()).executionCount());
        stream.expectTerminated(relay);
    }

    @Test
    void aHostDeadBeforeTheWatchStillEndsTheStream() {
        TestProbe<ExecutionEvent> stream = testKit.createTestProbe();
        ActorRef<CodeContext.Command> host = testKit.spawn(Behaviors.<CodeContext.Command>ignore());
        testKit.stop(host);
        ActorRef<Object> relay = testKit.spawn(ExecutionRelay.create(stream.getRef()));
        relay.tell(new ExecutionRelay.Watch(host));

        assertEquals(ExecutionRelay.WORKER_LOST, ((ExecutionEvent.Error) stream.receiveMessage()).name());
        stream.expectMessageClass(ExecutionEvent.Completed.class);
    }

    @Test
    void aClientThatLeavesStopsTheRelay() {
        TestProbe<ExecutionEvent> stream = testKit.createTestProbe();
        ActorRef<Object> relay = testKit.spawn(ExecutionRelay.create(stream.getRef()));
        relay.tell(new ExecutionRelay.StreamEnded());
        stream.expectTerminated(relay);
    }
}
