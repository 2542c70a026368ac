package io.codeshard.node.sandbox;

import io.codeshard.node.context.Persisted;
import io.codeshard.protocol.ClusterMessage;
import io.codeshard.protocol.Language;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The list of a sandbox's contexts, in creation order: a persisted entity per sandbox, so listing is one
 * message and stays correct across nodes and failover, without scanning the journal. The gateway's quotas keep
 * their ledgers (the contexts of a tenant, of the cluster) in entities of this type too, under ids no sandbox
 * can have, and fill them with {@link Reserve}.
 */
public final class SandboxRegistry extends EventSourcedBehavior<SandboxRegistry.Command, SandboxRegistry.Event, SandboxRegistry.State> {
    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "SandboxRegistry");

    public sealed interface Command extends ClusterMessage {}

    /** Adds a context (idempotent); answers the listing after the change. */
    public record Register(Entry entry, ActorRef<Listing> replyTo) implements Command {}

    /** Removes a context (idempotent); {@code replyTo} may be null. */
    public record Unregister(String contextId, ActorRef<Listing> replyTo) implements Command {}

    public record ListContexts(ActorRef<Listing> replyTo) implements Command {}

    /**
     * Adds an entry unless the list holds {@code limit} entries already (an entry that is listed already is
     * kept whatever the count); answers the listing after it, which holds the entry when it was admitted.
     */
    public record Reserve(Entry entry, int limit, ActorRef<Listing> replyTo) implements Command {}

    public record Listing(List<Entry> entries) implements ClusterMessage {
        public Listing {
            entries = List.copyOf(entries);
        }

        static Listing of(State state) {
            return new Listing(state.entries());
        }

        public boolean contains(String contextId) {
            return entries.stream().anyMatch(e -> e.contextId().equals(contextId));
        }
    }

    public record Entry(String contextId, Language language, Instant createdAt) {}

    public sealed interface Event extends Persisted {}

    public record Registered(Entry entry) implements Event {}

    public record Unregistered(String contextId) implements Event {}

    public record State(List<Entry> entries) implements Persisted {
        public State {
            entries = List.copyOf(entries);
        }

        boolean contains(String contextId) {
            return entries.stream().anyMatch(e -> e.contextId().equals(contextId));
        }
    }

    public static void init(ActorSystem<?> system, int numberOfShards) {
        ClusterSharding.get(system).init(Entity.of(TYPE_KEY, entity -> create(entity.getEntityId()))
                .withRole("worker")
                .withMessageExtractor(new SandboxShards<>(numberOfShards)));
    }

    static Behavior<Command> create(String sandboxId) {
        return new SandboxRegistry(PersistenceId.of(TYPE_KEY.name(), sandboxId));
    }

    private SandboxRegistry(PersistenceId persistenceId) {
        super(persistenceId, SupervisorStrategy.restartWithBackoff(java.time.Duration.ofMillis(200), java.time.Duration.ofSeconds(5), 0.2));
    }

    @Override
    public State emptyState() {
        return new State(List.of());
    }

    @Override
    public CommandHandler<Command, Event, State> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Register.class, (state, c) -> state.contains(c.entry().contextId())
                        ? Effect().none().thenReply(c.replyTo(), Listing::of)
                        : Effect().persist(new Registered(c.entry())).thenReply(c.replyTo(), Listing::of))
                .onCommand(Unregister.class, (state, c) -> (state.contains(c.contextId())
                        ? Effect().persist(new Unregistered(c.contextId()))
                        : Effect().none()).thenRun(s -> {
                            if (c.replyTo() != null) {
                                c.replyTo().tell(Listing.of(s));
                            }
                        }))
                .onCommand(Reserve.class, (state, c) -> state.contains(c.entry().contextId()) || state.entries().size() >= c.limit()
                        ? Effect().none().thenReply(c.replyTo(), Listing::of)
                        : Effect().persist(new Registered(c.entry())).thenReply(c.replyTo(), Listing::of))
                .onCommand(ListContexts.class, (state, c) -> Effect().none().thenReply(c.replyTo(), Listing::of))
                .build();
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState()
                .onEvent(Registered.class, (state, e) -> {
                    List<Entry> entries = new ArrayList<>(state.entries());
                    entries.add(e.entry());
                    return new State(entries);
                })
                .onEvent(Unregistered.class, (state, e) -> new State(state.entries().stream()
                        .filter(entry -> !entry.contextId().equals(e.contextId())).toList()))
                .build();
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(100, 2);
    }
}
