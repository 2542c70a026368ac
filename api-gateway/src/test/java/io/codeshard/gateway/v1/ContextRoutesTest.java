package io.codeshard.gateway.v1;

import static io.codeshard.gateway.v1.RunningGateway.freshSandbox;
import static io.codeshard.gateway.v1.RunningGateway.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Create, list, get, delete and restart of contexts over HTTP, against a real node. */
@ExtendWith(RunningGateway.Extension.class)
class ContextRoutesTest {
    private final RunningGateway gateway;

    ContextRoutesTest(RunningGateway gateway) {
        this.gateway = gateway;
    }

    @Test
    void createWithoutBodyGivesAPythonContextWithTheDefaults() {
        String sandbox = freshSandbox();
        RunningGateway.Reply reply = gateway.send("POST", "/v1/contexts", sandbox, null);

        assertEquals(201, reply.status(), reply.body());
        assertEquals("application/json", reply.header("Content-Type"));
        JsonNode context = reply.json();
        assertTrue(context.path("id").asText().startsWith("c-"), reply.body());
        assertEquals("python", context.path("language").asText());
        assertEquals("/workspace", context.path("cwd").asText());
        assertEquals(0, context.path("envVars").size());
        assertEquals(0, context.path("executionCount").asInt());
        assertEquals(3600, context.path("idleTtl").asLong());
        assertEquals("ready", context.path("state").asText());
        Instant createdAt = Instant.parse(context.path("createdAt").asText());
        assertEquals(createdAt, Instant.parse(context.path("lastUsed").asText()));
    }

    @ParameterizedTest
    @CsvSource({"python,python", "python3,python", "PY,python", "javascript,javascript", "js,javascript",
            "node,javascript", "typescript,typescript", "ts,typescript"})
    void languageAliasesBecomeTheirWireName(String given, String wireName) {
        JsonNode context = gateway.createContext(freshSandbox(), json("language", given));
        assertEquals(wireName, context.path("language").asText());
    }

    @Test
    void cwdEnvVarsTimeoutAndIdleTtlAreKeptAndHonoured() {
        String sandbox = freshSandbox();
        JsonNode context = gateway.createContext(sandbox, json("cwd", "/workspace/project", "envVars", Map.of("API_KEY", "k-123"),
                "timeout", 30000, "idleTtl", 0, "someFutureField", true));
        assertEquals("/workspace/project", context.path("cwd").asText());
        assertEquals("k-123", context.path("envVars").path("API_KEY").asText());
        assertEquals(0, context.path("idleTtl").asLong());

        String id = context.path("id").asText();
        JsonNode result = gateway.execute(sandbox, json("contextId", id,
                "code", "import os\nprint(os.path.basename(os.getcwd()))\nos.environ['API_KEY']"));
        assertEquals(List.of("project\n"), texts(result.path("logs").path("stdout")));
        assertEquals("'k-123'", result.path("results").path(0).path("text").asText());
    }

    @Test
    void listShowsTheSandboxsContextsInCreationOrderAndNoOthers() {
        String sandbox = freshSandbox();
        List<String> created = new ArrayList<>();
        for (String language : List.of("python", "javascript", "python")) {
            created.add(gateway.createContext(sandbox, json("language", language)).path("id").asText());
        }
        gateway.createContext(freshSandbox(), "{}");

        RunningGateway.Reply reply = gateway.get("/v1/contexts", sandbox);
        assertEquals(200, reply.status(), reply.body());
        List<String> listed = new ArrayList<>();
        reply.json().path("contexts").forEach(context -> listed.add(context.path("id").asText()));
        assertEquals(created, listed);
        assertEquals("javascript", reply.json().path("contexts").path(1).path("language").asText());

        assertEquals(0, gateway.get("/v1/contexts", freshSandbox()).json().path("contexts").size());
    }

    @Test
    void getAnswersTheContextAndItsExecutionCount() {
        String sandbox = freshSandbox();
        String id = gateway.createContext(sandbox, "{}").path("id").asText();
        gateway.execute(sandbox, json("contextId", id, "code", "1 + 1"));

        RunningGateway.Reply reply = gateway.get("/v1/contexts/" + id, sandbox);
        assertEquals(200, reply.status(), reply.body());
        assertEquals(id, reply.json().path("id").asText());
        assertEquals(1, reply.json().path("executionCount").asInt());

        assertEquals(404, gateway.get("/v1/contexts/" + id, freshSandbox()).status(), "another sandbox does not see it");
    }

    @Test
    void deleteAnswers204AndTheContextIsGone() {
        String sandbox = freshSandbox();
        String id = gateway.createContext(sandbox, "{}").path("id").asText();

        RunningGateway.Reply deleted = gateway.send("DELETE", "/v1/contexts/" + id, sandbox, null);
        assertEquals(204, deleted.status(), deleted.body());
        assertEquals("", deleted.body());

        RunningGateway.Reply again = gateway.send("DELETE", "/v1/contexts/" + id, sandbox, null);
        assertEquals(404, again.status());
        assertEquals("not_found", again.errorCode());
        assertEquals(404, gateway.get("/v1/contexts/" + id, sandbox).status());
        assertEquals(0, gateway.get("/v1/contexts", sandbox).json().path("contexts").size());
        RunningGateway.Reply execute = gateway.post("/v1/execute", sandbox, json("contextId", id, "code", "1"));
        assertEquals(404, execute.status());
        assertEquals("not_found", execute.errorCode());
    }

    @Test
    void restartKeepsTheContextButDropsItsState() {
        String sandbox = freshSandbox();
        JsonNode created = gateway.createContext(sandbox, json("envVars", Map.of("K", "v")));
        String id = created.path("id").asText();
        gateway.execute(sandbox, json("contextId", id, "code", "x = 41"));
        assertEquals("42", gateway.execute(sandbox, json("contextId", id, "code", "x + 1")).path("results").path(0).path("text").asText());

        RunningGateway.Reply restarted = gateway.post("/v1/contexts/" + id + "/restart", sandbox, null);
        assertEquals(200, restarted.status(), restarted.body());
        assertEquals(id, restarted.json().path("id").asText());
        assertEquals("v", restarted.json().path("envVars").path("K").asText());

        JsonNode after = gateway.execute(sandbox, json("contextId", id, "code", "x"));
        assertEquals("NameError", after.path("error").path("name").asText(), after.toString());
        assertFalse(after.path("results").elements().hasNext());

        assertEquals(404, gateway.post("/v1/contexts/c-unknown/restart", sandbox, null).status());
    }

    static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }
}
