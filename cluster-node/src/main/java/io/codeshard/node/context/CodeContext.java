package io.codeshard.node.context;

import io.codeshard.node.interpreter.InterpreterSpec;
import io.codeshard.node.interpreter.RuntimeHost;
import io.codeshard.node.sandbox.SandboxShards;
import io.codeshard.protocol.ClusterMessage;
import io.codeshard.protocol.ExecutionEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * A code context: a sharded, event-sourced entity (id {@code <sandboxId>:<contextId>}) that owns one
 * interpreter process through its {@link InterpreterActor} child. The journal keeps what must survive a
 * restart or a failover — language, cwd, envVars, timestamps, executionCount — never the interpreter's
 * memory: a recovered context starts a fresh interpreter that announces the reset on its first run.
 * Idle contexts lose their interpreter to their own timer (which does not run while a cell runs) and keep
 * their metadata, marked culled; their next execution starts a fresh interpreter.
 */
public final class CodeContext extends EventSourcedBehavior<CodeContext.Command, CodeContext.Event, CodeContext.State> {
    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "CodeContext");
    private static final Object IDLE_TIMER = "idle";
    private static final Object HANDOFF_TIMER = "handoff";
    /** How long a moving context waits for its running cells (sharding's own hand-off limit is longer). */
    private static final Duration HANDOFF_GRACE = Duration.ofSeconds(8);
    static final String RECOVERED = "the context was recovered from the journal (service restart or failover)";

    // ---- protocol ----

    public sealed interface Command extends ClusterMessage {}

    /** Creates the context; with {@code ifAbsent} an existing one is answered instead (default contexts). */
    public record Create(String sandboxId, String contextId, ContextSettings settings, boolean ifAbsent, ActorRef<Reply> replyTo)
            implements Command {}

    public record Get(ActorRef<Reply> replyTo) implements Command {}

    /**
     * Runs a cell: {@code replyTo} hears {@link Found} (accepted) or {@link NotFound} first, then the
     * execution's events go to {@code events}, ending with {@code Completed}.
     */
    public record Run(RunRequest request, ActorRef<ExecutionEvent> events, ActorRef<Reply> replyTo) implements Command {}

    /** Interrupts the running cell (its client went away). */
    public record Interrupt() implements Command {}

    public record Restart(ActorRef<Reply> replyTo) implements Command {}

    public record Delete(ActorRef<Reply> replyTo) implements Command {}

    /** From the interpreter child: a cell ended; {@code succeeded} when it raised no error. */
    public record ExecutionFinished(int executionCount, Instant at, boolean succeeded, String code)
            implements Command, NoSerializationVerificationNeeded {}

    /** From the idle timer. */
    public record IdleTimeout() implements Command {}

    /** From the {@link ExecutionLog} child: it recovered (again) with this state. */
    public record LogRecovered(ExecutionLog.State log) implements Command, NoSerializationVerificationNeeded {}

    /** From the {@link ExecutionLog} child: writes up to {@code seq} are in the journal. */
    public record LogWritten(long seq) implements Command, NoSerializationVerificationNeeded {}

    /** From the interpreter child: the recorded cells of a replay context ran again; {@code failed} raised errors. */
    public record ReplayFinished(int ran, int failed) implements Command, NoSerializationVerificationNeeded {}

    /**
     * From sharding, when the shard moves (its node leaves, or a rebalance): running cells get a few seconds to
     * finish and unacknowledged log writes to land, then the entity stops (its interpreter with it).
     */
    public record HandOff() implements Command, NoSerializationVerificationNeeded {}

    record HandOffDeadline() implements Command, NoSerializationVerificationNeeded {}

    public sealed interface Reply extends ClusterMessage {}

    /**
     * The context's info. In answer to {@link Run}, {@code host} is the entity that accepted the cell: the
     * requester death-watches it to end the execution's stream when the worker dies ({@link ExecutionRelay});
     * null in other answers.
     */
    public record Found(ContextInfo info, ActorRef<Command> host) implements Reply {
        public Found(ContextInfo info) {
            this(info, null);
        }
    }

    public record NotFound(String entityId) implements Reply {}

    public record Failed(String message) implements Reply {}

    /** A new context was refused: this worker hosts its limit of contexts ({@link WorkerCapacity}). */
    public record WorkerFull(String message) implements Reply {}

    public sealed interface Event extends Persisted {}

    public record Created(ContextInfo info) implements Event {}

    /** Written by earlier versions, where the entity journaled every execution; now {@link ExecutionLog} does. */
    public record Executed(int executionCount, Instant at) implements Event {}

    public record Restarted(Instant at) implements Event {}

    public record Deleted(Instant at, String reason) implements Event {}

    /** The interpreter was stopped after the idle TTL; the context stays, its next execution starts a fresh one. */
    public record Culled(Instant at, long idleSeconds) implements Event {}

    /** {@code info} is null until the context is created; a deleted context keeps its last info. */
    public record State(ContextInfo info, boolean deleted) implements Persisted {
        boolean isActive() {
            return info != null && !deleted;
        }
    }

    /** What a context needs from its node. */
    public record Dependencies(RuntimeHost host, Workspaces workspaces) {}

    // ---- wiring ----

    public static String entityId(String sandboxId, String contextId) {
        return sandboxId + ":" + contextId;
    }

    /** Registers the entity with sharding; on nodes without the worker role this starts a proxy only. */
    public static void init(ActorSystem<?> system, Dependencies dependencies, int numberOfShards) {
        ClusterSharding.get(system).init(Entity.of(TYPE_KEY, entity -> create(entity.getEntityId(), dependencies, entity.getShard()))
                .withRole("worker")
                .withStopMessage(new HandOff())
                .withMessageExtractor(new SandboxShards<>(numberOfShards)));
    }

    static Behavior<Command> create(String entityId, Dependencies dependencies) {
        return create(entityId, dependencies, null);
    }

    /** {@code shard} (null outside sharding) is told to passivate an entity that turned out to be no context. */
    static Behavior<Command> create(String entityId, Dependencies dependencies, ActorRef<ClusterSharding.ShardCommand> shard) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers ->
                new CodeContext(entityId, context, timers, dependencies, shard)));
    }

    private final String entityId;
    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final Dependencies dependencies;
    private ActorRef<InterpreterActor.Command> interpreter;
    private int running;
    private int interpreterIncarnations;
    private ActorRef<ExecutionLog.Command> log;
    /** The execution log's recovered state, kept current by this context's own records. */
    private ExecutionLog.State usage = ExecutionLog.State.EMPTY;
    /** Runs wait (stashed) until the log told the execution count, and until a replay ended. */
    private boolean logRecovered;
    private boolean replaying;
    private boolean handingOff;
    /** Log writes not yet acknowledged, sent again when the log recovers (after a journal outage). */
    private final Deque<ExecutionLog.Command> unwritten = new ArrayDeque<>();
    private long writes;
    private final ActorRef<ClusterSharding.ShardCommand> shard;
    private boolean passivating;
    /** Whether this entity counts among the worker's hosted contexts ({@link WorkerCapacity}). */
    private boolean hosted;

    private CodeContext(String entityId, ActorContext<Command> context, TimerScheduler<Command> timers, Dependencies dependencies,
                        ActorRef<ClusterSharding.ShardCommand> shard) {
        super(PersistenceId.of(TYPE_KEY.name(), entityId),
                SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
        this.entityId = entityId;
        this.context = context;
        this.timers = timers;
        this.dependencies = dependencies;
        this.shard = shard;
    }

    @Override
    public State emptyState() {
        return new State(null, false);
    }

    // ---- commands ----

    @Override
    public CommandHandler<Command, Event, State> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Create.class, this::onCreate)
                .onCommand(Get.class, (state, get) -> state.isActive() && !logRecovered
                        ? Effect().stash() // its execution count is in the log
                        : Effect().none().thenRun(this::passivateIfNoContext).thenReply(get.replyTo(), this::answer))
                .onCommand(Run.class, this::onRun)
                .onCommand(Interrupt.class, this::onInterrupt)
                .onCommand(Restart.class, this::onRestart)
                .onCommand(Delete.class, this::onDelete)
                .onCommand(ExecutionFinished.class, this::onExecutionFinished)
                .onCommand(IdleTimeout.class, this::onIdleTimeout)
                .onCommand(LogRecovered.class, this::onLogRecovered)
                .onCommand(LogWritten.class, this::onLogWritten)
                .onCommand(ReplayFinished.class, this::onReplayFinished)
                .onCommand(HandOff.class, this::onHandOff)
                .onCommand(HandOffDeadline.class, (state, deadline) -> Effect().stop())
                .build();
    }

    private Effect<Event, State> onCreate(State state, Create create) {
        if (state.isActive()) {
            Reply reply = create.ifAbsent() ? new Found(current(state)) : new Failed("context " + create.contextId() + " already exists");
            return Effect().reply(create.replyTo(), reply);
        }
        WorkerCapacity capacity = WorkerCapacity.get(context.getSystem());
        if (!hosted && !capacity.tryTake()) {
            return Effect().reply(create.replyTo(), new WorkerFull("The worker that would host this sandbox holds its limit of "
                    + capacity.limit() + " contexts; delete contexts or retry later"));
        }
        hosted = true;
        Instant now = Instant.now();
        ContextInfo info = new ContextInfo(create.sandboxId(), create.contextId(), create.settings(), now, now, 0, ContextInfo.READY);
        return Effect().persist(new Created(info)).thenRun(created -> {
            startLog(created.info());
            logRecovered = true; // a new context's log is new and empty: nothing to wait for
            startInterpreter(created.info(), 0, null);
            armIdleTimer(created.info());
            create.replyTo().tell(new Found(created.info()));
        });
    }

    private Effect<Event, State> onRun(State state, Run run) {
        if (!state.isActive()) {
            return Effect().none().thenRun(this::passivateIfNoContext).thenReply(run.replyTo(), s -> new NotFound(entityId));
        }
        if (!logRecovered || replaying) {
            return Effect().stash();
        }
        if (interpreter == null) {
            String reason = state.info().isCulled()
                    ? "the context was idle for " + state.info().settings().idleTtlSeconds() + " s and its interpreter was stopped"
                    : RECOVERED;
            if (restoreInterpreter(state.info(), reason)) {
                return Effect().stash();
            }
        }
        running++;
        timers.cancel(IDLE_TIMER);
        interpreter.tell(new InterpreterActor.Execute(run.request(), timeoutOf(state.info(), run.request()), run.events(), context.getSelf()));
        return Effect().reply(run.replyTo(), new Found(current(state), context.getSelf()));
    }

    private Effect<Event, State> onInterrupt(State state, Interrupt interrupt) {
        if (interpreter != null) {
            interpreter.tell(new InterpreterActor.Interrupt());
        }
        return Effect().none();
    }

    private Effect<Event, State> onRestart(State state, Restart restart) {
        if (!state.isActive()) {
            return Effect().none().thenRun(this::passivateIfNoContext).thenReply(restart.replyTo(), s -> new NotFound(entityId));
        }
        if (!logRecovered || replaying) {
            return Effect().stash();
        }
        return Effect().persist(new Restarted(Instant.now())).thenRun(restarted -> {
            write(new ExecutionLog.Clear(++writes, usage.executionCount()));
            usage = new ExecutionLog.State(usage.executionCount(), usage.lastUsed(), List.of(), 0, false);
            if (interpreter == null) {
                startInterpreter(restarted.info(), usage.executionCount(), null);
                restart.replyTo().tell(new Found(current(restarted)));
            } else {
                interpreter.tell(new InterpreterActor.Restart(restart.replyTo(), current(restarted)));
            }
        });
    }

    private Effect<Event, State> onDelete(State state, Delete delete) {
        if (!state.isActive()) {
            return Effect().none().thenRun(this::passivateIfNoContext).thenReply(delete.replyTo(), s -> new NotFound(entityId));
        }
        return Effect().persist(new Deleted(Instant.now(), "deleted by request"))
                .thenRun(deleted -> delete.replyTo().tell(new Found(current(deleted))))
                .thenStop();
    }

    private Effect<Event, State> onExecutionFinished(State state, ExecutionFinished finished) {
        running = Math.max(0, running - 1);
        if (!state.isActive() || finished.executionCount() <= usage.executionCount()) {
            return stopWhenHandedOff();
        }
        boolean keep = finished.succeeded() && ContextSettings.RESTORE_REPLAY.equals(state.info().settings().restore());
        ExecutionLog.Record record = new ExecutionLog.Record(++writes, finished.executionCount(), finished.at(), keep ? finished.code() : null);
        usage = usage.recorded(new ExecutionLog.Recorded(record.executionCount(), record.at(), record.code()));
        write(record);
        armIdleTimerIfIdle(state);
        return stopWhenHandedOff();
    }

    /** Stops the interpreter of a context unused for its TTL; the metadata stays and says so. */
    private Effect<Event, State> onIdleTimeout(State state, IdleTimeout timeout) {
        if (!state.isActive() || running > 0 || interpreter == null) {
            return Effect().none();
        }
        long ttl = state.info().settings().idleTtlSeconds();
        context.getLog().info("context {} idle for {} s: stopping its interpreter", entityId, ttl);
        return Effect().persist(new Culled(Instant.now(), ttl)).thenRun(culled -> {
            context.stop(interpreter);
            interpreter = null;
        });
    }

    /** The log's state after the entity's recovery (and after each restart of the log): the count, the cells. */
    private Effect<Event, State> onLogRecovered(State state, LogRecovered recovered) {
        unwritten.forEach(log::tell); // lost in a journal outage, or not yet written: idempotent by count
        if (logRecovered) {
            return Effect().none();
        }
        logRecovered = true;
        ExecutionLog.State log = recovered.log();
        ContextInfo journaled = state.info();
        // contexts of earlier versions have their count in the entity's own journal (Executed events)
        usage = journaled == null || log.executionCount() >= journaled.executionCount() ? log
                : new ExecutionLog.State(journaled.executionCount(), journaled.lastUsed(), log.cells(), log.codeChars(), log.incomplete());
        if (state.isActive() && !state.info().isCulled()) {
            // a culled context gets its interpreter back on its next execution only
            if (restoreInterpreter(state.info(), RECOVERED)) {
                return Effect().none();
            }
            armIdleTimer(state.info());
        }
        return Effect().unstashAll();
    }

    private Effect<Event, State> onLogWritten(State state, LogWritten written) {
        while (!unwritten.isEmpty() && unwritten.peekFirst().seq() <= written.seq()) {
            unwritten.removeFirst();
        }
        return stopWhenHandedOff();
    }

    private Effect<Event, State> onReplayFinished(State state, ReplayFinished replay) {
        replaying = false;
        String message = "The interpreter was restarted because " + RECOVERED + "; its state was rebuilt by running its "
                + replay.ran() + " recorded successful cell(s) again in order (restore: replay)"
                + (replay.failed() > 0 ? ", of which " + replay.failed() + " raised an error this time" : "") + ".";
        interpreter.tell(new InterpreterActor.Announce(new ExecutionEvent.Notice("state_replayed", message)));
        armIdleTimerIfIdle(state);
        return Effect().unstashAll();
    }

    private Effect<Event, State> onHandOff(State state, HandOff handOff) {
        handingOff = true;
        timers.startSingleTimer(HANDOFF_TIMER, new HandOffDeadline(), HANDOFF_GRACE);
        return stopWhenHandedOff();
    }

    /** A moving context stops once its cells ended and its log writes landed (or at its deadline). */
    private Effect<Event, State> stopWhenHandedOff() {
        return handingOff && running == 0 && unwritten.isEmpty() ? Effect().stop() : Effect().none();
    }

    /**
     * An id that names no context (never created, or deleted) was asked about: the entity asks its shard to stop it,
     * so that lookups of arbitrary ids do not fill the worker's memory with empty entities.
     */
    private void passivateIfNoContext(State state) {
        if (!state.isActive() && shard != null && !passivating) {
            passivating = true;
            shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
        }
    }

    private Reply answer(State state) {
        return state.isActive() ? new Found(current(state)) : new NotFound(state.info() == null ? "" : state.info().id());
    }

    /** The journaled metadata with the execution log's count and last use. */
    private ContextInfo current(State state) {
        ContextInfo info = state.info().withExecutions(usage.executionCount(), usage.lastUsed());
        return interpreter != null && info.isCulled() ? info.revived() : info;
    }

    private static Duration timeoutOf(ContextInfo info, RunRequest request) {
        return Duration.ofMillis(request.timeoutMs() > 0 ? request.timeoutMs() : info.settings().timeoutMs());
    }

    // ---- interpreter, log and idle timer (side effects, never in event handlers) ----

    /**
     * Starts a fresh interpreter for a context that had one before (recovered, or culled): a replay context runs its
     * recorded cells again first and says so; any other announces that its state was reset.
     *
     * @return true when a replay started (runs wait for it)
     */
    private boolean restoreInterpreter(ContextInfo info, String reason) {
        boolean replay = ContextSettings.RESTORE_REPLAY.equals(info.settings().restore()) && !usage.cells().isEmpty() && !usage.incomplete();
        if (!replay) {
            String why = usage.incomplete() ? reason + " (its recorded cells outgrew the replay limit, so they were not run again)" : reason;
            startInterpreter(info, usage.executionCount(), why);
            return false;
        }
        startInterpreter(info, usage.executionCount() - usage.cells().size(), null);
        replaying = true;
        interpreter.tell(new InterpreterActor.Replay(usage.cells(), Duration.ofMillis(info.settings().timeoutMs()), context.getSelf()));
        return true;
    }

    private void startInterpreter(ContextInfo info, int executionsSoFar, String resetReason) {
        InterpreterSpec spec = dependencies.workspaces().interpreterSpec(info.sandboxId(), info.settings());
        // a stopped predecessor's name may not be free yet, hence the count
        interpreter = context.spawn(InterpreterActor.create(dependencies.host(), spec, executionsSoFar, resetReason),
                "interpreter-" + (++interpreterIncarnations));
    }

    private void startLog(ContextInfo info) {
        log = context.spawn(ExecutionLog.create(info, context.getSelf()), "log");
    }

    private void write(ExecutionLog.Command command) {
        unwritten.addLast(command);
        log.tell(command);
    }

    private void armIdleTimerIfIdle(State state) {
        if (running == 0 && state.isActive() && !handingOff) {
            armIdleTimer(state.info());
        }
    }

    private void armIdleTimer(ContextInfo info) {
        long ttl = info.settings().idleTtlSeconds();
        if (ttl > 0) {
            timers.startSingleTimer(IDLE_TIMER, new IdleTimeout(), Duration.ofSeconds(ttl));
        }
    }

    @Override
    public SignalHandler<State> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), state -> {
                    if (state.isActive()) {
                        if (!hosted) {
                            WorkerCapacity.get(context.getSystem()).take();
                            hosted = true;
                        }
                        // the execution count and replay cells are in the log: runs wait for it (onLogRecovered)
                        startLog(state.info());
                    } else {
                        logRecovered = true;
                    }
                })
                .onSignal(PostStop.instance(), state -> releasePlace())
                .onSignal(PreRestart.instance(), state -> releasePlace())
                .build();
    }

    private void releasePlace() {
        if (hosted) {
            hosted = false;
            WorkerCapacity.get(context.getSystem()).release();
        }
    }

    // ---- events (pure) ----

    @Override
    public EventHandler<State, Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState()
                .onEvent(Created.class, (state, e) -> new State(e.info(), false))
                .onEvent(Executed.class, (state, e) -> state.info() == null ? state : new State(state.info().used(e.executionCount(), e.at()), state.deleted()))
                .onEvent(Restarted.class, (state, e) -> state)
                .onEvent(Deleted.class, (state, e) -> new State(state.info(), true))
                .onEvent(Culled.class, (state, e) -> new State(state.info().culled(), state.deleted()))
                .build();
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(100, 2);
    }
}
