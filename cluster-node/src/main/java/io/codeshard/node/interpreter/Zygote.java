package io.codeshard.node.interpreter;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.codeshard.protocol.Json;
import io.codeshard.protocol.Language;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's one {@code zygote.py} process: it imported numpy, pandas and matplotlib once and forks a
 * child per interpreter (Python children run in-process, Node children are exec'd), so creating a
 * context costs a fork, not an interpreter start. It is the parent of every interpreter: it signals
 * their process groups for us and reports how each one ended. Its stdin closing (this JVM dying, even
 * by kill -9) makes it kill every interpreter and exit.
 */
final class Zygote implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Zygote.class);
    static final int SIGINT = 2;
    static final int SIGKILL = 9;

    private final Process process;
    private final OutputStream toZygote;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final Map<String, CompletableFuture<Integer>> spawns = new ConcurrentHashMap<>();
    private final Map<Integer, CompletableFuture<ExitStatus>> exits = new ConcurrentHashMap<>();
    private final Map<Integer, CompletableFuture<Void>> confinements = new ConcurrentHashMap<>();
    private volatile boolean closing;

    private Zygote(Process process) {
        this.process = process;
        this.toZygote = new BufferedOutputStream(process.getOutputStream());
        Thread reader = new Thread(this::readLoop, "zygote-reader");
        reader.setDaemon(true);
        reader.start();
    }

    static Zygote start(InterpreterConfig config, Path socket) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(List.of(
                config.python(), "-u", config.runtimeDir().resolve("python/zygote.py").toString(),
                "--socket", socket.toString(),
                "--runtime-dir", config.runtimeDir().toString(),
                "--node", config.node(),
                "--isolation", config.sandbox().zygoteArgument().toString()));
        builder.environment().clear();
        builder.environment().putAll(config.baseEnv());
        builder.redirectError(ProcessBuilder.Redirect.INHERIT);
        return new Zygote(builder.start());
    }

    /** Completes when the zygote finished its imports and can fork. */
    CompletableFuture<Void> ready() {
        return ready;
    }

    /** Asks for a child; the future holds its pid, while the child itself connects to the socket with {@code token}. */
    CompletableFuture<Integer> spawn(String token, Language.Runtime runtime) {
        CompletableFuture<Integer> pid = new CompletableFuture<>();
        spawns.put(token, pid);
        send(Json.mapper().createObjectNode()
                .put("op", "spawn").put("token", token).put("runtime", runtime.name().toLowerCase(Locale.ROOT)));
        return pid;
    }

    /** Sends a signal to a child's whole process group (the interpreter and whatever it started). */
    void signal(int pid, int signal) {
        send(Json.mapper().createObjectNode().put("op", "signal").put("pid", pid).put("sig", signal));
    }

    /**
     * Gives a pooled child the filesystem view of a sandbox (it must have been forked with namespaces):
     * only {@code sandbox.root()} of the node's directories, nothing of {@code sandbox.hidden()}.
     */
    CompletableFuture<Void> confine(int pid, InterpreterSpec.Sandbox sandbox) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        confinements.put(pid, done);
        ObjectNode frame = Json.mapper().createObjectNode().put("op", "confine").put("pid", pid).put("root", sandbox.root().toString());
        ArrayNode hidden = frame.putArray("hidden");
        sandbox.hidden().forEach(path -> hidden.add(path.toString()));
        try {
            send(frame);
        } catch (RuntimeException e) {
            confinements.remove(pid);
            done.completeExceptionally(e);
        }
        return done;
    }

    /** How the child ended; completes when the zygote reaped it. */
    CompletableFuture<ExitStatus> exitOf(int pid) {
        return exits.computeIfAbsent(pid, p -> new CompletableFuture<>());
    }

    /** Drops the bookkeeping of a child nobody will ask about again. */
    void forget(int pid) {
        exits.remove(pid);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    private synchronized void send(ObjectNode frame) {
        try {
            Frames.write(toZygote, frame);
        } catch (IOException e) {
            throw new InterpreterUnavailableException("the interpreter launcher (zygote) is gone: " + e.getMessage(), e);
        }
    }

    private void readLoop() {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(process.getInputStream()))) {
            while (true) {
                onFrame(Frames.read(in));
            }
        } catch (EOFException e) {
            log.debug("zygote closed its output");
        } catch (IOException e) {
            if (!closing) {
                log.error("zygote channel failed", e);
            }
        } finally {
            IllegalStateException gone = new IllegalStateException("the interpreter launcher (zygote) exited");
            ready.completeExceptionally(gone);
            spawns.values().forEach(f -> f.completeExceptionally(gone));
            confinements.values().forEach(f -> f.completeExceptionally(gone));
            exits.values().forEach(f -> f.complete(ExitStatus.UNKNOWN));
        }
    }

    private void onFrame(ObjectNode frame) {
        switch (frame.path("ev").asText()) {
            case "ready" -> ready.complete(null);
            case "spawned" -> complete(frame, f -> f.complete(frame.path("pid").asInt()));
            case "spawn_failed" -> complete(frame, f -> f.completeExceptionally(
                    new InterpreterUnavailableException("fork failed: " + frame.path("message").asText(), null)));
            case "confined" -> confined(frame, null);
            case "confine_failed" -> confined(frame, new InterpreterUnavailableException(
                    "cannot confine the interpreter to its sandbox: " + frame.path("message").asText(), null));
            case "exited" -> exitOf(frame.path("pid").asInt()).complete(new ExitStatus(
                    frame.path("code").isNumber() ? frame.path("code").asInt() : null,
                    frame.path("signal").isNumber() ? frame.path("signal").asInt() : null));
            default -> log.warn("unexpected zygote frame {}", frame);
        }
    }

    private void confined(ObjectNode frame, RuntimeException failure) {
        CompletableFuture<Void> pending = confinements.remove(frame.path("pid").asInt());
        if (pending != null && failure == null) {
            pending.complete(null);
        } else if (pending != null) {
            pending.completeExceptionally(failure);
        }
    }

    private void complete(ObjectNode frame, java.util.function.Consumer<CompletableFuture<Integer>> action) {
        CompletableFuture<Integer> pending = spawns.remove(frame.path("token").asText());
        if (pending != null) {
            action.accept(pending);
        }
    }

    @Override
    public void close() {
        closing = true;
        try {
            toZygote.close(); // stdin EOF: the zygote kills every child and exits
        } catch (IOException ignored) {
            // already gone
        }
        process.destroy();
    }
}
