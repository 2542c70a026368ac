package io.codeshard.gateway.v1;

import static io.codeshard.gateway.v1.RunningGateway.freshSandbox;
import static io.codeshard.gateway.v1.RunningGateway.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A client that goes away in the middle of a cell interrupts it, whatever format it asked for: the
 * connection is a plain socket here, closed the way a crashed or impatient client closes it.
 */
@ExtendWith(RunningGateway.Extension.class)
class ClientDisconnectTest {
    private final RunningGateway gateway;

    ClientDisconnectTest(RunningGateway gateway) {
        this.gateway = gateway;
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/x-ndjson", "text/event-stream", "application/json"})
    @Timeout(90)
    void disconnectingInterruptsTheRunningCellAndTheContextRunsTheNextOnePromptly(String accept) throws Exception {
        String sandbox = freshSandbox();
        String id = gateway.createContext(sandbox, "{}").path("id").asText();
        gateway.execute(sandbox, json("contextId", id, "code", "import time\nprogress = 'none'"));

        String body = json("contextId", id, "code", "progress = 'started'\nprint('started', flush=True)\ntime.sleep(60)\nprogress = 'finished'");
        URI uri = URI.create(gateway.baseUrl);
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            out.write(("POST /v1/execute HTTP/1.1\r\nHost: " + uri.getHost() + "\r\nX-Sandbox-Id: " + sandbox
                    + "\r\nAccept: " + accept + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            assertTrue(in.readLine().startsWith("HTTP/1.1 200"), "the cell was accepted");
            if (accept.equals("application/json")) {
                Thread.sleep(1500); // nothing to see before the end: give the cell time to start
            } else {
                String line;
                do {
                    line = in.readLine();
                } while (line != null && !line.contains("\"text\":\"started\\n\""));
                assertTrue(line != null, "the cell printed before the client left");
            }
        }

        long leftAt = System.nanoTime();
        JsonNode next = gateway.execute(sandbox, json("contextId", id, "code", "progress"));
        double seconds = (System.nanoTime() - leftAt) / 1e9;
        assertEquals("'started'", next.path("results").path(0).path("text").asText(), next.toString());
        assertTrue(seconds < 15, "the next cell waited " + seconds + " s: the abandoned one was not interrupted");
    }
}
