package io.codeshard.node.context;

import java.time.Instant;

/**
 * A context's metadata: everything that survives a restart or a failover. Its interpreter's memory does not.
 */
public record ContextInfo(
        String sandboxId,
        String id,
        ContextSettings settings,
        Instant createdAt,
        Instant lastUsed,
        int executionCount) {

    ContextInfo used(int count, Instant at) {
        return new ContextInfo(sandboxId, id, settings, createdAt, at, Math.max(count, executionCount));
    }
}
