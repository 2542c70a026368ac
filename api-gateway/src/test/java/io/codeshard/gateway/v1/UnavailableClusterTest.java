package io.codeshard.gateway.v1;

import static io.codeshard.gateway.v1.RunningGateway.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A gateway whose cluster has no worker: contexts have nowhere to live, asks time out, and the API says
 * 503 unavailable with Retry-After instead of hanging or failing with a 500.
 */
class UnavailableClusterTest {
    private static RunningGateway gatewayWithoutWorkers;

    @BeforeAll
    static void start() throws Exception {
        gatewayWithoutWorkers = RunningGateway.start("codeshard.roles = [\"gateway\"]\n",
                node -> RunningGateway.impatientRoutes(node, Duration.ofMillis(500)));
    }

    @AfterAll
    static void stop() {
        gatewayWithoutWorkers.close();
    }

    @Test
    void everyContextOperationIs503WithRetryAfter() {
        String sandbox = "nobody-home";
        for (RunningGateway.Reply reply : List.of(
                gatewayWithoutWorkers.post("/v1/contexts", sandbox, "{}"),
                gatewayWithoutWorkers.get("/v1/contexts", sandbox),
                gatewayWithoutWorkers.get("/v1/contexts/c-1", sandbox),
                gatewayWithoutWorkers.send("DELETE", "/v1/contexts/c-1", sandbox, null),
                gatewayWithoutWorkers.post("/v1/contexts/c-1/restart", sandbox, null),
                gatewayWithoutWorkers.post("/v1/execute", sandbox, json("code", "1")),
                gatewayWithoutWorkers.post("/v1/execute", sandbox, json("code", "1", "contextId", "c-1")))) {
            assertEquals(503, reply.status(), reply.body());
            assertEquals("unavailable", reply.errorCode());
            assertEquals("5", reply.header("Retry-After"));
        }
    }

    @Test
    void healthDoesNotNeedTheCluster() {
        assertEquals(200, gatewayWithoutWorkers.get("/v1/health", null).status());
    }
}
