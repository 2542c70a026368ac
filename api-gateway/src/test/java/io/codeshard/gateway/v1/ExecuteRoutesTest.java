package io.codeshard.gateway.v1;

import static io.codeshard.gateway.v1.ContextRoutesTest.texts;
import static io.codeshard.gateway.v1.RunningGateway.freshSandbox;
import static io.codeshard.gateway.v1.RunningGateway.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** POST /v1/execute: the seed examples, default contexts, and the three answer formats. */
@ExtendWith(RunningGateway.Extension.class)
class ExecuteRoutesTest {
    private final RunningGateway gateway;

    ExecuteRoutesTest(RunningGateway gateway) {
        this.gateway = gateway;
    }

    @Test
    void stateSurvivesBetweenExecutionsOfAContext() {
        String sandbox = freshSandbox();
        String id = gateway.createContext(sandbox, "{}").path("id").asText();

        JsonNode first = gateway.execute(sandbox, json("contextId", id, "code", "import math; radius = 5"));
        assertEquals(0, first.path("results").size());
        assertFalse(first.has("error"), first.toString());
        JsonNode area = gateway.execute(sandbox, json("contextId", id, "code", "math.pi * radius ** 2"));
        assertEquals("78.53981633974483", area.path("results").path(0).path("text").asText(), area.toString());
        assertEquals("math.pi * radius ** 2", area.path("code").asText());
        assertEquals(2, area.path("executionCount").asInt());
    }

    @Test
    void aggregatedResultHasLogsResultsAndNoErrorOnSuccess() {
        String sandbox = freshSandbox();
        JsonNode sum = gateway.execute(sandbox, json("code", "data = [1, 2, 3, 4, 5]\nprint(f\"Sum: {sum(data)}\")\nsum(data)"));

        assertEquals(List.of("Sum: 15\n"), texts(sum.path("logs").path("stdout")));
        assertEquals(0, sum.path("logs").path("stderr").size());
        assertEquals("15", sum.path("results").path(0).path("text").asText());
        assertFalse(sum.has("error"));
        assertTrue(sum.path("executionCount").asInt() >= 1);
    }

    @Test
    void aFailingCellGivesItsError() {
        JsonNode failed = gateway.execute(freshSandbox(), json("code", "x = 1 / 0"));

        assertEquals("ZeroDivisionError", failed.path("error").path("name").asText(), failed.toString());
        assertEquals("division by zero", failed.path("error").path("value").asText());
        assertTrue(failed.path("error").path("traceback").size() > 1, failed.toString());
    }

    @Test
    void withoutContextIdTheSandboxsDefaultContextOfTheLanguageRuns() {
        String sandbox = freshSandbox();
        gateway.execute(sandbox, json("code", "counter = 1"));
        assertEquals("2", gateway.execute(sandbox, json("code", "counter + 1", "language", "python")).path("results").path(0).path("text").asText());
        gateway.execute(sandbox, json("code", "const x = 10", "language", "js"));
        assertEquals("30", gateway.execute(sandbox, json("code", "x + 20", "language", "javascript")).path("results").path(0).path("text").asText());

        List<String> listed = new ArrayList<>();
        gateway.get("/v1/contexts", sandbox).json().path("contexts").forEach(c -> listed.add(c.path("id").asText()));
        assertEquals(List.of("default-python", "default-javascript"), listed);
        assertEquals("javascript", gateway.get("/v1/contexts/default-javascript", sandbox).json().path("language").asText());
    }

    @Test
    void perRunEnvVarsAndTimeoutApplyToThatRunOnly() {
        String sandbox = freshSandbox();
        String id = gateway.createContext(sandbox, "{}").path("id").asText();
        JsonNode withEnv = gateway.execute(sandbox, json("contextId", id, "code", "import os\nos.environ.get('RUN_ONLY', 'unset')",
                "envVars", Map.of("RUN_ONLY", "yes")));
        assertEquals("'yes'", withEnv.path("results").path(0).path("text").asText(), withEnv.toString());
        JsonNode after = gateway.execute(sandbox, json("contextId", id, "code", "import os\nos.environ.get('RUN_ONLY', 'unset')"));
        assertEquals("'unset'", after.path("results").path(0).path("text").asText());

        JsonNode timedOut = gateway.execute(sandbox, json("contextId", id, "code", "import time\ntime.sleep(30)", "timeout", 500));
        assertTrue(timedOut.has("error"), timedOut.toString());
        assertEquals("'alive'", gateway.execute(sandbox, json("contextId", id, "code", "'alive'")).path("results").path(0).path("text").asText());
    }

