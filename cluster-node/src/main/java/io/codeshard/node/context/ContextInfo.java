package io.codeshard.node.context;

import java.time.Instant;

/**
 * A context's metadata: everything that survives a restart or a failover. Its interpreter's memory does not.
 *
 * @param state {@link #READY}, or {@link #CULLED} when its interpreter was stopped after its idle TTL (the
 *              next execution starts a fresh one)
 */
public record ContextInfo(
        String sandboxId,
        String id,
        ContextSettings settings,
        Instant createdAt,
        Instant lastUsed,
        int executionCount,
        String state) {
    public static final String READY = "ready";
    public static final String CULLED = "culled";

    ContextInfo used(int count, Instant at) {
        return new ContextInfo(sandboxId, id, settings, createdAt, at, Math.max(count, executionCount), READY);
    }

    /** With the execution log's figures, when they are newer than the journaled ones; the state stays. */
    ContextInfo withExecutions(int count, Instant at) {
        return count <= executionCount ? this : new ContextInfo(sandboxId, id, settings, createdAt, at == null ? lastUsed : at, count, state);
    }

    ContextInfo culled() {
        return new ContextInfo(sandboxId, id, settings, createdAt, lastUsed, executionCount, CULLED);
    }

    /** A culled context whose next execution started a fresh interpreter. */
    ContextInfo revived() {
        return new ContextInfo(sandboxId, id, settings, createdAt, lastUsed, executionCount, READY);
    }

    boolean isCulled() {
        return CULLED.equals(state);
    }
}
