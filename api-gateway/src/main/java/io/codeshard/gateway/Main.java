package io.codeshard.gateway;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.codeshard.gateway.cloudflare.CloudflareRoutes;
import io.codeshard.gateway.e2b.E2bRoutes;
import io.codeshard.gateway.v1.UnservedRequests;
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
        CodeshardNode node = CodeshardNode.start(ConfigFactory.load());
        // the node's effective config: roles from CODESHARD_ROLES made a list, discovery settings applied
        Config config = node.system().settings().config();
        Runtime.getRuntime().addShutdownHook(new Thread(node::close, "codeshard-shutdown"));
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
     * Every HTTP face this gateway serves: native, Cloudflare-compatible, E2B-compatible (last: its routes sit at the
     * root); what none of them serves is answered by {@link UnservedRequests}.
     */
    public static Route gatewayRoutes(CodeshardNode node) {
        return UnservedRequests.around(Directives.concat(
                new V1Routes(node.contexts(), node.defaults()).route(),
                new CloudflareRoutes(node.contexts(), node.defaults()).route(),
                new E2bRoutes(node.contexts(), node.defaults()).route()));
    }
}