    @Test
    void contextIdAndLanguageMustAgree() {
        String sandbox = freshSandbox();
        String id = gateway.createContext(sandbox, json("language", "python")).path("id").asText();
        assertEquals(200, gateway.post("/v1/execute", sandbox, json("contextId", id, "language", "python3", "code", "1")).status());

        RunningGateway.Reply mismatch = gateway.post("/v1/execute", sandbox, json("contextId", id, "language", "javascript", "code", "1"));
        assertEquals(400, mismatch.status(), mismatch.body());
        assertEquals("bad_request", mismatch.errorCode());
    }

    @Test
    void serverSentEventsAreFramedWithTypeSequenceAndEventJson() {
        String sandbox = freshSandbox();
        HttpResponse<Stream<String>> response = gateway.stream(sandbox, "text/event-stream",
                json("code", "print('hello')\nprint('world', flush=True)\n6 * 7"));
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        List<String> lines = response.body().collect(Collectors.toList());

        // event:, id:, data: lines per event, a blank line after each
        List<List<String>> frames = sseFrames(lines);
        List<String> types = new ArrayList<>();
        for (int i = 0; i < frames.size(); i++) {
            List<String> f = frames.get(i);
            assertEquals(3, f.size(), f.toString());
            String type = f.get(0).substring("event: ".length());
            assertEquals("event: " + type, f.get(0));
            assertEquals("id: " + i, f.get(1));
            assertTrue(f.get(2).startsWith("data: {\"type\":\"" + type + "\""), f.get(2));
            types.add(type);
        }
        assertEquals("started", types.get(0));
        assertEquals("completed", types.get(types.size() - 1));
        List<JsonNode> events = RunningGateway.events(lines, true);
        assertEquals("hello\nworld\n", events.stream().filter(e -> e.path("type").asText().equals("stdout"))
                .map(e -> e.path("text").asText()).collect(Collectors.joining()));
        JsonNode result = events.stream().filter(e -> e.path("type").asText().equals("result")).findFirst().orElseThrow();
        assertEquals("42", result.path("bundle").path("text").asText());
        assertTrue(result.path("isMainResult").asBoolean());
        assertTrue(events.get(events.size() - 1).has("durationMs"));
    }

