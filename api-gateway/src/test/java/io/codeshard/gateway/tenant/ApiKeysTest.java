package io.codeshard.gateway.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The keys' format, their hashes, and the bind rule. */
class ApiKeysTest {
    /** {@code printf %s secret | sha256sum}: what {@code ./codeshard keys add} writes. */
    private static final String SECRET_SHA256 = "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b";

    @Test
    void aKeyIsKnownByItsSha256InHex() {
        assertEquals(SECRET_SHA256, ApiKeys.hash("secret"));
    }

    @Test
    void entriesAreTenantColonHashWithCommentsAndSeparators() {
        Map<String, Tenant> keys = ApiKeys.parse("""
                # a comment
                acme:%s   # added by hand
                other-1:%s, third_t:%s
                not-an-entry
                bad:1234
                """.formatted(SECRET_SHA256.toUpperCase(), "a".repeat(64), "b".repeat(64)), "test");
        assertEquals(Map.of(SECRET_SHA256, new Tenant("acme"), "a".repeat(64), new Tenant("other-1"),
                "b".repeat(64), new Tenant("third_t")), keys);
    }

    @Test
    void loopbackWithoutKeysRunsOpen() {
        assertEquals(Optional.empty(), ApiKeys.forGateway(config(missingFile(), ""), "127.0.0.1"));
        assertEquals(Optional.empty(), ApiKeys.forGateway(config(missingFile(), ""), "localhost"));
    }

    @Test
    void anyOtherAddressWithoutKeysIsRefused() {
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> ApiKeys.forGateway(config(missingFile(), ""), "0.0.0.0"));
        assertTrue(refused.getMessage().contains("refusing to listen on 0.0.0.0 without API keys"), refused.getMessage());
    }

    @Test
    void anExistingButEmptyKeysFileChecksKeysOnLoopbackAndIsRefusedElsewhere() throws Exception {
        Path file = Files.createTempFile("api-keys", "");
        Optional<ApiKeys> keys = ApiKeys.forGateway(config(file, ""), "127.0.0.1");
        assertTrue(keys.isPresent());
        assertEquals(0, keys.get().count());
        assertThrows(IllegalStateException.class, () -> ApiKeys.forGateway(config(file, ""), "0.0.0.0"));
    }

    @Test
    void keysFromConfigOrFileLetAnyAddressServe() throws Exception {
        ApiKeys fromConfig = ApiKeys.forGateway(config(missingFile(), "acme:" + SECRET_SHA256), "0.0.0.0").orElseThrow();
        assertEquals(Optional.of(new Tenant("acme")), fromConfig.tenantOf("secret"));
        assertFalse(fromConfig.tenantOf("Secret").isPresent());
        Path file = Files.createTempFile("api-keys", "");
        Files.writeString(file, "acme:" + SECRET_SHA256 + "\n");
        assertTrue(ApiKeys.forGateway(config(file, ""), "10.0.0.5").orElseThrow().tenantOf("secret").isPresent());
    }

    @Test
    void reloadingTakesTheFilesChanges() throws Exception {
        Path file = Files.createTempFile("api-keys", "");
        Files.writeString(file, "acme:" + SECRET_SHA256 + "\n");
        ApiKeys keys = ApiKeys.forGateway(config(file, ""), "127.0.0.1").orElseThrow();
        Files.writeString(file, "other:" + ApiKeys.hash("new key") + "\n");
        keys.reload();
        assertFalse(keys.tenantOf("secret").isPresent());
        assertEquals(Optional.of(new Tenant("other")), keys.tenantOf("new key"));
        Files.delete(file);
        keys.reload();
        assertEquals(0, keys.count());
    }

    private static Path missingFile() {
        return Path.of(System.getProperty("java.io.tmpdir"), "codeshard-no-such-keys-file-" + System.nanoTime());
    }

    private static Config config(Path keysFile, String keys) {
        return ConfigFactory.parseMap(Map.of(
                "codeshard.gateway.auth.keys-file", keysFile.toString(),
                "codeshard.gateway.auth.keys", keys));
    }
}
