package io.codeshard.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.codeshard.node.context.CodeContext;
import io.codeshard.node.context.ContextDefaults;
import io.codeshard.node.context.ContextService;
import io.codeshard.node.context.Workspaces;
import io.codeshard.node.health.JournalProbe;
import io.codeshard.node.health.NodeRuntime;
import io.codeshard.node.interpreter.InterpreterConfig;
import io.codeshard.node.interpreter.RuntimeHost;
import io.codeshard.node.sandbox.SandboxRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.jdbc.testkit.javadsl.SchemaUtils;

/**
 * One codeshard JVM: an actor system in the cluster, the journal schema, the sharded entities and —
 * on workers — the interpreter host. Mains and tests start nodes through here, so tests run the real wiring.
 */
public final class CodeshardNode implements AutoCloseable {
    private static final String JOURNAL_URL = "pekko-persistence-jdbc.shared-databases.codeshard.db.url";
    private final ActorSystem<Void> system;
    private final RuntimeHost host;
    private final ContextService contexts;
    private final ContextDefaults defaults;
    private final JournalProbe journal;

    private CodeshardNode(ActorSystem<Void> system, RuntimeHost host, Config config) {
        this.system = system;
        this.host = host;
        this.defaults = ContextDefaults.fromConfig(config);
        // a gateway-only node without a journal of its own (embedded H2 default) has nothing to probe
        boolean ownJournal = host != null || !config.getString(JOURNAL_URL).startsWith("jdbc:h2:");
        this.journal = ownJournal ? JournalProbe.start(config) : null;
        this.contexts = new ContextService(system, Duration.ofSeconds(10), defaults, ownJournal ? journal::failure : () -> null);
    }

    /**
     * Starts a node from config. With a discovery method ({@code CODESHARD_DISCOVERY}) it starts pekko-management
     * and Cluster Bootstrap; otherwise a node whose {@code pekko.cluster.seed-nodes} is empty forms a cluster of its
     * own (the all-in-one mode) and one with seeds joins them. See {@link ClusterFormation}.
     */
    public static CodeshardNode start(Config given) throws IOException {
        Config config = ClusterFormation.withDiscovery(ClusterFormation.withRoleList(withAbsoluteDataDir(given)));
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "codeshard", config);
        try {
            boolean worker = config.getStringList("pekko.cluster.roles").contains("worker");
            if (worker) {
                createSchema(system);
            }
            RuntimeHost host = worker ? RuntimeHost.start(InterpreterConfig.fromSystem()) : null;
            int shards = config.getInt("pekko.cluster.sharding.number-of-shards");
            Workspaces workspaces = new Workspaces(Path.of(config.getString("codeshard.data-dir")));
            CodeContext.init(system, new CodeContext.Dependencies(host, workspaces), shards);
            SandboxRegistry.init(system, shards);
            if (host != null) {
                NodeRuntime.get(system).register(host);
                system.getWhenTerminated().thenRun(host::close);
                stopInterpretersWhenDowned(system, host);
            }
            ClusterFormation.join(system, config);
            return new CodeshardNode(system, host, config);
        } catch (Exception e) {
            system.terminate();
            throw new IOException("codeshard node failed to start: " + e.getMessage(), e);
        }
    }

    /** The roles a node started from {@code config} takes ({@code CODESHARD_ROLES} may be a comma-separated string). */
    public static List<String> roles(Config config) {
        return ClusterFormation.withRoleList(config).getStringList("codeshard.roles");
    }

    /**
     * A worker that was downed (the split brain resolver decided it is on the losing side, or it was paused past the
     * others' patience) has lost its contexts to other workers already: its interpreters stop at the first phase of
     * its shutdown rather than run on until the slower phases (leaving, hand-off) time out. A graceful stop (SIGTERM,
     * leave) keeps them until the hand-off, so that running cells can finish.
     */
    private static void stopInterpretersWhenDowned(ActorSystem<?> system, RuntimeHost host) {
        CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
        shutdown.addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "stop-interpreters-when-downed", () -> {
            if (shutdown.getShutdownReason().filter(reason -> reason == CoordinatedShutdown.clusterDowningReason()).isPresent()) {
                system.log().warn("this worker was downed: stopping its interpreters now");
                host.close();
            }
            return CompletableFuture.completedFuture(Done.getInstance());
        });
    }

    /**
     * Creates the journal's tables unless they exist. A database that was started at the same moment (a local cluster,
     * a compose file) may not take connections yet: try for a minute before giving up.
     */
    private static void createSchema(ActorSystem<?> system) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                SchemaUtils.createIfNotExists(system).toCompletableFuture().get(60, TimeUnit.SECONDS);
                return;
            } catch (java.util.concurrent.ExecutionException notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
                system.log().warn("journal schema: {}; trying again", notYet.getCause().getMessage());
                Thread.sleep(1000);
            }
        }
    }

    /**
     * The data directory made absolute, and with it the embedded H2 journal's file URL, which H2 refuses
     * relative ({@code ./codeshard run} from any directory must work).
     */
    static Config withAbsoluteDataDir(Config config) {
        String absolute = Path.of(config.getString("codeshard.data-dir")).toAbsolutePath().normalize().toString();
        Map<String, String> fixed = new HashMap<>(Map.of("codeshard.data-dir", absolute));
        String url = config.getString(JOURNAL_URL);
        String h2File = "jdbc:h2:file:";
        if (url.startsWith(h2File) && !url.startsWith(h2File + "/")) {
            fixed.put(JOURNAL_URL, h2File + Path.of("").toAbsolutePath().resolve(url.substring(h2File.length())).normalize());
        }
        return ConfigFactory.parseMap(fixed).withFallback(config);
    }

    public ActorSystem<Void> system() {
        return system;
    }

    public ContextService contexts() {
        return contexts;
    }

    public ContextDefaults defaults() {
        return defaults;
    }

    /** The interpreter host, or null on a gateway-only node. */
    public RuntimeHost runtimeHost() {
        return host;
    }

    @Override
    public void close() {
        if (journal != null) {
            journal.close();
        }
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            Thread.currentThread().interrupt();
        }
        if (host != null) {
            host.close();
        }
    }
}
