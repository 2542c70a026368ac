package io.codeshard.gateway.fuzz;

import java.util.List;

/**
 * One route of one face, as its routes class declares it: method, path ({@code {id}} for a path parameter), the
 * body fields it reads, and the header that names its sandbox (null when it reads none). {@link #ALL} is the
 * table the fuzzer walks; {@code GatewayFuzzTest} checks it against the native face's OpenAPI document.
 */
record FuzzRoute(Face face, String method, String path, List<Field> fields, String sandboxHeader) {

    /** Which face answers, and so which error body shape it must use. */
    enum Face {
        /** {@code /v1}: {@code {"error": {"code", "message"}}}. */
        V1,
        /** {@code /api}: {@code {code, message, context, httpStatus, timestamp}}. */
        CLOUDFLARE,
        /** E2B's in-sandbox server: plain text errors, as E2B's server sends them and its SDK reads them. */
        E2B_DATA,
        /** E2B's control plane: {@code {code: <status>, message}}. */
        E2B_CONTROL,
        /** No face's path: the gateway's catch-all, in the native shape. */
        NONE
    }

    /** What a body field holds. */
    enum Type { STRING, CODE, LANGUAGE, CWD, CONTEXT_ID, INTEGER, STRING_MAP }

    record Field(String name, Type type, boolean required) {
        static Field of(String name, Type type) {
            return new Field(name, type, false);
        }

        static Field required(String name, Type type) {
            return new Field(name, type, true);
        }
    }

    boolean hasBody() {
        return !fields.isEmpty();
    }

    boolean hasPathId() {
        return path.contains("{id}");
    }

    private static final String V1_SANDBOX = "X-Sandbox-Id";
    private static final String E2B_SANDBOX = "E2b-Sandbox-Id";

    private static FuzzRoute of(Face face, String method, String path, String sandboxHeader, Field... fields) {
        return new FuzzRoute(face, method, path, List.of(fields), sandboxHeader);
    }

    /** Every route of every face (V1Routes, CloudflareRoutes, E2bRoutes). */
    static final List<FuzzRoute> ALL = List.of(
            // native: V1Routes
            of(Face.V1, "GET", "/v1/health", null),
            of(Face.V1, "GET", "/v1/openapi.json", null),
            of(Face.V1, "POST", "/v1/contexts", V1_SANDBOX, Field.of("language", Type.LANGUAGE), Field.of("cwd", Type.CWD),
                    Field.of("envVars", Type.STRING_MAP), Field.of("timeout", Type.INTEGER), Field.of("idleTtl", Type.INTEGER)),
            of(Face.V1, "GET", "/v1/contexts", V1_SANDBOX),
            of(Face.V1, "GET", "/v1/contexts/{id}", V1_SANDBOX),
            of(Face.V1, "DELETE", "/v1/contexts/{id}", V1_SANDBOX),
            of(Face.V1, "POST", "/v1/contexts/{id}/restart", V1_SANDBOX),
            of(Face.V1, "POST", "/v1/execute", V1_SANDBOX, Field.required("code", Type.CODE), Field.of("contextId", Type.CONTEXT_ID),
                    Field.of("language", Type.LANGUAGE), Field.of("timeout", Type.INTEGER), Field.of("envVars", Type.STRING_MAP)),
            // Cloudflare: CloudflareRoutes
            of(Face.CLOUDFLARE, "GET", "/api/interpreter/health", null),
            of(Face.CLOUDFLARE, "POST", "/api/contexts", V1_SANDBOX, Field.of("language", Type.LANGUAGE), Field.of("cwd", Type.CWD),
                    Field.of("env_vars", Type.STRING_MAP)),
            of(Face.CLOUDFLARE, "GET", "/api/contexts", V1_SANDBOX),
            of(Face.CLOUDFLARE, "DELETE", "/api/contexts/{id}", V1_SANDBOX),
            of(Face.CLOUDFLARE, "POST", "/api/execute/code", V1_SANDBOX, Field.of("context_id", Type.CONTEXT_ID),
                    Field.required("code", Type.CODE), Field.of("language", Type.LANGUAGE), Field.of("timeout_ms", Type.INTEGER)),
            // E2B data plane: E2bRoutes.dataPlane
            of(Face.E2B_DATA, "GET", "/health", null),
            of(Face.E2B_DATA, "POST", "/execute", E2B_SANDBOX, Field.required("code", Type.CODE), Field.of("context_id", Type.CONTEXT_ID),
                    Field.of("language", Type.LANGUAGE), Field.of("env_vars", Type.STRING_MAP)),
            of(Face.E2B_DATA, "POST", "/contexts", E2B_SANDBOX, Field.of("language", Type.LANGUAGE), Field.of("cwd", Type.CWD)),
            of(Face.E2B_DATA, "GET", "/contexts", E2B_SANDBOX),
            of(Face.E2B_DATA, "DELETE", "/contexts/{id}", E2B_SANDBOX),
            of(Face.E2B_DATA, "POST", "/contexts/{id}/restart", E2B_SANDBOX),
            // E2B control plane: E2bRoutes.controlPlane
            of(Face.E2B_CONTROL, "POST", "/v2/sandboxes", null, Field.of("templateID", Type.STRING),
                    Field.of("envVars", Type.STRING_MAP), Field.of("metadata", Type.STRING_MAP), Field.of("timeout", Type.INTEGER)),
            of(Face.E2B_CONTROL, "GET", "/v2/sandboxes", null),
            of(Face.E2B_CONTROL, "POST", "/sandboxes", null, Field.of("templateID", Type.STRING),
                    Field.of("envVars", Type.STRING_MAP), Field.of("metadata", Type.STRING_MAP), Field.of("timeout", Type.INTEGER)),
            of(Face.E2B_CONTROL, "GET", "/sandboxes", null),
            of(Face.E2B_CONTROL, "POST", "/v2/sandboxes/{id}/connect", null),
            of(Face.E2B_CONTROL, "POST", "/sandboxes/{id}/connect", null),
            of(Face.E2B_CONTROL, "POST", "/sandboxes/{id}/timeout", null, Field.of("timeout", Type.INTEGER)),
            of(Face.E2B_CONTROL, "POST", "/sandboxes/{id}/refreshes", null),
            of(Face.E2B_CONTROL, "GET", "/sandboxes/{id}", null),
            of(Face.E2B_CONTROL, "DELETE", "/sandboxes/{id}", null));

    /** Paths no face serves, one per face's neighbourhood and one at the root. */
    static final List<String> UNKNOWN_PATHS = List.of("/v1", "/v1/", "/v1/nope", "/v1/contexts/a/b/c", "/api", "/api/nope",
            "/api/execute", "/api/contexts/a/b", "/nope", "/contexts/a/b/c", "/v2", "/v2/sandboxes/a/b/c", "/", "/favicon.ico",
            "/.env", "/../../etc/passwd", "/sandboxes/a/b/c/d");
}
