package io.codeshard.node.context;

import io.codeshard.node.interpreter.InterpreterUnavailableException;
import io.codeshard.node.sandbox.SandboxRegistry;
import io.codeshard.protocol.ExecutionEvent;
import io.codeshard.protocol.Language;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSource;

/**
 * What every HTTP face does with contexts, in one place: it asks the sharded {@link CodeContext} and
 * {@link SandboxRegistry} entities and turns their answers into values, exceptions and event streams.
 * Failures: {@link ContextNotFoundException}; a {@link java.util.concurrent.TimeoutException} when the
 * cluster or journal does not answer in time (the faces turn it into 503).
 */
public final class ContextService {
    /** Events buffered per execution between the worker and a slow client (output is capped per execution). */
    private static final int STREAM_BUFFER = 100_000;
    /** The ids {@link #create} and {@link #defaultContextId} hand out fit this (as sandbox ids do). */
    private static final java.util.regex.Pattern CONTEXT_ID = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final ActorSystem<?> system;
    private final ClusterSharding sharding;
    private final Duration askTimeout;
    private final ContextDefaults defaults;
    private final Supplier<String> journalFailure;
    private final ContextAdmission admission;
    private final SecureRandom random = new SecureRandom();
    /** Names the executions' relay actors uniquely. */
    private final AtomicLong executions = new AtomicLong();

    /** {@code defaults} give a sandbox's default contexts their settings when {@link #run} creates one. */
    public ContextService(ActorSystem<?> system, Duration askTimeout, ContextDefaults defaults) {
        this(system, askTimeout, defaults, () -> null);
    }

    /**
     * As above; {@code journalFailure} tells why the journal is unreachable (null while it answers): creates are
     * then refused at once with {@link JournalUnavailableException}.
     */
    public ContextService(ActorSystem<?> system, Duration askTimeout, ContextDefaults defaults, Supplier<String> journalFailure) {
        this(system, askTimeout, defaults, journalFailure, ContextAdmission.OPEN);
    }

    private ContextService(ActorSystem<?> system, Duration askTimeout, ContextDefaults defaults, Supplier<String> journalFailure,
                           ContextAdmission admission) {
        this.system = system;
        this.sharding = ClusterSharding.get(system);
        this.askTimeout = askTimeout;
        this.defaults = defaults;
        this.journalFailure = journalFailure;
        this.admission = admission;
    }

    /** This service with every new context and every cell first put to {@code admission} (the gateway's quotas). */
    public ContextService withAdmission(ContextAdmission admission) {
        return new ContextService(system, askTimeout, defaults, journalFailure, admission);
    }

    /** An execution accepted by its context: its metadata and the stream of its events (ends with Completed). */
    public record Execution(ContextInfo context, Source<ExecutionEvent, NotUsed> events) {}

    public CompletionStage<ContextInfo> create(String sandboxId, ContextSettings settings) {
        String contextId = "c-" + HexFormat.of().formatHex(randomBytes(8));
        return createAndRegister(sandboxId, contextId, settings, false);
    }

    /** The sandbox's default context of a language (id {@code default-<language>}), created on first use. */
    public CompletionStage<ContextInfo> ensureDefault(String sandboxId, Language language, ContextSettings settings) {
        return createAndRegister(sandboxId, defaultContextId(language), settings, true);
    }

    public static String defaultContextId(Language language) {
        return "default-" + language.wireName();
    }

    /** The sandbox's contexts in creation order. */
    public CompletionStage<List<ContextInfo>> list(String sandboxId) {
        return registry(sandboxId).<SandboxRegistry.Listing>ask(SandboxRegistry.ListContexts::new, askTimeout)
                .thenCompose(listing -> {
                    List<CompletableFuture<Optional<ContextInfo>>> lookups = listing.entries().stream()
                            .map(entry -> find(sandboxId, entry.contextId()).toCompletableFuture())
                            .toList();
                    return CompletableFuture.allOf(lookups.toArray(CompletableFuture[]::new))
                            .thenApply(all -> lookups.stream().map(CompletableFuture::join)
                                    .flatMap(Optional::stream).toList());
                });
    }

    public CompletionStage<ContextInfo> get(String sandboxId, String contextId) {
        return find(sandboxId, contextId).thenApply(found -> found.orElseThrow(() -> new ContextNotFoundException(contextId)));
    }

