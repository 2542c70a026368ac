package io.codeshard.node.interpreter;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.codeshard.protocol.Language;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a node needs to run interpreters: the zygote that forks them, the Unix socket they
 * connect back to, and the warm pools. {@link #open} turns a pooled process into a context's
 * {@link Interpreter}. One per node (per JVM); close it to end every interpreter.
 */
public final class RuntimeHost implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RuntimeHost.class);
    private static final long HELLO_TIMEOUT_SECONDS = 30;

    private final InterpreterConfig config;
    private final Path socketDir;
    private final ServerSocketChannel server;
    private final Zygote zygote;
    private final Map<String, CompletableFuture<ChildProcess>> awaitingHello = new ConcurrentHashMap<>();
    private final Map<Language.Runtime, ChildPool> pools = new EnumMap<>(Language.Runtime.class);
    private final ScheduledExecutorService timers;
    private final SecureRandom random = new SecureRandom();
    private final SandboxUsers users;
    private final WorkspaceQuota quota;
    private volatile boolean closed;

    private RuntimeHost(InterpreterConfig config) throws IOException {
        this.config = config;
        this.users = new SandboxUsers(config.sandbox());
        this.quota = new WorkspaceQuota(config.sandbox().maxWorkspaceBytes());
        // A private directory: only this user may connect, and the path stays short (sun_path is 108 bytes).
        this.socketDir = Files.createTempDirectory(Path.of("/tmp"), "codeshard-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path socket = socketDir.resolve("ctl.sock");
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(socket));
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "interpreter-timers"));
        daemon(this::acceptLoop, "interpreter-accept").start();
        this.zygote = Zygote.start(config, socket);
        pools.put(Language.Runtime.PYTHON, new ChildPool(Language.Runtime.PYTHON, config.pythonPoolSize(), this::spawn));
        pools.put(Language.Runtime.NODE, new ChildPool(Language.Runtime.NODE, config.nodePoolSize(), this::spawn));
    }

    /**
     * Starts the zygote and waits until it is ready to fork (it imports numpy, pandas and matplotlib:
     * about a second, once per node), then fills the pools in the background.
     */
    public static RuntimeHost start(InterpreterConfig config) throws IOException {
        log.info("interpreter isolation: {}", config.sandbox().describe());
        RuntimeHost host = new RuntimeHost(config);
        try {
            host.zygote.ready().get(120, TimeUnit.SECONDS);
        } catch (Exception e) {
            host.close();
            throw new IOException("interpreter launcher did not start: " + e.getMessage(), e);
        }
        host.pools.values().forEach(ChildPool::refill);
        return host;
    }

    /** Whether this host can still start interpreters: not closed and its zygote process alive (the worker readiness check). */
    public boolean isServing() {
        return !closed && zygote.isAlive();
    }

    public InterpreterConfig config() {
        return config;
    }

    /**
     * Opens an interpreter for a context: takes a warm process of the language's runtime and makes it
     * the context (cwd, environment). The future completes when the interpreter can run a cell.
     */
    public CompletableFuture<Interpreter> open(InterpreterSpec spec) {
        return open(spec, 0);
    }

    /** As {@link #open(InterpreterSpec)}, numbering executions after {@code executionsSoFar} (a restored context). */
    public CompletableFuture<Interpreter> open(InterpreterSpec spec, int executionsSoFar) {
        Interpreter interpreter = new Interpreter(this, spec, executionsSoFar);
        return interpreter.launch().thenApply(ignored -> interpreter);
    }

    /**
     * An interpreter whose process starts in the background: cells given to it before it is ready wait
     * for it, and a process that cannot start makes them end with an {@code InterpreterUnavailable} error.
     */
    public Interpreter create(InterpreterSpec spec, int executionsSoFar) {
        Interpreter interpreter = new Interpreter(this, spec, executionsSoFar);
        interpreter.launch();
        return interpreter;
    }

    /**
     * Takes a warm process of the spec's runtime and, with namespaces, gives it the view of the spec's sandbox;
     * the caller then makes it the context with {@link #initFrame}. Prepares the sandbox's directory first.
     */
    CompletableFuture<ChildProcess> acquire(InterpreterSpec spec) {
        if (closed) {
            return CompletableFuture.failedFuture(new InterpreterUnavailableException("the node is shutting down", null));
        }
        try {
            if (config.sandbox().namespaces()) {
                users.userOf(spec.sandbox().root()); // the runtime creates the cwd itself, as the sandbox's user
            } else {
                Files.createDirectories(spec.cwd());
            }
        } catch (IOException e) {
            return CompletableFuture.failedFuture(new InterpreterUnavailableException(
                    "cannot prepare working directory " + spec.cwd() + ": " + e, null));
        }
        ChildPool pool = pools.get(spec.language().runtime());
        if (!config.sandbox().namespaces()) {
            return pool.take();
        }
        return pool.take(child -> zygote.confine(child.pid, spec.sandbox()).handle((ok, failure) -> {
            if (failure != null) {
                child.kill();
                throw failure instanceof CompletionException c ? c : new CompletionException(failure);
            }
            return child;
        }));
    }

    ObjectNode initFrame(InterpreterSpec spec) {
        Integer uid = null;
        if (config.sandbox().namespaces()) {
            try {
                uid = users.userOf(spec.sandbox().root());
            } catch (IOException e) {
                throw new InterpreterUnavailableException("cannot prepare sandbox " + spec.sandbox().root() + ": " + e, null);
            }
        }
        return spec.initFrame(config, uid);
    }

    /** Why the spec's sandbox directory is over its disk limit, if it is (checked after every execution). */
    Optional<String> diskQuotaExceeded(InterpreterSpec spec) {
        return quota.exceeded(spec.sandbox().root());
    }

    ScheduledExecutorService timers() {
        return timers;
    }

    private CompletableFuture<ChildProcess> spawn(Language.Runtime runtime) {
        String token = HexFormat.of().formatHex(nextToken());
        CompletableFuture<ChildProcess> hello = new CompletableFuture<>();
        awaitingHello.put(token, hello);
        try {
            zygote.spawn(token, runtime).whenComplete((pid, failure) -> {
                if (failure != null) {
                    awaitingHello.remove(token);
                    hello.completeExceptionally(failure);
                } else {
                    // A process that dies before it connects fails now, not at the hello timeout.
                    zygote.exitOf(pid).thenAccept(status -> {
                        if (hello.completeExceptionally(new InterpreterUnavailableException(
                                "the interpreter process " + status.describe() + " before it connected", null))) {
                            zygote.forget(pid);
                        }
                    });
                }
            });
        } catch (RuntimeException e) {
            awaitingHello.remove(token);
            hello.completeExceptionally(e);
        }
        return hello.orTimeout(HELLO_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .whenComplete((child, failure) -> awaitingHello.remove(token));
    }

    private byte[] nextToken() {
        byte[] token = new byte[16];
        random.nextBytes(token);
        return token;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel channel = server.accept();
                daemon(() -> handshake(channel), "interpreter-reader").start();
            } catch (IOException e) {
                if (!closed) {
                    log.error("interpreter socket accept failed", e);
                }
                return;
            }
        }
    }

    /** Reads the hello of a new connection, hands the child to whoever spawned it, then becomes its reader. */
    private void handshake(SocketChannel channel) {
        ChildProcess child;
        try {
            ObjectNode hello = Frames.read(channel);
            CompletableFuture<ChildProcess> waiting = awaitingHello.remove(hello.path("token").asText());
            if (waiting == null || !"hello".equals(hello.path("ev").asText())) {
                log.warn("rejected interpreter connection with unknown token");
                channel.close();
                return;
            }
            Language.Runtime runtime = Language.Runtime.valueOf(hello.path("runtime").asText().toUpperCase());
            child = new ChildProcess(hello.path("pid").asInt(), runtime, channel, zygote);
            Thread.currentThread().setName("interpreter-" + child.pid);
            waiting.complete(child);
        } catch (IOException | IllegalArgumentException e) {
            log.warn("interpreter handshake failed: {}", e.toString());
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing to release
            }
            return;
        }
        child.readUntilClosed();
    }

    private static Thread daemon(Runnable body, String name) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        pools.values().forEach(ChildPool::killAll);
        zygote.close();
        timers.shutdownNow();
        try {
            server.close();
            Files.deleteIfExists(socketDir.resolve("ctl.sock"));
            Files.deleteIfExists(socketDir);
        } catch (IOException e) {
            log.debug("socket cleanup failed", e);
        }
    }
}
