package io.codeshard.gateway.v1;

import static io.codeshard.gateway.v1.RunningGateway.freshSandbox;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The OpenAPI document and the routes agree: every documented operation is served (2xx with a valid
 * request), every other method on a documented path is 405, paths beside them are 404, and the document's
 * references resolve.
 */
@ExtendWith(RunningGateway.Extension.class)
class OpenApiDocumentTest {
    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE");
    /** A valid body for each documented operation that takes one. */
    private static final Map<String, String> BODIES = Map.of("POST /v1/contexts", "{}", "POST /v1/execute", "{\"code\": \"1 + 1\"}");

    private final RunningGateway gateway;

    OpenApiDocumentTest(RunningGateway gateway) {
        this.gateway = gateway;
    }

    @Test
    void theServedDocumentIsOpenApi3AndItsReferencesResolve() {
        RunningGateway.Reply reply = gateway.get("/v1/openapi.json", null);
        assertEquals(200, reply.status());
        assertEquals("application/json", reply.header("Content-Type"));
        JsonNode document = reply.json();
        assertTrue(document.path("openapi").asText().startsWith("3.0"), document.path("openapi").asText());
        assertFalse(document.path("info").path("title").asText().isBlank());

        List<String> refs = new ArrayList<>();
        collectRefs(document, refs);
        assertFalse(refs.isEmpty());
        for (String ref : refs) {
            assertTrue(ref.startsWith("#/"), ref);
            assertFalse(document.at(ref.substring(1)).isMissingNode(), "unresolved " + ref);
        }
    }

    @Test
    void everyDocumentedOperationIsServedAndNothingElse() {
        JsonNode paths = gateway.get("/v1/openapi.json", null).json().path("paths");
        Map<String, Set<String>> documented = new LinkedHashMap<>();
        paths.properties().forEach(path -> {
            Set<String> methods = new java.util.TreeSet<>();
            path.getValue().fieldNames().forEachRemaining(name -> {
                if (METHODS.contains(name.toUpperCase(Locale.ROOT))) {
                    methods.add(name.toUpperCase(Locale.ROOT));
                }
            });
            documented.put(path.getKey(), methods);
        });
        assertEquals(Set.of("/v1/contexts", "/v1/contexts/{id}", "/v1/contexts/{id}/restart", "/v1/execute", "/v1/health",
                "/v1/openapi.json"), documented.keySet());

        String sandbox = freshSandbox();
        String contextId = gateway.createContext(sandbox, "{}").path("id").asText();
        List<String> operations = new ArrayList<>();
        documented.forEach((path, methods) -> methods.forEach(method -> operations.add(method + " " + path)));
        operations.sort(Comparator.comparing(operation -> operation.startsWith("DELETE"))); // the context goes last
        for (String operation : operations) {
            String method = operation.substring(0, operation.indexOf(' '));
            String path = operation.substring(operation.indexOf(' ') + 1);
            RunningGateway.Reply reply = gateway.send(method, path.replace("{id}", contextId), sandbox, BODIES.get(operation));
            assertEquals(2, reply.status() / 100, operation + " is documented but answered " + reply.status() + ": " + reply.body());
        }

        documented.forEach((path, methods) -> METHODS.stream().filter(method -> !methods.contains(method)).forEach(method -> {
            RunningGateway.Reply reply = gateway.send(method, path.replace("{id}", "c-any"), sandbox, "{}");
            assertEquals(405, reply.status(), method + " " + path + " is not documented but answered " + reply.status());
            assertEquals("method_not_allowed", reply.errorCode());
        }));

        for (String path : List.of("/v1/contexts/c-any/execute", "/v1/contexts/c-any/restart/now", "/v1/sandboxes", "/v1/execute/stream",
                "/v1/openapi.yaml", "/v1/contexts/")) {
            for (String method : List.of("GET", "POST")) {
                RunningGateway.Reply reply = gateway.send(method, path, sandbox, "{}");
                assertEquals(404, reply.status(), method + " " + path + " is not documented but answered " + reply.status());
                assertEquals("not_found", reply.errorCode());
            }
        }
    }

    private static void collectRefs(JsonNode node, List<String> refs) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                if (field.getKey().equals("$ref")) {
                    refs.add(field.getValue().asText());
                } else {
                    collectRefs(field.getValue(), refs);
                }
            }
        } else if (node.isArray()) {
            node.forEach(element -> collectRefs(element, refs));
        }
    }
}
