package io.codeshard.node.context;

import io.codeshard.protocol.ExecutionEvent;
import java.util.List;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One execution's events on their way from the worker to the requester's stream, on the requester's node.
 * It death-watches the entity that accepted the cell: when that worker dies (or the entity stops) before the
 * cell's {@code Completed}, it ends the stream itself with a {@value #WORKER_LOST} error and a {@code Completed},
 * so a client never waits forever for a cell whose outcome nobody knows. It stops at the first terminal event.
 */
final class ExecutionRelay {
    static final String WORKER_LOST = "WorkerLost";

    /** What the requester's node tells its relay; never leaves the node. */
    sealed interface Message extends NoSerializationVerificationNeeded {}

    /** The entity that accepted the cell (from its {@code Found} answer). */
    record Watch(ActorRef<CodeContext.Command> host) implements Message {}

    /** The requester's stream ended (client gone or execution over): nothing more to relay. */
    record StreamEnded() implements Message {}

    private ExecutionRelay() {}

    /** The relay as the {@code events} target of a {@link CodeContext.Run}: events pass through to {@code stream}. */
    static Behavior<Object> create(ActorRef<ExecutionEvent> stream) {
        return Behaviors.setup(context -> new Relay(context, stream).behavior());
    }

    private static final class Relay {
        private final ActorContext<Object> context;
        private final ActorRef<ExecutionEvent> stream;
        private final long startedAt = System.nanoTime();
        private int executionCount;

        Relay(ActorContext<Object> context, ActorRef<ExecutionEvent> stream) {
            this.context = context;
            this.stream = stream;
        }

        Behavior<Object> behavior() {
            return Behaviors.receive(Object.class)
                    .onMessage(ExecutionEvent.class, this::relay)
                    .onMessage(Watch.class, watch -> {
                        context.watch(watch.host());
                        return Behaviors.same();
                    })
                    .onMessage(StreamEnded.class, ended -> Behaviors.stopped())
                    .onSignal(Terminated.class, terminated -> workerLost())
                    .build();
        }

        private Behavior<Object> relay(ExecutionEvent event) {
            if (event instanceof ExecutionEvent.Started started) {
                executionCount = started.executionCount();
            }
            stream.tell(event);
            return event.isTerminal() ? Behaviors.stopped() : Behaviors.same();
        }

        private Behavior<Object> workerLost() {
            stream.tell(new ExecutionEvent.Error(WORKER_LOST,
                    "the worker hosting this context left the cluster (or the context stopped) before the execution ended;"
                            + " its outcome is unknown. The context is recovered on another worker with its interpreter state reset.",
                    List.of()));
            stream.tell(new ExecutionEvent.Completed(executionCount, (System.nanoTime() - startedAt) / 1_000_000));
            return Behaviors.stopped();
        }
    }
}
