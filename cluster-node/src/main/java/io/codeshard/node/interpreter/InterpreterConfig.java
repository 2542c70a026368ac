package io.codeshard.node.interpreter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Settings of a node's interpreters. {@link #fromSystem()} reads them from system properties
 * ({@code codeshard.runtime.dir}, {@code codeshard.python}, ...) or the matching environment variables
 * ({@code CODESHARD_RUNTIME_DIR}, {@code CODESHARD_PYTHON}, ...), with the defaults documented in docs/interpreters.md.
 *
 * @param runtimeDir      folder holding {@code python/zygote.py} and {@code node/runtime.mjs}
 * @param python          the Python that runs Python contexts (Debian's, with numpy/pandas/matplotlib/IPython)
 * @param node            the Node.js that runs JavaScript and TypeScript contexts
 * @param pythonPoolSize  forked Python children kept warm, ready to become a context
 * @param nodePoolSize    started Node processes kept warm (Node cannot fork, so this pool is what makes creation instant)
 * @param defaultTimeout  wall-clock limit of one execution when the request gives none
 * @param interruptGrace  how long an interrupted cell may take to stop before its process is killed
 * @param maxOutputBytes  stdout+stderr bytes kept per execution; the rest is dropped with one notice
 * @param baseEnv         the environment every interpreter starts from (the node's own is not passed on)
 * @param sandbox         how interpreters are confined and limited (docs/isolation.md)
 */
public record InterpreterConfig(
        Path runtimeDir,
        String python,
        String node,
        int pythonPoolSize,
        int nodePoolSize,
        Duration defaultTimeout,
        Duration interruptGrace,
        long maxOutputBytes,
        Map<String, String> baseEnv,
        SandboxPolicy sandbox) {

    /** Variables copied from the node's environment into every interpreter's; everything else is left behind. */
    private static final List<String> INHERITED_ENV = List.of("PATH", "LANG", "LC_ALL", "TZ", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE");

    public InterpreterConfig {
        baseEnv = Map.copyOf(baseEnv);
    }

    /** The configuration from system properties and environment variables. */
    public static InterpreterConfig fromSystem() {
        Map<String, String> env = new LinkedHashMap<>();
        for (String name : INHERITED_ENV) {
            String value = System.getenv(name);
            if (value != null) {
                env.put(name, value);
            }
        }
        env.putIfAbsent("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.putIfAbsent("LANG", "C.UTF-8");
        env.put("HOME", setting("codeshard.interpreter.home", System.getProperty("java.io.tmpdir")));
        env.put("MPLBACKEND", "Agg");
        return new InterpreterConfig(
                configuredRuntimeDir(),
                setting("codeshard.python", "/usr/bin/python3"),
                setting("codeshard.node", "node"),
                Integer.parseInt(setting("codeshard.pool.python", "2")),
                Integer.parseInt(setting("codeshard.pool.node", "2")),
                Duration.ofMillis(Long.parseLong(setting("codeshard.execution.timeout-ms", "60000"))),
                Duration.ofMillis(Long.parseLong(setting("codeshard.execution.interrupt-grace-ms", "2000"))),
                Long.parseLong(setting("codeshard.execution.max-output-bytes", String.valueOf(4L << 20))),
                env,
                SandboxPolicy.fromSystem());
    }

    /** A copy with other pool sizes (tests and benchmarks size them to what they measure). */
    public InterpreterConfig withPools(int python, int node) {
        return new InterpreterConfig(runtimeDir, this.python, this.node, python, node, defaultTimeout, interruptGrace, maxOutputBytes, baseEnv, sandbox);
    }

    /** A copy with another per-execution output limit. */
    public InterpreterConfig withMaxOutputBytes(long bytes) {
        return new InterpreterConfig(runtimeDir, python, node, pythonPoolSize, nodePoolSize, defaultTimeout, interruptGrace, bytes, baseEnv, sandbox);
    }

    /** A copy with another sandbox policy. */
    public InterpreterConfig withSandbox(SandboxPolicy policy) {
        return new InterpreterConfig(runtimeDir, python, node, pythonPoolSize, nodePoolSize, defaultTimeout, interruptGrace, maxOutputBytes, baseEnv, policy);
    }

    private static Path configuredRuntimeDir() {
        String configured = setting("codeshard.runtime.dir", null);
        if (configured != null) {
            return Path.of(configured).toAbsolutePath();
        }
        // Run from a checkout without the property: the sources are the runtime.
        Path checkout = Path.of("cluster-node/src/main/runtime").toAbsolutePath();
        if (Files.isDirectory(checkout)) {
            return checkout;
        }
        throw new IllegalStateException("codeshard.runtime.dir is not set and ./cluster-node/src/main/runtime does not exist");
    }

    /** A system property, else the environment variable of the same name in upper snake case, else the default. */
    static String setting(String property, String fallback) {
        String value = System.getProperty(property);
        if (value == null) {
            value = System.getenv(property.toUpperCase().replace('.', '_').replace('-', '_'));
        }
        return value == null || value.isBlank() ? fallback : value;
    }
}
