package io.codeshard.node.context;

import io.codeshard.node.interpreter.ExecutionRequest;
import io.codeshard.node.interpreter.Interpreter;
import io.codeshard.node.interpreter.InterpreterSpec;
import io.codeshard.node.interpreter.RuntimeHost;
import io.codeshard.protocol.ExecutionEvent;
import java.time.Duration;
import java.time.Instant;
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

    record Restart(ActorRef<CodeContext.Reply> replyTo, ContextInfo info) implements Command {}

    private InterpreterActor() {}

    static Behavior<Command> create(RuntimeHost host, InterpreterSpec spec, int executionsSoFar, String resetReason) {
        return Behaviors.setup(context -> {
            Interpreter interpreter = host.create(spec, executionsSoFar);
            if (resetReason != null) {
                interpreter.announceReset(resetReason);
            }
            return Behaviors.receive(Command.class)
                    .onMessage(Execute.class, run -> {
                        interpreter.execute(new ExecutionRequest(run.request().code(), run.timeout(), run.request().envVars()), run.events()::tell)
                                .whenComplete((completed, failure) -> run.entity().tell(new CodeContext.ExecutionFinished(
                                        completed == null ? 0 : completed.executionCount(), Instant.now())));
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
