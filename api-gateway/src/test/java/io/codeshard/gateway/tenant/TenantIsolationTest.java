package io.codeshard.gateway.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.codeshard.gateway.tenant.KeyedGateway.Reply;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A tenant sees nothing of another's: its sandbox ids name its own sandboxes, and another tenant's context or
 * sandbox ids are 404 (never 403) on every face.
 */
@ExtendWith(KeyedGateway.Extension.class)
class TenantIsolationTest {
    private static final String SANDBOX = "shared-name";

    @Test
    void nativeFaceKeepsTenantsApart(KeyedGateway gateway) {
        String alice = "Bearer " + gateway.newTenant("alice");
        String bob = "Bearer " + gateway.newTenant("bob");
        Reply created = gateway.send("POST", "/v1/contexts", "{}", "Authorization", alice, "X-Sandbox-Id", SANDBOX);
        assertEquals(201, created.status(), created.body());
        String id = created.json().path("id").asText();
        String path = "/v1/contexts/" + id;

        assertEquals(0, gateway.send("GET", "/v1/contexts", null, "Authorization", bob, "X-Sandbox-Id", SANDBOX)
                .json().path("contexts").size());
        for (String[] call : new String[][] {{"GET", path, null}, {"POST", path + "/restart", null}, {"DELETE", path, null},
                {"POST", "/v1/execute", "{\"code\":\"1\",\"contextId\":\"" + id + "\"}"}}) {
            Reply reply = gateway.send(call[0], call[1], call[2], "Authorization", bob, "X-Sandbox-Id", SANDBOX);
            assertEquals(404, reply.status(), call[0] + " " + call[1] + ": " + reply.body());
            assertEquals("not_found", reply.json().path("error").path("code").asText());
        }
        assertEquals(200, gateway.send("GET", path, null, "Authorization", alice, "X-Sandbox-Id", SANDBOX).status());
    }

    @Test
    void theSameSandboxIdInTwoTenantsIsTwoSandboxes(KeyedGateway gateway) {
        String alice = "Bearer " + gateway.newTenant("alice");
        String bob = "Bearer " + gateway.newTenant("bob");
        run(gateway, alice, "x = 'alice'");
        run(gateway, bob, "x = 'bob'");
        run(gateway, alice, "open('owner.txt', 'w').write('alice')");
        assertEquals("'alice'", run(gateway, alice, "x").path("results").path(0).path("text").asText());
        assertEquals("'bob'", run(gateway, bob, "x").path("results").path(0).path("text").asText());
        // separate workspaces too
        assertEquals("False", run(gateway, bob, "import os; os.path.exists('owner.txt')").path("results").path(0).path("text").asText());
    }

    private static JsonNode run(KeyedGateway gateway, String auth, String code) {
        Reply reply = gateway.send("POST", "/v1/execute", io.codeshard.protocol.Json.mapper().createObjectNode().put("code", code).toString(),
                "Authorization", auth, "X-Sandbox-Id", SANDBOX);
        assertEquals(200, reply.status(), reply.body());
        assertTrue(reply.json().path("error").isMissingNode(), reply.body());
        return reply.json();
    }

    @Test
    void cloudflareFaceKeepsTenantsApart(KeyedGateway gateway) {
        String alice = "Bearer " + gateway.newTenant("alice");
        String bob = "Bearer " + gateway.newTenant("bob");
        Reply created = gateway.send("POST", "/api/contexts", "{\"language\":\"python\"}", "Authorization", alice, "X-Sandbox-Id", SANDBOX);
        assertEquals(200, created.status(), created.body());
        String id = created.json().path("contextId").asText();

        assertFalse(ids(gateway.send("GET", "/api/contexts", null, "Authorization", bob, "X-Sandbox-Id", SANDBOX).json().path("contexts"), "id")
                .contains(id));
        Reply deleted = gateway.send("DELETE", "/api/contexts/" + id, null, "Authorization", bob, "X-Sandbox-Id", SANDBOX);
        assertEquals(404, deleted.status(), deleted.body());
        assertEquals("CONTEXT_NOT_FOUND", deleted.json().path("code").asText());
        Reply run = gateway.send("POST", "/api/execute/code", "{\"code\":\"1\",\"context_id\":\"" + id + "\"}",
                "Authorization", bob, "X-Sandbox-Id", SANDBOX);
        assertEquals(404, run.status(), run.body());
        assertTrue(ids(gateway.send("GET", "/api/contexts", null, "Authorization", alice, "X-Sandbox-Id", SANDBOX).json().path("contexts"), "id")
                .contains(id));
    }

