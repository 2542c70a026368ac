package io.codeshard.node.interpreter;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.codeshard.protocol.Json;
import io.codeshard.protocol.Language;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What makes an interpreter a particular context: its language, working directory, environment
 * variables (added to the node's {@link InterpreterConfig#baseEnv()}) and the sandbox it belongs to.
 */
public record InterpreterSpec(Language language, Path cwd, Map<String, String> env, Sandbox sandbox) {

    /**
     * The directory a context's sandbox owns, shared by all contexts of that sandbox, and directories of the
     * node that its processes must not see (the node's data directory, with the journal and the other sandboxes).
     * With isolation on, the sandbox's processes see {@code root} at its own path and nothing of {@code hidden}.
     */
    public record Sandbox(Path root, List<Path> hidden) {
        public Sandbox {
            if (!root.isAbsolute() || root.getParent() == null) {
                throw new IllegalArgumentException("a sandbox root must be an absolute directory below /: " + root);
            }
            root = root.normalize();
            hidden = List.copyOf(hidden);
        }
    }

    public InterpreterSpec {
        if (!cwd.isAbsolute()) {
            throw new IllegalArgumentException("cwd must be absolute: " + cwd);
        }
        if (!cwd.normalize().startsWith(sandbox.root())) {
            throw new IllegalArgumentException("cwd " + cwd + " is outside its sandbox " + sandbox.root());
        }
        env = Map.copyOf(env);
    }

    /** A context that is a sandbox of its own, rooted at its working directory. */
    public InterpreterSpec(Language language, Path cwd, Map<String, String> env) {
        this(language, cwd, env, new Sandbox(cwd, List.of()));
    }

    /** The {@code init} frame; {@code uid} is the sandbox user to become, or null to stay the node's user. */
    ObjectNode initFrame(InterpreterConfig config, Integer uid) {
        Map<String, String> full = new LinkedHashMap<>(config.baseEnv());
        full.putAll(env);
        ObjectNode frame = Json.mapper().createObjectNode()
                .put("op", "init")
                .put("language", language.wireName())
                .put("cwd", cwd.toString())
                .put("maxOutputBytes", config.maxOutputBytes());
        frame.set("env", Json.mapper().valueToTree(full));
        if (config.sandbox().nice() > 0) {
            frame.put("nice", config.sandbox().nice()); // at init, not at fork: pools refill at full speed
        }
        if (uid != null) {
            frame.putObject("user").put("uid", uid).put("gid", uid);
        }
        return frame;
    }
}
