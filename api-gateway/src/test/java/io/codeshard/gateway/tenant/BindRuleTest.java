package io.codeshard.gateway.tenant;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The real service, started on a non-loopback address without keys, refuses to start. */
class BindRuleTest {
    @Test
    void aGatewayOnAnyAddressWithoutKeysExitsWithAReason() throws Exception {
        Path dataDir = Files.createTempDirectory("codeshard-bind-rule-");
        ProcessBuilder builder = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "-Dcodeshard.runtime.dir=" + System.getProperty("codeshard.runtime.dir"),
                "-Dpekko.remote.artery.canonical.port=0",
                "io.codeshard.gateway.Main"))
                .redirectErrorStream(true);
        Path log = Files.createTempFile("wt-bind-rule-", ".log");
        builder.redirectOutput(log.toFile());
        builder.environment().put("CODESHARD_DATA_DIR", dataDir.toString());
        builder.environment().put("CODESHARD_HTTP_HOST", "0.0.0.0");
        builder.environment().put("CODESHARD_HTTP_PORT", "0");
        builder.environment().remove("CODESHARD_API_KEYS");
        builder.environment().remove("CODESHARD_API_KEYS_FILE");
        Process process = builder.start();
        try {
            assertTrue(process.waitFor(90, TimeUnit.SECONDS), "the service is still running");
            String output = Files.readString(log);
            assertNotEquals(0, process.exitValue(), output);
            assertTrue(output.contains("refusing to listen on 0.0.0.0 without API keys"), output);
        } finally {
            process.destroyForcibly();
        }
    }
}
