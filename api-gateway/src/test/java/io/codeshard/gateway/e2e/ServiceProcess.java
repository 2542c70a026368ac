package io.codeshard.gateway.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real all-in-one service as a separate JVM (what {@code ./codeshard run} starts), on a free port
 * and a given data directory, so tests can stop it and start it again on the same data.
 */
final class ServiceProcess implements AutoCloseable {
    private final Process process;
    final String url;

    private ServiceProcess(Process process, String url) {
        this.process = process;
        this.url = url;
    }

    static ServiceProcess start(Path dataDir, Path log) throws IOException, InterruptedException {
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "-Dcodeshard.runtime.dir=" + System.getProperty("codeshard.runtime.dir"),
                "-Dpekko.remote.artery.canonical.port=" + freePort(),
                "io.codeshard.gateway.Main"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("CODESHARD_DATA_DIR", dataDir.toString());
        builder.environment().put("CODESHARD_HTTP_PORT", String.valueOf(port));
        ServiceProcess service = new ServiceProcess(builder.start(), "http://127.0.0.1:" + port);
        service.awaitHealthy();
        return service;
    }

    private void awaitHealthy() throws InterruptedException, IOException {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("service exited with " + process.exitValue());
            }
            try {
                HttpResponse<String> health = client.send(HttpRequest.newBuilder(URI.create(url + "/v1/health"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(200);
        }
        throw new IOException("service did not become healthy at " + url);
    }

    /** Stops it as an operator would (SIGTERM) and waits for it to exit. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
