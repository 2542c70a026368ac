package io.codeshard.node.interpreter;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.codeshard.protocol.Json;
import io.codeshard.protocol.Language;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What makes an interpreter a particular context: its language, working directory and environment
 * variables (added to the node's {@link InterpreterConfig#baseEnv()}).
 */
public record InterpreterSpec(Language language, Path cwd, Map<String, String> env) {

    public InterpreterSpec {
        if (!cwd.isAbsolute()) {
            throw new IllegalArgumentException("cwd must be absolute: " + cwd);
        }
        env = Map.copyOf(env);
    }

    ObjectNode initFrame(InterpreterConfig config) {
        Map<String, String> full = new LinkedHashMap<>(config.baseEnv());
        full.putAll(env);
        ObjectNode frame = Json.mapper().createObjectNode()
                .put("op", "init")
                .put("language", language.wireName())
                .put("cwd", cwd.toString())
                .put("maxOutputBytes", config.maxOutputBytes());
        frame.set("env", Json.mapper().valueToTree(full));
        return frame;
    }
}
