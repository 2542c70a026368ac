package io.codeshard.gateway.v1;

import static io.codeshard.gateway.v1.RunningGateway.freshSandbox;
import static io.codeshard.gateway.v1.RunningGateway.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every client mistake gets its JSON error and status (docs/api.md, "Errors"), and changes nothing. */
@ExtendWith(RunningGateway.Extension.class)
class ErrorAnswersTest {
    private final RunningGateway gateway;

    ErrorAnswersTest(RunningGateway gateway) {
        this.gateway = gateway;
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{", "{\"code\": }", "[1, 2]", "\"print(1)\"", "{\"code\": \"1\"} trailing", "not json",
        "{\"code\": 5}", "{\"code\": null}", "{}", "{\"contextId\": \"c-1\"}", "{\"code\": \"1\", \"contextId\": 7}",
        "{\"code\": \"1\", \"envVars\": [\"A=1\"]}", "{\"code\": \"1\", \"envVars\": {\"A\": 1}}",
        "{\"code\": \"1\", \"envVars\": {\"A=B\": \"1\"}}", "{\"code\": \"1\", \"timeout\": \"10s\"}",
        "{\"code\": \"1\", \"timeout\": 1.5}", "{\"code\": \"1\", \"timeout\": 0}", "{\"code\": \"1\", \"language\": 3}"
    })
    void badExecuteBodiesAre400BadRequest(String body) {
        String sandbox = freshSandbox();
        RunningGateway.Reply reply = gateway.post("/v1/execute", sandbox, body);

        assertEquals(400, reply.status(), body + " -> " + reply.body());
        assertEquals("bad_request", reply.errorCode(), reply.body());
        assertFalse(reply.json().path("error").path("message").asText().isBlank());
        assertEquals("application/json", reply.header("Content-Type"));
        assertEquals(0, gateway.get("/v1/contexts", sandbox).json().path("contexts").size(), "nothing was created");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{", "[]", "{\"language\": [\"python\"]}", "{\"cwd\": 1}", "{\"cwd\": \"../etc\"}", "{\"cwd\": \"/workspace/../../etc\"}",
        "{\"cwd\": \"relative/dir\"}", "{\"envVars\": \"A=1\"}", "{\"envVars\": {\"A\": true}}", "{\"timeout\": -1}",
        "{\"timeout\": \"60000\"}", "{\"idleTtl\": -5}", "{\"idleTtl\": 3.7}"
    })
    void badCreateBodiesAre400BadRequestAndCreateNothing(String body) {
        String sandbox = freshSandbox();
        RunningGateway.Reply reply = gateway.post("/v1/contexts", sandbox, body);

        assertEquals(400, reply.status(), body + " -> " + reply.body());
        assertEquals("bad_request", reply.errorCode(), reply.body());
        assertEquals(0, gateway.get("/v1/contexts", sandbox).json().path("contexts").size());
    }

    @Test
    void unknownFieldsAreIgnored() {
        String sandbox = freshSandbox();
        assertEquals(201, gateway.post("/v1/contexts", sandbox, "{\"language\": \"python\", \"gpu\": true, \"nested\": {\"a\": [1]}}").status());
    }

    @Test
    void unknownLanguagesAre400UnknownLanguage() {
        String sandbox = freshSandbox();
        RunningGateway.Reply create = gateway.post("/v1/contexts", sandbox, json("language", "cobol"));
        assertEquals(400, create.status());
        assertEquals("unknown_language", create.errorCode());
        assertTrue(create.json().path("error").path("message").asText().contains("cobol"));

        RunningGateway.Reply execute = gateway.post("/v1/execute", sandbox, json("code", "1", "language", "ruby"));
        assertEquals(400, execute.status());
        assertEquals("unknown_language", execute.errorCode());
        assertEquals(0, gateway.get("/v1/contexts", sandbox).json().path("contexts").size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "has space", "dots.are.not.allowed", "a/b", "0123456789012345678901234567890123456789012345678901234567890123456789"})
    void aBadSandboxIdIs400(String sandbox) {
        RunningGateway.Reply reply = gateway.send("GET", "/v1/contexts", null, null, "X-Sandbox-Id", sandbox);
        assertEquals(400, reply.status(), reply.body());
        assertEquals("bad_request", reply.errorCode());
    }

    @Test
    void unknownContextsAre404NotFound() {
        String sandbox = freshSandbox();
        for (RunningGateway.Reply reply : List.of(
                gateway.get("/v1/contexts/c-nope", sandbox),
                gateway.send("DELETE", "/v1/contexts/c-nope", sandbox, null),
                gateway.post("/v1/contexts/c-nope/restart", sandbox, null),
                gateway.post("/v1/execute", sandbox, json("contextId", "c-nope", "code", "1")))) {
            assertEquals(404, reply.status(), reply.body());
            assertEquals("not_found", reply.errorCode());
            assertTrue(reply.json().path("error").path("message").asText().contains("c-nope"));
        }
    }

    @Test
    void unknownRoutesUnderV1Are404JsonAndWrongMethods405Json() {
        for (String path : List.of("/v1", "/v1/", "/v1/nothing", "/v1/contexts/a/b/c", "/v1/health/more")) {
            RunningGateway.Reply reply = gateway.get(path, null);
            assertEquals(404, reply.status(), path);
            assertEquals("not_found", reply.errorCode(), path);
        }
        RunningGateway.Reply wrongMethod = gateway.send("PUT", "/v1/contexts", null, "{}");
        assertEquals(405, wrongMethod.status());
        assertEquals("method_not_allowed", wrongMethod.errorCode());
        assertEquals("POST, GET", wrongMethod.header("Allow"));
        assertEquals(405, gateway.get("/v1/execute", null).status());
    }

    @Test
    void aBodyOverTheLimitIs413TooLarge() {
        String sandbox = freshSandbox();
        String code = "x = '" + "a".repeat(1_100_000) + "'";
        RunningGateway.Reply declared = gateway.post("/v1/execute", sandbox, json("code", code));
        assertEquals(413, declared.status(), declared.body());
        assertEquals("too_large", declared.errorCode());

        byte[] bytes = json("code", code).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        RunningGateway.Reply chunked = gateway.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl + "/v1/contexts"))
                .header("X-Sandbox-Id", sandbox).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes))).build());
        assertEquals(413, chunked.status(), chunked.body());
        assertEquals("too_large", chunked.errorCode());

        assertEquals(0, gateway.get("/v1/contexts", sandbox).json().path("contexts").size());
        RunningGateway.Reply underTheLimit = gateway.post("/v1/execute", sandbox, json("code", "len('" + "a".repeat(1_000_000) + "')"));
        assertEquals(200, underTheLimit.status(), "a body just under the limit is fine");
        assertEquals("1000000", underTheLimit.json().path("results").path(0).path("text").asText());
    }
}
