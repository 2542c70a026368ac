package io.codeshard.node.interpreter;

import io.codeshard.protocol.Language;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Interpreter processes of one runtime, started before anyone asks, so that creating a context
 * takes an already-running process (about 0.1 ms) instead of a fork or a Node start. Refilled in the
 * background after every take.
 */
final class ChildPool {
    private static final Logger log = LoggerFactory.getLogger(ChildPool.class);

    private final Language.Runtime runtime;
    private final int target;
    private final Function<Language.Runtime, CompletableFuture<ChildProcess>> spawner;
    private final ConcurrentLinkedQueue<ChildProcess> idle = new ConcurrentLinkedQueue<>();
    private final AtomicInteger starting = new AtomicInteger();

    ChildPool(Language.Runtime runtime, int target, Function<Language.Runtime, CompletableFuture<ChildProcess>> spawner) {
        this.runtime = runtime;
        this.target = target;
        this.spawner = spawner;
    }

    /** A live process: a pooled one when there is one, else a new one. */
    CompletableFuture<ChildProcess> take() {
        return take(CompletableFuture::completedFuture);
    }

    /**
     * As {@link #take()}, then {@code claim} makes the process ready for its context (e.g. the zygote builds its
     * sandbox view). The pool is refilled once the claim is done: the zygote serves forks and claims one at a time, and
     * a refill's fork queued ahead of the claim would add its own time to the context's creation.
     */
    CompletableFuture<ChildProcess> take(Function<ChildProcess, CompletableFuture<ChildProcess>> claim) {
        ChildProcess child;
        while ((child = idle.poll()) != null) {
            if (child.isOpen()) {
                return claim.apply(child).whenComplete((claimed, failure) -> refill());
            }
        }
        refill();
        return spawner.apply(runtime).thenCompose(claim);
    }

    /** Starts processes until the pool holds (or is about to hold) its target. */
    void refill() {
        // Counted once, so a spawner that fails at once cannot make this loop forever.
        int missing = target - idle.size() - starting.get();
        for (int i = 0; i < missing; i++) {
            starting.incrementAndGet();
            spawner.apply(runtime).whenComplete((child, failure) -> {
                starting.decrementAndGet();
                if (failure != null) {
                    log.warn("could not pre-start a {} interpreter: {}", runtime, failure.getMessage());
                } else {
                    idle.add(child);
                }
            });
        }
    }

    void killAll() {
        ChildProcess child;
        while ((child = idle.poll()) != null) {
            child.kill();
        }
    }
}
