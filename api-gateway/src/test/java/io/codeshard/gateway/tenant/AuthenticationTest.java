package io.codeshard.gateway.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.codeshard.gateway.tenant.KeyedGateway.Reply;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every face of a gateway with keys answers 401 in its own shape without a valid key; health stays open; keys rotate. */
@ExtendWith(KeyedGateway.Extension.class)
class AuthenticationTest {
    private static final String WRONG = "csk_not_a_key_of_anyone";

    @Test
    void nativeFaceWantsABearerKey(KeyedGateway gateway) {
        for (String[] headers : new String[][] {{}, {"Authorization", "Bearer " + WRONG}, {"Authorization", "Basic dXNlcjo="}}) {
            Reply reply = gateway.send("POST", "/v1/contexts", "{}", headers);
            assertEquals(401, reply.status(), reply.body());
            assertEquals("unauthorized", reply.json().path("error").path("code").asText());
            assertNotNull(reply.header("WWW-Authenticate"));
        }
        assertEquals(401, gateway.send("POST", "/v1/execute", "{\"code\":\"1\"}").status());
        assertEquals(401, gateway.send("GET", "/v1/contexts/c-1", null).status());
    }

    @Test
    void nativeHealthAndOpenApiStayOpen(KeyedGateway gateway) {
        assertEquals(200, gateway.send("GET", "/v1/health", null).status());
        assertEquals(200, gateway.send("GET", "/v1/openapi.json", null).status());
    }

    @Test
    void theRightKeyWorksOnTheNativeFace(KeyedGateway gateway) {
        String key = gateway.newTenant("native");
        Reply created = gateway.send("POST", "/v1/contexts", "{}", "Authorization", "Bearer " + key);
        assertEquals(201, created.status(), created.body());
        Reply run = gateway.send("POST", "/v1/execute", "{\"code\":\"6 * 7\"}", "Authorization", "Bearer " + key);
        assertEquals("42", run.json().path("results").path(0).path("text").asText(), run.body());
    }

    @Test
    void cloudflareFaceWantsABearerKey(KeyedGateway gateway) {
        for (String[] headers : new String[][] {{}, {"Authorization", "Bearer " + WRONG}}) {
            Reply reply = gateway.send("POST", "/api/contexts", "{\"language\":\"python\"}", headers);
            assertEquals(401, reply.status(), reply.body());
            assertEquals("UNAUTHORIZED", reply.json().path("code").asText());
            assertEquals(401, reply.json().path("httpStatus").asInt());
        }
        assertEquals(401, gateway.send("GET", "/api/contexts", null).status());
        assertEquals(401, gateway.send("POST", "/api/execute/code", "{\"code\":\"1\"}").status());
        assertEquals(200, gateway.send("GET", "/api/interpreter/health", null).status());
        String key = gateway.newTenant("cf");
        assertEquals(200, gateway.send("GET", "/api/contexts", null, "Authorization", "Bearer " + key).status());
    }

    @Test
    void e2bControlPlaneWantsTheApiKey(KeyedGateway gateway) {
        for (String[] headers : new String[][] {{}, {"X-API-Key", WRONG}}) {
            Reply reply = gateway.send("POST", "/v2/sandboxes", "{}", headers);
            assertEquals(401, reply.status(), reply.body());
            assertEquals(401, reply.json().path("code").asInt());
            assertTrue(reply.json().path("message").asText().contains("API key"), reply.body());
        }
        String key = gateway.newTenant("e2b");
        Reply created = gateway.send("POST", "/v2/sandboxes", "{}", "X-API-Key", key);
        assertEquals(201, created.status(), created.body());
        // the SDK sends these back on the data plane
        assertEquals(key, created.json().path("envdAccessToken").asText());
        assertEquals(key, created.json().path("trafficAccessToken").asText());
    }

    @Test
    void e2bDataPlaneWantsTheKeyAsAnyOfTheSdksTokens(KeyedGateway gateway) {
        String key = gateway.newTenant("e2bdata");
        String sandbox = gateway.send("POST", "/v2/sandboxes", "{}", "X-API-Key", key).json().path("sandboxID").asText();
        Reply without = gateway.send("POST", "/execute", "{\"code\":\"1\"}", "E2b-Sandbox-Id", sandbox);
        assertEquals(401, without.status(), without.body());
        assertTrue(without.header("Content-Type").startsWith("text/plain"), without.header("Content-Type"));
        assertEquals(401, gateway.send("GET", "/contexts", null, "E2b-Sandbox-Id", sandbox, "X-Access-Token", WRONG).status());
        assertEquals(200, gateway.send("POST", "/execute", "{\"code\":\"1\"}", "E2b-Sandbox-Id", sandbox, "X-Access-Token", key).status());
        assertEquals(200, gateway.send("GET", "/contexts", null, "E2b-Sandbox-Id", sandbox, "E2B-Traffic-Access-Token", key).status());
        assertEquals(200, gateway.send("GET", "/contexts", null, "E2b-Sandbox-Id", sandbox, "X-API-Key", key).status());
        assertEquals(200, gateway.send("GET", "/contexts", null, "E2b-Sandbox-Id", sandbox, "Authorization", "Bearer " + key).status());
        assertEquals(200, gateway.send("GET", "/health", null).status());
    }

    @Test
    void keysRotateThroughTheFileWithoutRestart(KeyedGateway gateway) {
        String first = gateway.newTenant("rotating");
        String tenant = "rotating-" + UUID.randomUUID().toString().substring(0, 8);
        String second = "csk_second_" + UUID.randomUUID();
        gateway.addKey(tenant, second);
        long added = gateway.awaitStatus(second, 200);
        gateway.removeKey(second);
        long removed = gateway.awaitStatus(second, 401);
        assertTrue(added < 3000 && removed < 3000, "took " + added + " ms to add, " + removed + " ms to remove");
        assertEquals(200, gateway.send("GET", "/v1/contexts", null, "Authorization", "Bearer " + first).status());
    }
}
