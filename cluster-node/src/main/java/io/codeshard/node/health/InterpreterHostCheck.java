package io.codeshard.node.health;

import io.codeshard.node.interpreter.RuntimeHost;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Readiness check (pekko-management {@code /ready}): a worker is ready only while its interpreter host can
 * start interpreters — a worker whose zygote died would accept contexts it cannot run. Other roles pass.
 */
public final class InterpreterHostCheck implements Supplier<CompletionStage<Boolean>> {
    private final ActorSystem<?> system;

    /** Called by pekko-management with the classic system. */
    public InterpreterHostCheck(org.apache.pekko.actor.ActorSystem classic) {
        this.system = Adapter.toTyped(classic);
    }

    @Override
    public CompletionStage<Boolean> get() {
        if (!Cluster.get(system).selfMember().hasRole("worker")) {
            return CompletableFuture.completedFuture(true);
        }
        RuntimeHost host = NodeRuntime.get(system).host();
        return CompletableFuture.completedFuture(host != null && host.isServing());
    }
}
