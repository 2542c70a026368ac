package io.codeshard.gateway.v1;

import io.codeshard.gateway.http.JsonBody;
import io.codeshard.node.context.RunRequest;
import io.codeshard.protocol.Language;
import java.util.Map;

/**
 * The body of {@code POST /v1/execute}: {@code code} required; without {@code contextId} the sandbox's
 * default context of {@code language} (python when absent) runs it.
 *
 * @param timeout this run's timeout in ms, null for the context's default
 * @param envVars environment of this run only
 */
record ExecuteRequest(String code, String contextId, Language language, Long timeout, Map<String, String> envVars) {

    static ExecuteRequest from(JsonBody body) {
        ExecuteRequest request = new ExecuteRequest(body.requiredString("code"), body.string("contextId"),
                body.language("language"), body.integer("timeout"), body.envVars("envVars"));
        if (request.timeout != null && request.timeout <= 0) {
            throw new IllegalArgumentException("'timeout' must be a positive number of milliseconds");
        }
        return request;
    }

    RunRequest runRequest() {
        return new RunRequest(code, timeout == null ? 0 : timeout, envVars);
    }
}