    @Test
    void e2bFaceKeepsTenantsApart(KeyedGateway gateway) {
        String alice = gateway.newTenant("alice");
        String bob = gateway.newTenant("bob");
        String sandbox = gateway.send("POST", "/v2/sandboxes", "{}", "X-API-Key", alice).json().path("sandboxID").asText();
        Reply created = gateway.send("POST", "/contexts", "{\"language\":\"python\"}", "X-API-Key", alice, "E2b-Sandbox-Id", sandbox);
        assertEquals(200, created.status(), created.body());
        String context = created.json().path("id").asText();

        // control plane: the sandbox is not bob's
        assertEquals(404, gateway.send("GET", "/sandboxes/" + sandbox, null, "X-API-Key", bob).status());
        assertEquals(404, gateway.send("POST", "/v2/sandboxes/" + sandbox + "/connect", "{}", "X-API-Key", bob).status());
        assertEquals(404, gateway.send("DELETE", "/sandboxes/" + sandbox, null, "X-API-Key", bob).status());
        assertFalse(ids(gateway.send("GET", "/v2/sandboxes", null, "X-API-Key", bob).json(), "sandboxID").contains(sandbox));
        assertTrue(ids(gateway.send("GET", "/v2/sandboxes", null, "X-API-Key", alice).json(), "sandboxID").contains(sandbox));

        // data plane: the same sandbox id names bob's own (empty) sandbox
        assertFalse(ids(gateway.send("GET", "/contexts", null, "X-Access-Token", bob, "E2b-Sandbox-Id", sandbox).json(), "id").contains(context));
        Reply run = gateway.send("POST", "/execute", "{\"code\":\"1\",\"context_id\":\"" + context + "\"}",
                "X-Access-Token", bob, "E2b-Sandbox-Id", sandbox);
        assertEquals(404, run.status(), run.body());
        assertEquals(404, gateway.send("DELETE", "/contexts/" + context, null, "X-Access-Token", bob, "E2b-Sandbox-Id", sandbox).status());
        assertEquals(404, gateway.send("POST", "/contexts/" + context + "/restart", null, "X-Access-Token", bob, "E2b-Sandbox-Id", sandbox).status());
        assertTrue(ids(gateway.send("GET", "/contexts", null, "X-Access-Token", alice, "E2b-Sandbox-Id", sandbox).json(), "id").contains(context));

        // killing is per tenant too: alice's kill leaves bob's sandbox of the same id running
        assertEquals(204, gateway.send("DELETE", "/sandboxes/" + sandbox, null, "X-API-Key", alice).status());
        assertEquals(502, gateway.send("GET", "/health", null, "X-Access-Token", alice, "E2b-Sandbox-Id", sandbox).status());
        assertEquals(200, gateway.send("GET", "/health", null, "X-Access-Token", bob, "E2b-Sandbox-Id", sandbox).status());
        assertEquals(200, gateway.send("POST", "/execute", "{\"code\":\"1\"}", "X-Access-Token", bob, "E2b-Sandbox-Id", sandbox).status());
    }

    private static List<String> ids(JsonNode array, String field) {
        List<String> ids = new ArrayList<>();
        array.forEach(item -> ids.add(item.path(field).asText()));
        return ids;
    }
}
