package io.codeshard.gateway.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.codeshard.gateway.HttpGateway;
import io.codeshard.gateway.Main;
import io.codeshard.gateway.TestNodes;
import io.codeshard.gateway.tenant.KeyedGateway;
import io.codeshard.gateway.tenant.KeyedGateway.Reply;
import io.codeshard.node.CodeshardNode;
import io.codeshard.protocol.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Quotas on every face: a tenant's contexts (429 with Retry-After), a worker's contexts, and the
 * code size of a cell (413). The shared keyed gateway allows 4 contexts per tenant and 1 KiB of code.
 */
@ExtendWith(KeyedGateway.Extension.class)
class QuotaTest {
    private static final String BIG_CODE = Json.mapper().createObjectNode().put("code", "#".repeat(2000)).toString();

    @Test
    void aTenantOverItsContextsIsAnswered429WithRetryAfterOnEveryFace(KeyedGateway gateway) {
        String key = gateway.newTenant("quota");
        String bearer = "Bearer " + key;
        String last = null;
        for (int i = 0; i < 4; i++) {
            Reply created = gateway.send("POST", "/v1/contexts", "{}", "Authorization", bearer, "X-Sandbox-Id", "s" + i);
            assertEquals(201, created.status(), created.body());
            last = created.json().path("id").asText();
        }
        Reply v1 = gateway.send("POST", "/v1/contexts", "{}", "Authorization", bearer);
        assertEquals(429, v1.status(), v1.body());
        assertEquals("quota_exceeded", v1.json().path("error").path("code").asText());
        assertEquals("7", v1.header("Retry-After"));

        Reply cloudflare = gateway.send("POST", "/api/contexts", "{\"language\":\"python\"}", "Authorization", bearer);
        assertEquals(429, cloudflare.status(), cloudflare.body());
        assertEquals("QUOTA_EXCEEDED", cloudflare.json().path("code").asText());
        assertEquals("7", cloudflare.header("Retry-After"));

        Reply e2bContext = gateway.send("POST", "/contexts", "{\"language\":\"python\"}", "X-Access-Token", key, "E2b-Sandbox-Id", "e2b");
        assertEquals(429, e2bContext.status(), e2bContext.body());
        assertEquals("7", e2bContext.header("Retry-After"));
        Reply e2bSandbox = gateway.send("POST", "/v2/sandboxes", "{}", "X-API-Key", key);
        assertEquals(429, e2bSandbox.status(), e2bSandbox.body());
        assertEquals(429, e2bSandbox.json().path("code").asInt());
        assertEquals("7", e2bSandbox.header("Retry-After"));

        // a deleted context frees its place
        assertEquals(204, gateway.send("DELETE", "/v1/contexts/" + last, null, "Authorization", bearer, "X-Sandbox-Id", "s3").status());
        assertEquals(201, gateway.send("POST", "/v1/contexts", "{}", "Authorization", bearer, "X-Sandbox-Id", "s3").status());
    }

    @Test
    void codeOverTheLimitIs413OnEveryFace(KeyedGateway gateway) {
        String key = gateway.newTenant("code");
        Reply v1 = gateway.send("POST", "/v1/execute", BIG_CODE, "Authorization", "Bearer " + key);
        assertEquals(413, v1.status(), v1.body());
        assertEquals("too_large", v1.json().path("error").path("code").asText());
        assertTrue(v1.json().path("error").path("message").asText().contains("limit of 1024 bytes"), v1.body());

        Reply cloudflare = gateway.send("POST", "/api/execute/code", BIG_CODE, "Authorization", "Bearer " + key);
        assertEquals(413, cloudflare.status(), cloudflare.body());
        assertEquals("code", cloudflare.json().path("context").path("validationErrors").path(0).path("field").asText(), cloudflare.body());

        Reply e2b = gateway.send("POST", "/execute", BIG_CODE, "X-Access-Token", key);
        assertEquals(413, e2b.status(), e2b.body());
        assertTrue(e2b.body().contains("limit of 1024 bytes"), e2b.body());

        // a cell within the limit runs
        Reply small = gateway.send("POST", "/v1/execute", "{\"code\":\"1 + 1\"}", "Authorization", "Bearer " + key);
        assertEquals("2", small.json().path("results").path(0).path("text").asText(), small.body());
    }

    @Test
    void aFullWorkerRefusesNewContextsWith429UntilOneIsDeleted() throws Exception {
        // a node of its own: its worker hosts at most 2 contexts
        CodeshardNode node = TestNodes.start("codeshard.worker.max-contexts = 2\n");
        ServerBinding binding = HttpGateway.bind(node.system(), "127.0.0.1", 0, Main.gatewayRoutes(node))
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        String url = "http://127.0.0.1:" + binding.localAddress().getPort();
        try {
            String first = Json.mapper().readTree(post(url).body()).path("id").asText();
            assertEquals(201, post(url).statusCode());
            HttpResponse<String> refused = post(url);
            assertEquals(429, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("limit of 2 contexts"), refused.body());
            assertEquals("30", refused.headers().firstValue("Retry-After").orElse(null));
            HttpResponse<String> listed = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/v1/contexts"))
                    .header("X-Sandbox-Id", "per-node").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(2, Json.mapper().readTree(listed.body()).path("contexts").size(), "the refused create left nothing behind");
            HttpResponse<String> deleted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/v1/contexts/" + first))
                    .header("X-Sandbox-Id", "per-node").DELETE().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(204, deleted.statusCode());
            assertEquals(201, post(url).statusCode(), "a deleted context frees its place");
        } finally {
            binding.unbind();
            node.close();
        }
    }

    private static HttpResponse<String> post(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/v1/contexts"))
                .header("X-Sandbox-Id", "per-node").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    }
}
