package io.codeshard.node.context;

import io.codeshard.node.interpreter.InterpreterSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Maps a sandbox's paths to this node's disk: each sandbox has a root under the data directory, and
 * {@code /workspace} is its workspace. Paths are validated before they are stored, so a context can
 * never point outside its sandbox.
 */
public final class Workspaces {
    private static final Pattern SANDBOX_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final Path dataDir;
    private final Path root;

    public Workspaces(Path dataDir) {
        this.dataDir = dataDir.toAbsolutePath().normalize();
        this.root = this.dataDir.resolve("sandboxes");
    }

    /** True for sandbox ids the service accepts (they become directory names). */
    public static boolean isValidSandboxId(String id) {
        return id != null && SANDBOX_ID.matcher(id).matches();
    }

    /**
     * Checks a client's cwd: absolute, no {@code ..}, no NUL. Returns the normalized form.
     *
     * @throws IllegalArgumentException with a message for the client
     */
    public static String validateCwd(String cwd) {
        if (cwd == null || cwd.isEmpty()) {
            return ContextSettings.DEFAULT_CWD;
        }
        if (!cwd.startsWith("/") || cwd.indexOf('\0') >= 0 || cwd.length() > 1024) {
            throw new IllegalArgumentException("cwd must be an absolute path inside the sandbox, like /workspace");
        }
        for (String segment : cwd.split("/")) {
            if (segment.equals("..")) {
                throw new IllegalArgumentException("cwd must not contain '..'");
            }
        }
        String normalized = Path.of(cwd).normalize().toString();
        return normalized.isEmpty() ? "/" : normalized;
    }

    /**
     * The interpreter spec of a context: its cwd on this node, inside its sandbox's directory; the node's data
     * directory (journal, other sandboxes) is hidden from it when interpreters are isolated (docs/isolation.md).
     */
    public InterpreterSpec interpreterSpec(String sandboxId, ContextSettings settings) {
        InterpreterSpec.Sandbox sandbox = new InterpreterSpec.Sandbox(root.resolve(sandboxId), List.of(dataDir));
        return new InterpreterSpec(settings.language(), resolve(sandboxId, settings.cwd()), settings.envVars(), sandbox);
    }

    /** Where a sandbox path lives on this node. */
    public Path resolve(String sandboxId, String sandboxPath) {
        Path sandboxRoot = root.resolve(sandboxId);
        Path resolved = sandboxRoot.resolve(validateCwd(sandboxPath).substring(1)).normalize();
        if (!resolved.startsWith(sandboxRoot)) {
            throw new IllegalArgumentException("path escapes the sandbox: " + sandboxPath);
        }
        return resolved;
    }
}
