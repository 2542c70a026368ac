package io.codeshard.node.context;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * How many contexts this worker hosts, against its limit {@code codeshard.worker.max-contexts}
 * ({@code CODESHARD_MAX_CONTEXTS_PER_WORKER}; 0 = no limit). A new context takes a place or is refused (429 with
 * {@code Retry-After} at the gateway); a context that arrives by failover or hand-off always takes one, since
 * it exists already and must be served somewhere.
 */
public final class WorkerCapacity implements Extension {
    private static final ExtensionId<WorkerCapacity> ID = new ExtensionId<>() {
        @Override
        public WorkerCapacity createExtension(ActorSystem<?> system) {
            return new WorkerCapacity(system.settings().config().getInt("codeshard.worker.max-contexts"));
        }
    };

    private final int limit;
    private final AtomicInteger hosted = new AtomicInteger();

    private WorkerCapacity(int limit) {
        this.limit = limit;
    }

    public static WorkerCapacity get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    /** Takes a place for a new context; false when the worker is full. */
    boolean tryTake() {
        while (true) {
            int now = hosted.get();
            if (limit > 0 && now >= limit) {
                return false;
            }
            if (hosted.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /** Takes a place for a context that exists already (recovered here), over the limit if need be. */
    void take() {
        hosted.incrementAndGet();
    }

    void release() {
        hosted.decrementAndGet();
    }

    public int limit() {
        return limit;
    }
}
