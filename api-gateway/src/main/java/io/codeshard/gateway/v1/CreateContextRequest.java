package io.codeshard.gateway.v1;

import io.codeshard.gateway.http.JsonBody;
import io.codeshard.protocol.Language;
import java.util.Map;

/**
 * The body of {@code POST /v1/contexts}; every field optional.
 *
 * @param timeout default execution timeout in ms
 * @param idleTtl seconds without executions before the context is deleted, 0 = never
 */
record CreateContextRequest(Language language, String cwd, Map<String, String> envVars, Long timeout, Long idleTtl) {

    static CreateContextRequest from(JsonBody body) {
        return new CreateContextRequest(body.language("language"), body.string("cwd"), body.envVars("envVars"),
                body.integer("timeout"), body.integer("idleTtl"));
    }
}