    public CompletionStage<ContextInfo> delete(String sandboxId, String contextId) {
        if (!isPossibleContextId(contextId)) {
            return CompletableFuture.failedStage(new ContextNotFoundException(contextId));
        }
        return context(sandboxId, contextId).<CodeContext.Reply>ask(CodeContext.Delete::new, askTimeout)
                .thenApply(reply -> info(reply, contextId))
                .thenCompose(info -> registry(sandboxId)
                        .<SandboxRegistry.Listing>ask(r -> new SandboxRegistry.Unregister(contextId, r), askTimeout)
                        .thenApply(listing -> {
                            admission.release(sandboxId, contextId);
                            return info;
                        }));
    }

    /** @throws InterpreterUnavailableException (in the stage) when no fresh interpreter could be started */
    public CompletionStage<ContextInfo> restart(String sandboxId, String contextId) {
        if (!isPossibleContextId(contextId)) {
            return CompletableFuture.failedStage(new ContextNotFoundException(contextId));
        }
        return context(sandboxId, contextId).<CodeContext.Reply>ask(CodeContext.Restart::new, askTimeout)
                .thenApply(reply -> {
                    if (reply instanceof CodeContext.Failed failed) {
                        throw new InterpreterUnavailableException(failed.message(), null);
                    }
                    return info(reply, contextId);
                });
    }

    /**
     * Runs a cell in a context; the returned stream interrupts the cell if it is cancelled before it ends, and
     * ends with a {@code WorkerLost} error when the worker running the cell dies ({@link ExecutionRelay}).
     */
    public CompletionStage<Execution> execute(String sandboxId, String contextId, RunRequest request) {
        if (!isPossibleContextId(contextId)) {
            return CompletableFuture.failedStage(new ContextNotFoundException(contextId));
        }
        try {
            admission.checkRun(request);
        } catch (RuntimeException refused) {
            return CompletableFuture.failedStage(refused);
        }
        EntityRef<CodeContext.Command> entity = context(sandboxId, contextId);
        Pair<ActorRef<ExecutionEvent>, Source<ExecutionEvent, NotUsed>> stream =
                ActorSource.<ExecutionEvent>actorRef(event -> false, event -> Optional.empty(), STREAM_BUFFER, OverflowStrategy.fail())
                        .preMaterialize(system);
        ActorRef<Object> relay = system.systemActorOf(ExecutionRelay.create(stream.first()),
                "execution-" + executions.incrementAndGet(), Props.empty());
        return entity.<CodeContext.Reply>ask(reply -> new CodeContext.Run(request, relay.narrow(), reply), askTimeout)
                .whenComplete((reply, failure) -> {
                    if (reply instanceof CodeContext.Found found && found.host() != null) {
                        relay.tell(new ExecutionRelay.Watch(found.host()));
                    } else if (!(reply instanceof CodeContext.Found)) {
                        relay.tell(new ExecutionRelay.StreamEnded());
                        stream.second().runWith(Sink.cancelled(), system); // nothing will be sent to it
                    }
                })
                .thenApply(reply -> new Execution(info(reply, contextId), untilCompleted(stream.second(), entity, relay)));
    }

    /**
     * Runs a cell where a client asked for it: in the context named (whose language must be {@code language}
     * when one is given), or without a context id in the sandbox's default context of {@code language}
     * (python when null), created with the node's defaults when missing.
     *
     * @throws LanguageMismatchException (in the stage) when the named context runs another language
     */
    public CompletionStage<Execution> run(String sandboxId, String contextId, Language language, RunRequest request) {
        return run(sandboxId, contextId, language, request, chosen -> defaults.settings(chosen, null, null, null, null));
    }

    /** As {@link #run(String, String, Language, RunRequest)}; a missing default context gets {@code defaultContext}'s settings. */
    public CompletionStage<Execution> run(String sandboxId, String contextId, Language language, RunRequest request,
                                          Function<Language, ContextSettings> defaultContext) {
        if (contextId == null) {
            Language chosen = language == null ? Language.PYTHON : language;
            return executeInDefault(sandboxId, chosen, defaultContext.apply(chosen), request);
        }
        if (language == null) {
            return execute(sandboxId, contextId, request);
        }
        return get(sandboxId, contextId).thenCompose(info -> info.settings().language() != language
                ? CompletableFuture.failedStage(new LanguageMismatchException(contextId, info.settings().language(), language))
                : execute(sandboxId, contextId, request));
    }

