package io.codeshard.gateway.tenant;

import com.typesafe.config.Config;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's API keys, each a tenant's, known by their SHA-256 (docs/tenants.md): from
 * {@code codeshard.gateway.auth.keys} and from the keys file {@code codeshard.gateway.auth.keys-file}, which is
 * read again every {@code reload-interval}, so that adding or removing a key needs no restart.
 *
 * <p>An entry is {@code <tenant>:<sha256 hex of the key>}; entries are separated by line breaks, commas or
 * spaces, and {@code #} starts a comment that runs to the end of the line. A malformed entry is skipped with
 * a warning, so that one bad line does not lock every tenant out.
 */
public final class ApiKeys {
    private static final Logger log = LoggerFactory.getLogger(ApiKeys.class);
    private static final Pattern ENTRY = Pattern.compile("([A-Za-z0-9_-]{1,32}):([0-9A-Fa-f]{64})");

    private final Map<String, Tenant> configured;
    private final Path file;
    private volatile Map<String, Tenant> byHash;
    private volatile String fileText;

    private ApiKeys(Map<String, Tenant> configured, Path file) {
        this.configured = Map.copyOf(configured);
        this.file = file;
        this.byHash = this.configured;
        reload();
    }

    /**
     * The keys a gateway bound to {@code host} checks, or empty when it runs without keys. A gateway checks keys
     * when any are configured or the keys file exists; one bound to anything but a loopback address must have
     * at least one key.
     *
     * @throws IllegalStateException (with a message for the operator) when a non-loopback gateway has no key
     */
    public static Optional<ApiKeys> forGateway(Config config, String host) {
        Config auth = config.getConfig("codeshard.gateway.auth");
        String fileName = auth.getString("keys-file");
        Path file = fileName.isBlank() ? null : Path.of(fileName).toAbsolutePath().normalize();
        Map<String, Tenant> configured = parse(auth.getString("keys"), "codeshard.gateway.auth.keys");
        boolean loopback = isLoopback(host);
        if (configured.isEmpty() && (file == null || !Files.exists(file))) {
            if (loopback) {
                return Optional.empty();
            }
            throw new IllegalStateException(noKeys(host, file));
        }
        ApiKeys keys = new ApiKeys(configured, file);
        if (!loopback && keys.count() == 0) {
            throw new IllegalStateException(noKeys(host, file));
        }
        return Optional.of(keys);
    }

    private static String noKeys(String host, Path file) {
        return "refusing to listen on " + host + " without API keys: only a loopback address may serve without them. "
                + "Create a key with `./codeshard keys add <tenant>`" + (file == null ? "" : " (it goes to " + file + ")")
                + ", or set codeshard.gateway.auth.keys (CODESHARD_API_KEYS); see docs/tenants.md";
    }

    /** The tenant whose key this is. */
    public Optional<Tenant> tenantOf(String key) {
        return Optional.ofNullable(byHash.get(hash(key)));
    }

    /** How many keys are valid now. */
    public int count() {
        return byHash.size();
    }

    /** The SHA-256 of a key, in lowercase hex: what the configuration holds. */
    public static String hash(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** Reads the keys file again every {@code interval}, on the actor system's blocking dispatcher. */
    public void watch(ActorSystem<?> system, Duration interval) {
        if (file != null) {
            system.scheduler().scheduleWithFixedDelay(interval, interval, this::reload,
                    system.dispatchers().lookup(DispatcherSelector.blocking()));
        }
    }

    /** Takes the keys file's current content (no key from it when it is missing); unchanged content is a no-op. */
    void reload() {
        String text;
        try {
            text = file == null ? "" : Files.readString(file);
        } catch (NoSuchFileException e) {
            text = "";
        } catch (IOException e) {
            log.warn("cannot read the API keys file {}; keeping the keys read before: {}", file, e.toString());
            return;
        }
        if (text.equals(fileText)) {
            return;
        }
        Map<String, Tenant> keys = new HashMap<>(parse(text, String.valueOf(file)));
        keys.putAll(configured);
        boolean first = fileText == null;
        byHash = Map.copyOf(keys);
        fileText = text;
        if (!first) {
            log.info("API keys file {} changed: {} keys of {} tenants are valid now", file, keys.size(),
                    keys.values().stream().distinct().count());
        }
    }

    /** Entries {@code <tenant>:<sha256 hex>} by hash; {@code source} names where they come from in warnings. */
    static Map<String, Tenant> parse(String text, String source) {
        Map<String, Tenant> keys = new HashMap<>();
        String[] lines = text.split("\\R");
        for (int line = 0; line < lines.length; line++) {
            String content = lines[line].replaceFirst("#.*", "").trim();
            if (content.isEmpty()) {
                continue;
            }
            for (String entry : content.split("[\\s,]+")) {
                Matcher matcher = ENTRY.matcher(entry);
                if (matcher.matches()) {
                    keys.put(matcher.group(2).toLowerCase(Locale.ROOT), new Tenant(matcher.group(1)));
                } else {
                    log.warn("{} line {}: skipping '{}', which is not <tenant>:<sha256 of the key in hex>", source, line + 1,
                            entry.length() > 80 ? entry.substring(0, 80) + "..." : entry);
                }
            }
        }
        return keys;
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