    @Test
    void ndjsonIsOneEventPerLineEndingWithCompleted() {
        String sandbox = freshSandbox();
        HttpResponse<Stream<String>> response = gateway.stream(sandbox, "application/x-ndjson",
                json("code", "import sys\nprint('out')\nprint('err', file=sys.stderr)\nx = 1 / 0"));
        assertEquals(200, response.statusCode());
        assertEquals("application/x-ndjson", response.headers().firstValue("Content-Type").orElse(""));
        List<String> lines = response.body().collect(Collectors.toList());

        List<JsonNode> events = RunningGateway.events(lines, false);
        assertEquals(lines.stream().filter(line -> !line.isBlank()).count(), events.size(), "every line is an event: " + lines);
        List<String> types = events.stream().map(e -> e.path("type").asText()).toList();
        assertEquals("started", types.get(0));
        assertTrue(types.containsAll(List.of("stdout", "stderr", "error")), types.toString());
        assertEquals("completed", types.get(types.size() - 1));
        assertTrue(events.stream().filter(e -> e.path("type").asText().equals("stdout")).allMatch(e -> e.has("timestamp")));
        assertEquals("ZeroDivisionError", events.stream().filter(e -> e.path("type").asText().equals("error"))
                .findFirst().orElseThrow().path("name").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/x-ndjson", "text/event-stream"})
    @Timeout(60)
    void eventsArriveAsTheyHappenNotWhenTheCellEnds(String accept) {
        String sandbox = freshSandbox();
        gateway.execute(sandbox, json("code", "import time"));
        long sent = System.nanoTime();
        HttpResponse<Stream<String>> response = gateway.stream(sandbox, accept,
                json("code", "print('a', flush=True)\ntime.sleep(2)\nprint('b')"));
        long firstStdout = 0;
        long completed = 0;
        Iterator<String> lines = response.body().iterator();
        while (lines.hasNext()) {
            String line = lines.next();
            if (firstStdout == 0 && line.contains("\"type\":\"stdout\"")) {
                firstStdout = System.nanoTime();
            }
            if (line.contains("\"type\":\"completed\"")) {
                completed = System.nanoTime();
            }
        }
        assertTrue(firstStdout > 0 && completed > 0, "saw stdout and completed");
        double gapSeconds = (completed - firstStdout) / 1e9;
        assertTrue(gapSeconds > 1.5, "the first stdout came only " + gapSeconds + " s before the end (request sent "
                + (firstStdout - sent) / 1e9 + " s before it)");
    }

    @Test
    void eventJsonHasExactlyTheDocumentedFieldsTypeFirst() {
        String sandbox = freshSandbox();
        List<JsonNode> events = new ArrayList<>();
        for (String code : List.of("print('x')\n42", "1 / 0")) {
            events.addAll(RunningGateway.events(gateway.stream(sandbox, "application/x-ndjson", json("code", code))
                    .body().collect(Collectors.toList()), false));
        }
        Map<String, List<String>> documented = Map.of(
                "started", List.of("type", "executionCount"),
                "stdout", List.of("type", "text", "timestamp"),
                "result", List.of("type", "bundle", "isMainResult"),
                "error", List.of("type", "name", "value", "traceback"),
                "completed", List.of("type", "executionCount", "durationMs"));
        for (JsonNode event : events) {
            List<String> fields = new ArrayList<>();
            event.fieldNames().forEachRemaining(fields::add);
            List<String> expected = documented.get(event.path("type").asText());
            assertEquals(expected, fields, "fields of " + event);
        }
        assertEquals(documented.keySet(), events.stream().map(e -> e.path("type").asText()).collect(Collectors.toSet()));
    }

    @Test
    void aSilentCellsAnswerCarriesHeartbeatsThatEachFormatIgnores() {
        String sandbox = freshSandbox();
        String body = json("code", "import time\ntime.sleep(2.5)\n'done'");

        List<String> ndjson = gateway.stream(sandbox, "application/x-ndjson", body).body().collect(Collectors.toList());
        assertTrue(ndjson.stream().anyMatch(String::isEmpty), "blank lines while silent: " + ndjson);
        assertEquals("'done'", RunningGateway.events(ndjson, false).stream().filter(e -> e.path("type").asText().equals("result"))
                .findFirst().orElseThrow().path("bundle").path("text").asText());

        List<String> sse = gateway.stream(sandbox, "text/event-stream", body).body().collect(Collectors.toList());
        assertTrue(sse.contains(": keep-alive"), "SSE comments while silent: " + sse);
        sseFrames(sse); // still well-formed

        RunningGateway.Reply aggregated = gateway.send("POST", "/v1/execute", sandbox, body, "Accept", "application/json");
        assertTrue(aggregated.body().startsWith(" "), "whitespace while silent");
        assertEquals("'done'", aggregated.json().path("results").path(0).path("text").asText());
    }

    /** The event frames of an SSE body (heartbeat comments left out), checking that every frame is complete. */
    private static List<List<String>> sseFrames(List<String> lines) {
        List<List<String>> frames = new ArrayList<>();
        List<String> frame = new ArrayList<>();
        for (String line : lines) {
            if (line.isEmpty()) {
                if (!frame.isEmpty()) {
                    frames.add(frame);
                }
                frame = new ArrayList<>();
            } else if (!line.startsWith(":")) {
                frame.add(line);
            }
        }
        assertTrue(frame.isEmpty(), "the stream ends after a complete frame: " + lines);
        return frames;
    }

    @Test
    void acceptNegotiationPicksTheFormat() {
        String sandbox = freshSandbox();
        String body = json("code", "1");
        assertTrue(gateway.send("POST", "/v1/execute", sandbox, body).json().has("executionCount"), "no Accept: JSON");
        assertTrue(gateway.send("POST", "/v1/execute", sandbox, body, "Accept", "*/*").json().has("logs"));
        assertTrue(gateway.send("POST", "/v1/execute", sandbox, body, "Accept", "text/html").json().has("logs"));
        assertEquals("application/x-ndjson", gateway.send("POST", "/v1/execute", sandbox, body,
                "Accept", "application/json;q=0.5, application/x-ndjson").header("Content-Type"));
        assertTrue(gateway.send("POST", "/v1/execute", sandbox, body,
                "Accept", "text/event-stream;q=0.1, application/json").json().has("logs"));
        assertTrue(gateway.send("POST", "/v1/execute", sandbox, body,
                "Accept", "text/event-stream, */*").header("Content-Type").startsWith("text/event-stream"));
    }
}
