package io.codeshard.node.health;

import io.codeshard.node.interpreter.RuntimeHost;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * Where a node's health checks find its interpreter host: pekko-management instantiates checks by class name
 * with only the actor system in hand, so the node registers its {@link RuntimeHost} here when it starts one.
 */
public final class NodeRuntime implements Extension {
    private static final ExtensionId<NodeRuntime> ID = new ExtensionId<>() {
        @Override
        public NodeRuntime createExtension(ActorSystem<?> system) {
            return new NodeRuntime();
        }
    };

    private volatile RuntimeHost host;

    private NodeRuntime() {}

    public static NodeRuntime get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    /** The interpreter host, or null while none was started (a gateway, or a worker still starting). */
    public RuntimeHost host() {
        return host;
    }

    public void register(RuntimeHost started) {
        this.host = started;
    }
}
