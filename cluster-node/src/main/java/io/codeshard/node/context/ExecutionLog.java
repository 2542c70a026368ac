package io.codeshard.node.context;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The journal of a context's executions, kept by a child of its {@link CodeContext}: how many cells ran, when the
 * last one ended, and — for contexts created with {@code restore: "replay"} — the code of the cells that succeeded
 * since the last restart, to be run again when the context comes back on another node.
 *
 * <p>It is a persistent actor of its own so that a journal outage never touches the context: a failed write stops
 * only this child, which restarts with back-off and recovers when the journal is back, while the context and its
 * interpreter keep executing. The context keeps every write until it is acknowledged and sends them again after
 * each recovery ({@link CodeContext.LogRecovered}); writes are idempotent by their sequence of execution counts.
 */
final class ExecutionLog extends EventSourcedBehavior<ExecutionLog.Command, ExecutionLog.Event, ExecutionLog.State> {
    /** Cells kept for a replay, and their total size: beyond either the history is marked incomplete. */
    static final int MAX_CELLS = 1000;
    static final int MAX_CODE_CHARS = 1 << 20;

    /** Local messages from the context; {@code seq} numbers them for the context's acknowledgements. */
    sealed interface Command extends NoSerializationVerificationNeeded {
        long seq();
    }

    /** A cell ended; {@code code} is kept for replay (null: not kept). */
    record Record(long seq, int executionCount, Instant at, String code) implements Command {}

    /** The interpreter was restarted on request: cells recorded so far are no longer the context's state. */
    record Clear(long seq, int executionCount) implements Command {}

    sealed interface Event extends Persisted {}

    record Recorded(int executionCount, Instant at, String code) implements Event {}

    record Cleared(int executionCount) implements Event {}

    /**
     * @param cells      code of the successful cells since the last restart (replay contexts only), in order
     * @param incomplete the cells outgrew {@link #MAX_CELLS} or {@link #MAX_CODE_CHARS}: a replay would be partial
     */
    record State(int executionCount, Instant lastUsed, List<String> cells, int codeChars, boolean incomplete) implements Persisted {
        static final State EMPTY = new State(0, null, List.of(), 0, false);

        State recorded(Recorded e) {
            if (e.code() == null || incomplete) {
                return new State(e.executionCount(), e.at(), cells, codeChars, incomplete);
            }
            if (cells.size() >= MAX_CELLS || codeChars + e.code().length() > MAX_CODE_CHARS) {
                return new State(e.executionCount(), e.at(), List.of(), 0, true);
            }
            List<String> more = new ArrayList<>(cells);
            more.add(e.code());
            return new State(e.executionCount(), e.at(), List.copyOf(more), codeChars + e.code().length(), false);
        }

        State cleared(Cleared e) {
            return new State(Math.max(executionCount, e.executionCount()), lastUsed, List.of(), 0, false);
        }
    }

    static PersistenceId persistenceId(ContextInfo info) {
        // one log per incarnation of the id: a context deleted and created again starts with an empty log
        return PersistenceId.of("ExecutionLog", CodeContext.entityId(info.sandboxId(), info.id()) + "@" + info.createdAt().toEpochMilli());
    }

    static Behavior<Command> create(ContextInfo info, ActorRef<CodeContext.Command> owner) {
        return Behaviors.setup(context -> new ExecutionLog(persistenceId(info), owner));
    }

    private final ActorRef<CodeContext.Command> owner;

    private ExecutionLog(PersistenceId id, ActorRef<CodeContext.Command> owner) {
        super(id, SupervisorStrategy.restartWithBackoff(Duration.ofMillis(500), Duration.ofSeconds(5), 0.2));
        this.owner = owner;
    }

    @Override
    public State emptyState() {
        return State.EMPTY;
    }

    @Override
    public CommandHandler<Command, Event, State> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Record.class, (state, record) -> record.executionCount() <= state.executionCount()
                        ? acknowledge(record)
                        : Effect().persist(new Recorded(record.executionCount(), record.at(), record.code()))
                                .thenRun(s -> owner.tell(new CodeContext.LogWritten(record.seq()))))
                .onCommand(Clear.class, (state, clear) -> clear.executionCount() < state.executionCount()
                        ? acknowledge(clear)
                        : Effect().persist(new Cleared(clear.executionCount()))
                                .thenRun(s -> owner.tell(new CodeContext.LogWritten(clear.seq()))))
                .build();
    }

    /** Already written before a restart of this log: only the acknowledgement was lost. */
    private Effect<Event, State> acknowledge(Command command) {
        return Effect().none().thenRun(s -> owner.tell(new CodeContext.LogWritten(command.seq())));
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState()
                .onEvent(Recorded.class, State::recorded)
                .onEvent(Cleared.class, State::cleared)
                .build();
    }

    @Override
    public SignalHandler<State> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), state -> owner.tell(new CodeContext.LogRecovered(state)))
                .build();
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(200, 2);
    }
}
