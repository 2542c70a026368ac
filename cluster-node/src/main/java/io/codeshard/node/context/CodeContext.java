package io.codeshard.node.context;

import io.codeshard.node.interpreter.InterpreterSpec;
import io.codeshard.node.interpreter.RuntimeHost;
import io.codeshard.node.sandbox.SandboxShards;
import io.codeshard.protocol.ClusterMessage;
import io.codeshard.protocol.ExecutionEvent;
import java.time.Duration;
import java.time.Instant;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
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

    /** From the interpreter child: a cell ended. */
    public record ExecutionFinished(int executionCount, Instant at) implements Command {}

    /** From the idle timer. */
    public record IdleTimeout() implements Command {}

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

    public sealed interface Event extends Persisted {}

    public record Created(ContextInfo info) implements Event {}

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
        ClusterSharding.get(system).init(Entity.of(TYPE_KEY, entity -> create(entity.getEntityId(), dependencies))
                .withRole("worker")
                .withMessageExtractor(new SandboxShards<>(numberOfShards)));
    }

    static Behavior<Command> create(String entityId, Dependencies dependencies) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers ->
                new CodeContext(entityId, context, timers, dependencies)));
    }

    private final String entityId;
    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final Dependencies dependencies;
    private ActorRef<InterpreterActor.Command> interpreter;
    private int running;
    private int interpreterIncarnations;

    private CodeContext(String entityId, ActorContext<Command> context, TimerScheduler<Command> timers, Dependencies dependencies) {
        super(PersistenceId.of(TYPE_KEY.name(), entityId),
                SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
        this.entityId = entityId;
        this.context = context;
        this.timers = timers;
        this.dependencies = dependencies;
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
                .onCommand(Get.class, (state, get) -> Effect().reply(get.replyTo(), answer(state)))
                .onCommand(Run.class, this::onRun)
                .onCommand(Interrupt.class, this::onInterrupt)
                .onCommand(Restart.class, this::onRestart)
                .onCommand(Delete.class, this::onDelete)
                .onCommand(ExecutionFinished.class, this::onExecutionFinished)
                .onCommand(IdleTimeout.class, this::onIdleTimeout)
                .build();
    }

    private Effect<Event, State> onCreate(State state, Create create) {
        if (state.isActive()) {
            Reply reply = create.ifAbsent() ? new Found(state.info()) : new Failed("context " + create.contextId() + " already exists");
            return Effect().reply(create.replyTo(), reply);
        }
        Instant now = Instant.now();
        ContextInfo info = new ContextInfo(create.sandboxId(), create.contextId(), create.settings(), now, now, 0, ContextInfo.READY);
        return Effect().persist(new Created(info)).thenRun(created -> {
            startInterpreter(created.info(), null);
            armIdleTimer(created.info());
            create.replyTo().tell(new Found(created.info()));
        });
    }

    private Effect<Event, State> onRun(State state, Run run) {
        if (!state.isActive()) {
            return Effect().reply(run.replyTo(), new NotFound(entityId));
        }
        if (interpreter == null) {
            startInterpreter(state.info(), state.info().isCulled()
                    ? "the context was idle for " + state.info().settings().idleTtlSeconds() + " s and its interpreter was stopped"
                    : "the context was recovered from the journal (service restart or failover)");
        }
        running++;
        timers.cancel(IDLE_TIMER);
        long timeoutMs = run.request().timeoutMs() > 0 ? run.request().timeoutMs() : state.info().settings().timeoutMs();
        interpreter.tell(new InterpreterActor.Execute(run.request(), Duration.ofMillis(timeoutMs), run.events(), context.getSelf()));
        return Effect().reply(run.replyTo(), new Found(state.info(), context.getSelf()));
    }

    private Effect<Event, State> onInterrupt(State state, Interrupt interrupt) {
        if (interpreter != null) {
            interpreter.tell(new InterpreterActor.Interrupt());
        }
        return Effect().none();
    }

    private Effect<Event, State> onRestart(State state, Restart restart) {
        if (!state.isActive()) {
            return Effect().reply(restart.replyTo(), new NotFound(entityId));
        }
        return Effect().persist(new Restarted(Instant.now()))
                .thenRun(restarted -> interpreter.tell(new InterpreterActor.Restart(restart.replyTo(), restarted.info())));
    }

    private Effect<Event, State> onDelete(State state, Delete delete) {
        if (!state.isActive()) {
            return Effect().reply(delete.replyTo(), new NotFound(entityId));
        }
        return Effect().persist(new Deleted(Instant.now(), "deleted by request"))
                .thenRun(deleted -> delete.replyTo().tell(new Found(deleted.info())))
                .thenStop();
    }

    private Effect<Event, State> onExecutionFinished(State state, ExecutionFinished finished) {
        running = Math.max(0, running - 1);
        if (!state.isActive()) {
            return Effect().none();
        }
        return Effect().persist(new Executed(finished.executionCount(), finished.at())).thenRun(this::armIdleTimerIfIdle);
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

    private static Reply answer(State state) {
        return state.isActive() ? new Found(state.info()) : new NotFound(state.info() == null ? "" : state.info().id());
    }

    // ---- interpreter and idle timer (side effects, never in event handlers) ----

    private void startInterpreter(ContextInfo info, String resetReason) {
        InterpreterSpec spec = dependencies.workspaces().interpreterSpec(info.sandboxId(), info.settings());
        // a stopped predecessor's name may not be free yet, hence the count
        interpreter = context.spawn(InterpreterActor.create(dependencies.host(), spec, info.executionCount(), resetReason),
                "interpreter-" + (++interpreterIncarnations));
    }

    private void armIdleTimerIfIdle(State state) {
        if (running == 0 && state.isActive()) {
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
                    // A culled context gets its interpreter back on its next execution only.
                    if (state.isActive() && !state.info().isCulled()) {
                        startInterpreter(state.info(), "the context was recovered from the journal (service restart or failover)");
                        armIdleTimer(state.info());
                    }
                })
                .build();
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
