package io.codeshard.gateway;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.codeshard.gateway.cloudflare.CloudflareRoutes;
import io.codeshard.gateway.e2b.E2bRoutes;
import io.codeshard.gateway.v1.V1Routes;
import io.codeshard.node.CodeshardNode;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Starts one codeshard JVM with the roles of {@code codeshard.roles}: {@code worker} hosts contexts,
 * {@code gateway} serves HTTP. Both (the default) is the all-in-one service of {@code ./codeshard run}.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        CodeshardNode node;
        try {
            node = CodeshardNode.start(ConfigFactory.load());
        } catch (Exception | Error e) {
            System.err.println("codeshard: the node could not start: " + e);
            System.exit(1); // threads of a half-started actor system would keep the JVM alive
            return;
        }
        // the node's effective config: roles from CODESHARD_ROLES made a list, discovery settings applied
        Config config = node.system().settings().config();
        Runtime.getRuntime().addShutdownHook(new Thread(node::close, "codeshard-shutdown"));
        exitWhenTheNodeStops(node);
        if (config.getStringList("codeshard.roles").contains("gateway")) {
            Route routes = gatewayRoutes(node);
            ServerBinding binding = HttpGateway.bind(node.system(), config.getString("codeshard.gateway.host"),
                    config.getInt("codeshard.gateway.port"), routes).toCompletableFuture().get(30, TimeUnit.SECONDS);
            System.out.printf("codeshard listening on http://%s:%d (data dir %s)%n",
                    binding.localAddress().getHostString(), binding.localAddress().getPort(),
                    java.nio.file.Path.of(config.getString("codeshard.data-dir")).toAbsolutePath());
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

    /** Every HTTP face this gateway serves: native, Cloudflare-compatible, E2B-compatible (last: its routes sit at the root). */
    public static Route gatewayRoutes(CodeshardNode node) {
        return Directives.concat(
                new V1Routes(node.contexts(), node.defaults()).route(),
                new CloudflareRoutes(node.contexts(), node.defaults()).route(),
                new E2bRoutes(node.contexts(), node.defaults()).route());
    }
}
