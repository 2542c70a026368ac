package io.codeshard.gateway.v1;

import io.codeshard.gateway.http.JsonBody;
import io.codeshard.protocol.Language;
import java.util.Map;

/**
 * The body of {@code POST /v1/contexts}; every field optional.
 *
 * @param timeout default execution timeout in ms
 * @param idleTtl seconds without executions before the context's interpreter is stopped, 0 = never
 * @param restore {@code none} or {@code replay} (docs/contexts.md)
 */
record CreateContextRequest(Language language, String cwd, Map<String, String> envVars, Long timeout, Long idleTtl, String restore) {

    static CreateContextRequest from(JsonBody body) {
        return new CreateContextRequest(body.language("language"), body.string("cwd"), body.envVars("envVars"),
                body.integer("timeout"), body.integer("idleTtl"), body.string("restore"));
    }
}
