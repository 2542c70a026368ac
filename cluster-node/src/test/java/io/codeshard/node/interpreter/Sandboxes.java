package io.codeshard.node.interpreter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.codeshard.protocol.Language;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Sandboxes laid out as a node lays them out ({@code DATA/sandboxes/ID/workspace}, the data directory hidden),
 * on a {@link RuntimeHost} of their own with small limits, so abuse tests hit them quickly: 512 MiB of memory
 * per process, 96 processes per sandbox, 256 open files, 8 MiB per file, 32 MiB per sandbox.
 */
final class Sandboxes {
    static final long MEMORY_BYTES = 512L << 20;
    static final int MAX_PROCESSES = 96;
    static final int MAX_OPEN_FILES = 256;
    static final long MAX_FILE_BYTES = 8L << 20;
    static final long MAX_WORKSPACE_BYTES = 32L << 20;

    private static RuntimeHost host;
    private static Path dataDir;

    private Sandboxes() {}

    static synchronized RuntimeHost host() {
        if (host == null) {
            InterpreterConfig config = InterpreterConfig.fromSystem().withPools(1, 1).withMaxOutputBytes(1 << 20);
            SandboxPolicy limited = config.sandbox()
                    .withLimits(MEMORY_BYTES, MAX_PROCESSES, MAX_OPEN_FILES, MAX_FILE_BYTES, MAX_WORKSPACE_BYTES);
            try {
                dataDir = Files.createTempDirectory("codeshard-isolation-");
                host = RuntimeHost.start(config.withSandbox(limited));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(host::close));
        }
        return host;
    }

    static boolean namespaces() {
        return host().config().sandbox().namespaces();
    }

    /** Skips the test unless interpreters run confined (the node is root): what it checks is not enforced otherwise. */
    static void assumeNamespaces() {
        Assumptions.assumeTrue(namespaces(),
                "needs the node to run as root: without it interpreters are not confined (docs/isolation.md)");
    }

    static Path dataDir() {
        host();
        return dataDir;
    }

    static Path root(String sandbox) {
        return dataDir().resolve("sandboxes").resolve(sandbox);
    }

    /** A context of the sandbox, in its {@code /workspace}. */
    static Interpreter open(String sandbox, Language language) {
        Path root = root(sandbox);
        InterpreterSpec spec = new InterpreterSpec(language, root.resolve("workspace"), Map.of(),
                new InterpreterSpec.Sandbox(root, List.of(dataDir())));
        try {
            return host().open(spec).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not open a " + language + " interpreter in sandbox " + sandbox, e);
        }
    }

    /** The node still serves: a fresh context of another sandbox computes 1 + 1. */
    static void assertNodeServes(Language language) {
        try (Interpreter fresh = open("fresh-" + System.nanoTime(), language)) {
            assertEquals("2", Cell.run(fresh, "1 + 1").ok().main().text());
        }
    }
}
