package io.codeshard.node.context;

import io.codeshard.protocol.Language;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What may enter the cluster through a {@link ContextService}: the service asks it before it creates a context
 * and before it runs a cell, and tells it when a context is gone. The gateway's quotas implement it; the
 * service itself only keeps the calls in the one place every face goes through.
 */
public interface ContextAdmission {
    /** Admits everything. */
    ContextAdmission OPEN = new ContextAdmission() {
        @Override
        public CompletionStage<Void> admit(String sandboxId, String contextId, Language language) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void release(String sandboxId, String contextId) {}

        @Override
        public void checkRun(RunRequest request) {}
    };

    /**
     * Admits a context about to be created (or made sure of: admitting one that is admitted already succeeds);
     * a failed stage refuses it, and its exception is the client's answer.
     */
    CompletionStage<Void> admit(String sandboxId, String contextId, Language language);

    /** The context is gone: deleted, or its creation failed after it was admitted. */
    void release(String sandboxId, String contextId);

    /** Checks a cell before it is sent to its context; throws (an exception for the client) to refuse it. */
    void checkRun(RunRequest request);
}
