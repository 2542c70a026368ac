package io.codeshard.gateway;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.codeshard.gateway.cloudflare.CloudflareRoutes;
import io.codeshard.gateway.e2b.E2bRoutes;
import io.codeshard.gateway.quota.ContextQuotas;
import io.codeshard.gateway.tenant.ApiKeys;
import io.codeshard.gateway.tenant.Authentication;
import io.codeshard.gateway.v1.UnservedRequests;
import io.codeshard.gateway.v1.V1Routes;
import io.codeshard.node.CodeshardNode;
import io.codeshard.node.context.ContextService;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Starts one codeshard JVM with the roles of {@code codeshard.roles}: {@code worker} hosts contexts,
 * {@code gateway} serves HTTP. Both (the default) is the all-in-one service of {@code ./codeshard run}.
 * A gateway on anything but a loopback address refuses to start without API keys (docs/tenants.md).
 */
public final class Main {
    /** How long the quotas wait for their ledgers, as long as the node's service waits for its entities. */
    private static final Duration QUOTA_ASK_TIMEOUT = Duration.ofSeconds(10);

    private Main() {}

    public static void main(String[] args) throws Exception {
        Config loaded = ConfigFactory.load();
        boolean gateway = CodeshardNode.roles(loaded).contains("gateway");
        String host = loaded.getString("codeshard.gateway.host");
        Optional<ApiKeys> keys = Optional.empty();
        if (gateway) {
            try {
                keys = ApiKeys.forGateway(loaded, host);
            } catch (IllegalStateException refused) {
                System.err.println("codeshard: " + refused.getMessage());
                System.exit(2);
            }
        }
        CodeshardNode node;
        try {
            node = CodeshardNode.start(loaded);
        } catch (Exception | Error e) {
            System.err.println("codeshard: the node could not start: " + e);
            System.exit(1); // threads of a half-started actor system would keep the JVM alive
            return;
        }
        // the node's effective config: roles from CODESHARD_ROLES made a list, discovery settings applied
        Config config = node.system().settings().config();
        Runtime.getRuntime().addShutdownHook(new Thread(node::close, "codeshard-shutdown"));
        exitWhenTheNodeStops(node);
        if (gateway) {
            keys.ifPresent(watched -> watched.watch(node.system(), config.getDuration("codeshard.gateway.auth.reload-interval")));
            Route routes = gatewayRoutes(node, Authentication.of(keys));
            ServerBinding binding = HttpGateway.bind(node.system(), host,
                    config.getInt("codeshard.gateway.port"), routes).toCompletableFuture().get(30, TimeUnit.SECONDS);
            System.out.printf("codeshard listening on http://%s:%d (data dir %s; %s)%n",
                    binding.localAddress().getHostString(), binding.localAddress().getPort(),
                    java.nio.file.Path.of(config.getString("codeshard.data-dir")).toAbsolutePath(),
                    keys.map(checked -> checked.count() + " API keys").orElse("no API keys: loopback only"));
        } else {
            System.out.println("codeshard worker started at " + node.system().address());
        }
    }

    /**
     * A node that stops on its own — downed by the split brain resolver, or removed from the cluster — ends the
     * process (status 1), so its supervisor starts a fresh one that joins again; its interpreters ended with it.
     */
    private static void exitWhenTheNodeStops(CodeshardNode node) {
        node.system().getWhenTerminated().thenRun(() -> new Thread(() -> {
            System.err.println("codeshard: the node left the cluster and stopped; exiting");
            System.exit(1); // during a JVM shutdown (SIGTERM) this waits for the shutdown hooks, which is fine
        }, "codeshard-exit").start());
    }

    /** Every face of a gateway without API keys. */
    public static Route gatewayRoutes(CodeshardNode node) {
        return gatewayRoutes(node, Authentication.none());
    }

    /**
     * Every HTTP face this gateway serves: native, Cloudflare-compatible, E2B-compatible (last: its routes sit at
     * the root), over the node's service with the quotas of {@code codeshard.gateway.quotas}; what none of them serves
     * is answered by {@link UnservedRequests}.
     */
    public static Route gatewayRoutes(CodeshardNode node, Authentication authentication) {
        ContextQuotas.Limits limits = ContextQuotas.Limits.fromConfig(node.system().settings().config());
        ContextService contexts = node.contexts().withAdmission(new ContextQuotas(node.system(), QUOTA_ASK_TIMEOUT, limits));
        return UnservedRequests.around(Directives.concat(
                new V1Routes(contexts, node.defaults(), authentication).route(),
                new CloudflareRoutes(contexts, node.defaults(), authentication).route(),
                new E2bRoutes(contexts, node.defaults(), authentication).route()));
    }
}
