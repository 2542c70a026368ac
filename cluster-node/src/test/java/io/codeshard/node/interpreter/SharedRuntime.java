package io.codeshard.node.interpreter;

import io.codeshard.protocol.Language;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One real {@link RuntimeHost} (zygote, socket, pools) for every test class in the JVM: starting it
 * imports numpy, pandas and matplotlib, which is worth doing once.
 */
public final class SharedRuntime {
    private static RuntimeHost host;

    private SharedRuntime() {}

    public static synchronized RuntimeHost host() {
        if (host == null) {
            try {
                host = RuntimeHost.start(InterpreterConfig.fromSystem().withMaxOutputBytes(1 << 20));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(host::close));
        }
        return host;
    }

    /** A fresh interpreter in its own temporary working directory. */
    static Interpreter open(Language language) {
        return open(language, Map.of());
    }

    static Interpreter open(Language language, Map<String, String> env) {
        try {
            return open(language, Files.createTempDirectory("codeshard-test-"), env);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An interpreter in the given working directory, ready to run a cell. */
    static Interpreter open(Language language, Path cwd, Map<String, String> env) {
        try {
            return host().open(new InterpreterSpec(language, cwd, env)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not open a " + language + " interpreter", e);
        }
    }
}
