package io.codeshard.node.context;

import io.codeshard.node.interpreter.ExecutionRequest;
import io.codeshard.node.interpreter.Interpreter;
import io.codeshard.node.interpreter.InterpreterSpec;
import io.codeshard.node.interpreter.RuntimeHost;
import io.codeshard.protocol.ExecutionEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The child of a {@link CodeContext} that owns its {@link Interpreter} process: created when the context
 * is created or recovered, it closes the process when it stops (context deleted, culled, node leaving).
 * Executions queue inside the interpreter; their events go straight to the requester's stream.
 */
final class InterpreterActor {
    /** Local messages from the entity to its child; they never leave the node. */
    sealed interface Command extends NoSerializationVerificationNeeded {}

    record Execute(RunRequest request, Duration timeout, ActorRef<ExecutionEvent> events, ActorRef<CodeContext.Command> entity)
            implements Command {}

    record Interrupt() implements Command {}

    /** Runs recorded cells again, in order, before any other execution; their events go nowhere. */
    record Replay(List<String> cells, Duration timeout, ActorRef<CodeContext.Command> entity) implements Command {}

    /** The next execution starts with this notice. */
    record Announce(ExecutionEvent.Notice notice) implements Command {}

    record Restart(ActorRef<CodeContext.Reply> replyTo, ContextInfo info) implements Command {}

    private InterpreterActor() {}

    private static void replay(Interpreter interpreter, Replay replay) {
        AtomicInteger failed = new AtomicInteger();
        CompletableFuture<?>[] cells = replay.cells().stream()
                .map(code -> interpreter.execute(new ExecutionRequest(code, replay.timeout(), Map.of()), event -> {
                    if (event instanceof ExecutionEvent.Error) {
                        failed.incrementAndGet();
                    }
                }).exceptionally(closed -> null))
                .toArray(CompletableFuture[]::new);
        CompletableFuture.allOf(cells).whenComplete((all, failure) ->
                replay.entity().tell(new CodeContext.ReplayFinished(cells.length, failed.get())));
    }

    static Behavior<Command> create(RuntimeHost host, InterpreterSpec spec, int executionsSoFar, String resetReason) {
        return Behaviors.setup(context -> {
            Interpreter interpreter = host.create(spec, executionsSoFar);
            if (resetReason != null) {
                interpreter.announceReset(resetReason);
            }
            return Behaviors.receive(Command.class)
                    .onMessage(Execute.class, run -> {
                        AtomicBoolean failed = new AtomicBoolean();
                        interpreter.execute(new ExecutionRequest(run.request().code(), run.timeout(), run.request().envVars()), event -> {
                                    if (event instanceof ExecutionEvent.Error) {
                                        failed.set(true);
                                    }
                                    run.events().tell(event);
                                })
                                .whenComplete((completed, failure) -> run.entity().tell(new CodeContext.ExecutionFinished(
                                        completed == null ? 0 : completed.executionCount(), Instant.now(),
                                        completed != null && !failed.get(), run.request().code())));
                        return Behaviors.same();
                    })
                    .onMessage(Replay.class, replay -> {
                        replay(interpreter, replay);
                        return Behaviors.same();
                    })
                    .onMessage(Announce.class, announce -> {
                        interpreter.announce(announce.notice());
                        return Behaviors.same();
                    })
                    .onMessage(Interrupt.class, interrupt -> {
                        interpreter.interrupt();
                        return Behaviors.same();
                    })
                    .onMessage(Restart.class, restart -> {
                        interpreter.restart().whenComplete((ok, failure) -> restart.replyTo().tell(failure == null
                                ? new CodeContext.Found(restart.info())
                                : new CodeContext.Failed("restart failed: " + failure.getMessage())));
                        return Behaviors.same();
                    })
                    .onSignal(PostStop.class, stopped -> {
                        interpreter.close();
                        return Behaviors.same();
                    })
                    .build();
        });
    }
}
