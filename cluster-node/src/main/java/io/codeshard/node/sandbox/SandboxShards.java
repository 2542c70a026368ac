package io.codeshard.node.sandbox;

import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;

/**
 * Shards by sandbox: the shard of an entity id {@code <sandboxId>:<contextId>} (or of a bare sandbox id)
 * depends on the sandbox only, so all contexts of a sandbox live on one node and share its workspace.
 */
public final class SandboxShards<M> extends ShardingMessageExtractor<ShardingEnvelope<M>, M> {
    private final int numberOfShards;

    public SandboxShards(int numberOfShards) {
        this.numberOfShards = numberOfShards;
    }

    /** The sandbox part of an entity id. */
    public static String sandboxOf(String entityId) {
        int colon = entityId.indexOf(':');
        return colon < 0 ? entityId : entityId.substring(0, colon);
    }

    @Override
    public String entityId(ShardingEnvelope<M> envelope) {
        return envelope.entityId();
    }

    @Override
    public String shardId(String entityId) {
        return String.valueOf(Math.floorMod(sandboxOf(entityId).hashCode(), numberOfShards));
    }

    @Override
    public M unwrapMessage(ShardingEnvelope<M> envelope) {
        return envelope.message();
    }
}
