package io.codeshard.gateway.v1;

import io.codeshard.node.context.ContextInfo;
import io.codeshard.protocol.Language;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A context as the API shows it (docs/api.md, "Context"): language by its wire name, ISO timestamps,
 * {@code idleTtl} in seconds. {@code state} is {@code ready}, or {@code culled} when the context's interpreter was
 * stopped after its idle TTL (the next execution starts a fresh one); either way it takes executions at any time.
 */
record ContextJson(
        String id,
        Language language,
        String cwd,
        Map<String, String> envVars,
        Instant createdAt,
        Instant lastUsed,
        int executionCount,
        long idleTtl,
        String restore,
        String state) {

    static ContextJson of(ContextInfo info) {
        return new ContextJson(info.id(), info.settings().language(), info.settings().cwd(), info.settings().envVars(),
                info.createdAt(), info.lastUsed(), info.executionCount(), info.settings().idleTtlSeconds(),
                info.settings().restore(), info.state());
    }

    /** The body of {@code GET /v1/contexts}. */
    record Listing(List<ContextJson> contexts) {}
}