    private CompletionStage<Execution> executeInDefault(String sandboxId, Language language, ContextSettings settings, RunRequest request) {
        String contextId = defaultContextId(language);
        return execute(sandboxId, contextId, request).exceptionallyCompose(failure -> {
            if (unwrap(failure) instanceof ContextNotFoundException) {
                return ensureDefault(sandboxId, language, settings).thenCompose(info -> execute(sandboxId, contextId, request));
            }
            return CompletableFuture.failedStage(failure);
        });
    }

    private Source<ExecutionEvent, NotUsed> untilCompleted(Source<ExecutionEvent, NotUsed> events, EntityRef<CodeContext.Command> entity,
                                                           ActorRef<Object> relay) {
        AtomicBoolean completed = new AtomicBoolean();
        return events
                .takeWhile(event -> !(event instanceof ExecutionEvent.Completed), true)
                .map(event -> {
                    if (event.isTerminal()) {
                        completed.set(true);
                    }
                    return event;
                })
                .watchTermination((notUsed, done) -> {
                    done.whenComplete((ok, failure) -> {
                        if (!completed.get()) {
                            entity.tell(new CodeContext.Interrupt());
                            relay.tell(new ExecutionRelay.StreamEnded());
                        }
                    });
                    return notUsed;
                });
    }

    /**
     * Creates the context and lists it in its sandbox at the same time (two journal writes in parallel, not one
     * after the other). Registering is idempotent, and a listed id whose context does not exist is left out of
     * listings, so a create that fails leaves nothing visible behind. The admission comes first; a new context
     * whose creation failed is released again.
     */
    private CompletionStage<ContextInfo> createAndRegister(String sandboxId, String contextId, ContextSettings settings, boolean ifAbsent) {
        String journalDown = journalFailure.get();
        if (journalDown != null) {
            return CompletableFuture.failedStage(new JournalUnavailableException(journalDown));
        }
        return admission.admit(sandboxId, contextId, settings.language())
                .thenCompose(admitted -> createAdmitted(sandboxId, contextId, settings, ifAbsent)
                        .whenComplete((info, failure) -> {
                            // a default context that exists already stays admitted whatever this attempt did
                            if (failure != null && !ifAbsent) {
                                admission.release(sandboxId, contextId);
                            }
                        }));
    }

    private CompletionStage<ContextInfo> createAdmitted(String sandboxId, String contextId, ContextSettings settings, boolean ifAbsent) {
        CompletionStage<ContextInfo> created = context(sandboxId, contextId)
                .<CodeContext.Reply>ask(reply -> new CodeContext.Create(sandboxId, contextId, settings, ifAbsent, reply), askTimeout)
                .thenApply(reply -> info(reply, contextId));
        CompletionStage<SandboxRegistry.Listing> listed = registry(sandboxId).ask(r -> new SandboxRegistry.Register(
                new SandboxRegistry.Entry(contextId, settings.language(), Instant.now()), r), askTimeout);
        return created.thenCombine(listed, (info, listing) -> info);
    }

    private CompletionStage<Optional<ContextInfo>> find(String sandboxId, String contextId) {
        if (!isPossibleContextId(contextId)) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return context(sandboxId, contextId).<CodeContext.Reply>ask(CodeContext.Get::new, askTimeout)
                .thenApply(reply -> reply instanceof CodeContext.Found found ? Optional.of(found.info()) : Optional.empty());
    }

    private static ContextInfo info(CodeContext.Reply reply, String contextId) {
        if (reply instanceof CodeContext.Found found) {
            return found.info();
        }
        if (reply instanceof CodeContext.Failed failed) {
            throw new IllegalStateException(failed.message());
        }
        if (reply instanceof CodeContext.WorkerFull full) {
            throw new WorkerFullException(full.message());
        }
        throw new ContextNotFoundException(contextId);
    }

    /**
     * Whether a client's context id can name a context at all: ids are {@code c-<hex>} or {@code default-<language>}.
     * Anything else is not found without asking the cluster, because asking makes the id's entity live (and keep
     * the id in memory), and a client could send ids of any length and bytes.
     */
    private static boolean isPossibleContextId(String contextId) {
        return contextId != null && CONTEXT_ID.matcher(contextId).matches();
    }

    private EntityRef<CodeContext.Command> context(String sandboxId, String contextId) {
        return sharding.entityRefFor(CodeContext.TYPE_KEY, CodeContext.entityId(sandboxId, contextId));
    }

    private EntityRef<SandboxRegistry.Command> registry(String sandboxId) {
        return sharding.entityRefFor(SandboxRegistry.TYPE_KEY, sandboxId);
    }

    private byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return bytes;
    }

    /** The cause behind CompletionException wrappers. */
    public static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
