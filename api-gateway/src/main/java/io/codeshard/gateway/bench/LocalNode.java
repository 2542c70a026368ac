package io.codeshard.gateway.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An all-in-one codeshard node ({@code io.codeshard.gateway.Main}, worker + gateway) in a JVM of its own, with a
 * fresh data directory and a free port: a benchmark measures that JVM's memory without its own in it. Its output
 * goes to {@code node.log} in the data directory.
 */
final class LocalNode implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final Process process;
    private final Path dataDir;
    final String url;

    private LocalNode(Process process, Path dataDir, String url) {
        this.process = process;
        this.dataDir = dataDir;
        this.url = url;
    }

    /** Starts the node with this JVM's java and classpath and waits until its gateway answers. */
    static LocalNode start() throws IOException, InterruptedException {
        Path dataDir = Files.createTempDirectory("codeshard-load-");
        int port = freePort();
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                "-Dcodeshard.runtime.dir=" + System.getProperty("codeshard.runtime.dir", ""), "io.codeshard.gateway.Main"))
                .redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("node.log").toFile());
        builder.environment().put("CODESHARD_DATA_DIR", dataDir.toString());
        builder.environment().put("CODESHARD_HTTP_HOST", "127.0.0.1");
        builder.environment().put("CODESHARD_HTTP_PORT", String.valueOf(port));
        LocalNode node = new LocalNode(builder.start(), dataDir, "http://127.0.0.1:" + port);
        try {
            node.awaitHealthy();
        } catch (IOException | InterruptedException | RuntimeException e) {
            node.close();
            throw e;
        }
        return node;
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return dataDir.resolve("node.log");
    }

    private void awaitHealthy() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("the node exited with " + process.exitValue() + "; its log: " + log());
            }
            try {
                HttpResponse<Void> health = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/health")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (health.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IOException("the node did not answer within " + START_TIMEOUT.toSeconds() + " s; its log: " + log());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Stops the node (SIGTERM: it stops its interpreters), and kills it if it does not stop in time. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
