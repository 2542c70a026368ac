package io.codeshard.gateway.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.codeshard.gateway.HttpGateway;
import io.codeshard.gateway.Main;
import io.codeshard.gateway.TestNodes;
import io.codeshard.gateway.tenant.ApiKeys;
import io.codeshard.gateway.tenant.Authentication;
import io.codeshard.node.CodeshardNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Route;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The compatibility faces judged by the real client packages: a real all-in-one node (actor system, H2
 * journal in a fresh directory, sharding, interpreters) serves the native, Cloudflare and E2B routes on a free
 * port, and each client's conformance file in {@code conformance/test} runs against it under {@code node --test}
 * with the published npm package ({@code @cloudflare/sandbox}, {@code @e2b/code-interpreter}). One JUnit test
 * per client, so each client's result shows on its own; node's report goes to the test log. A second gateway on
 * the same node checks API keys (two tenants' keys); each file's "with API keys" tests use it.
 *
 * <p>{@code conformance/node_modules} comes from {@code npm ci} in {@code conformance/} ({@code ./codeshard test}
 * runs it before Maven).
 */
class ConformanceTest {
    private static final long NODE_TIMEOUT_MINUTES = 15;
    private static final Pattern SUMMARY = Pattern.compile("^\\S*\\s*(tests|pass|fail|skipped|todo|cancelled) (\\d+)$");

    private static Path conformanceDir;
    private static CodeshardNode node;
    private static ServerBinding binding;
    private static String baseUrl;
    private static ServerBinding keyedBinding;
    private static String keyedUrl;
    private static final String KEY = "csk_conformance_" + UUID.randomUUID();
    private static final String OTHER_KEY = "csk_conformance_other_" + UUID.randomUUID();

    @BeforeAll
    static void start() throws Exception {
        conformanceDir = findConformanceDir();
        if (!Files.isDirectory(conformanceDir.resolve("node_modules"))) {
            throw new IllegalStateException(conformanceDir.resolve("node_modules") + " is missing: run `npm ci` in "
                    + conformanceDir + " (./codeshard test does) before this test");
        }
        node = TestNodes.start("");
        Route routes = Main.gatewayRoutes(node);
        binding = HttpGateway.bind(node.system(), "127.0.0.1", 0, routes).toCompletableFuture().get(30, TimeUnit.SECONDS);
        baseUrl = "http://127.0.0.1:" + binding.localAddress().getPort();
        Config keysConfig = ConfigFactory.parseMap(Map.of("codeshard.gateway.auth.keys",
                        "conformance:" + ApiKeys.hash(KEY) + ", conformance-other:" + ApiKeys.hash(OTHER_KEY)))
                .withFallback(node.system().settings().config());
        Route keyedRoutes = Main.gatewayRoutes(node, Authentication.of(ApiKeys.forGateway(keysConfig, "127.0.0.1")));
        keyedBinding = HttpGateway.bind(node.system(), "127.0.0.1", 0, keyedRoutes).toCompletableFuture().get(30, TimeUnit.SECONDS);
        keyedUrl = "http://127.0.0.1:" + keyedBinding.localAddress().getPort();
    }

    @AfterAll
    static void stop() {
        if (binding != null) {
            binding.unbind();
        }
        if (keyedBinding != null) {
            keyedBinding.unbind();
        }
        if (node != null) {
            node.close();
        }
    }

    @Test
    void cloudflareSandboxClient() throws Exception {
        runNodeTests("cloudflare.test.mjs");
    }

    @Test
    void e2bCodeInterpreterClient() throws Exception {
        runNodeTests("e2b.test.mjs");
    }

    /** Runs one conformance file under {@code node --test}, echoing its report, and asserts that every test passed. */
    private static void runNodeTests(String file) throws Exception {
        Path test = conformanceDir.resolve("test").resolve(file);
        assertTrue(Files.exists(test), test + " is missing");
        ProcessBuilder builder = new ProcessBuilder(List.of("node", "--import", "./register.mjs", "--test",
                "--test-reporter=spec", "test/" + file))
                .directory(conformanceDir.toFile())
                .redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("CODESHARD_URL", baseUrl);
        // What the E2B SDK needs to talk to this gateway instead of e2b.dev; harmless for the other client.
        env.put("E2B_SANDBOX_URL", baseUrl);
        env.put("E2B_API_URL", baseUrl);
        env.put("E2B_API_KEY", "e2b_dummy");
        env.put("CODESHARD_KEYED_URL", keyedUrl);
        env.put("CODESHARD_KEY", KEY);
        env.put("CODESHARD_OTHER_KEY", OTHER_KEY);
        env.put("NO_COLOR", "1");
        env.remove("FORCE_COLOR");
        env.remove("NODE_OPTIONS");

        Process process = startNode(builder);
        Map<String, Integer> summary = new LinkedHashMap<>();
        Thread echo = new Thread(() -> echo(process, file, summary), "node-" + file);
        echo.start();
        try {
            if (!process.waitFor(NODE_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                throw new AssertionError(file + " did not finish within " + NODE_TIMEOUT_MINUTES + " minutes");
            }
            echo.join(TimeUnit.SECONDS.toMillis(10));
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        System.out.printf("[%s] node --test summary: %s%n", file, summary);
        assertTrue(summary.getOrDefault("pass", 0) > 0, file + " ran no passing test: " + summary);
        assertEquals(0, process.exitValue(), file + " failed (node exit " + process.exitValue() + "): " + summary
                + "; the test log has node's report");
    }

    private static Process startNode(ProcessBuilder builder) {
        try {
            return builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start node (Node.js 20.6 or later must be on the PATH): " + e.getMessage(), e);
        }
    }

    private static void echo(Process process, String file, Map<String, Integer> summary) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                System.out.println("[" + file + "] " + line);
                Matcher matcher = SUMMARY.matcher(line.trim());
                if (matcher.matches()) {
                    summary.put(matcher.group(1), Integer.parseInt(matcher.group(2)));
                }
            }
        } catch (IOException e) {
            System.out.println("[" + file + "] (output ended: " + e.getMessage() + ")");
        }
    }

    /** {@code conformance/} of the repository: Maven runs the test in the module directory, one level below. */
    private static Path findConformanceDir() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("conformance").resolve("package.json"))) {
                return dir.resolve("conformance");
            }
        }
        throw new IllegalStateException("no conformance/package.json above " + Path.of("").toAbsolutePath());
    }
}
