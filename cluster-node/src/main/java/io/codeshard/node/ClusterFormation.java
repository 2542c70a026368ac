package io.codeshard.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;

/**
 * How a node gets into a cluster (docs/cluster.md): with no discovery method it joins
 * {@code pekko.cluster.seed-nodes}, or itself when there are none (the all-in-one service and the tests);
 * with {@code codeshard.management.discovery} set, pekko-management's Cluster Bootstrap finds the other nodes'
 * management endpoints and the lowest-addressed of the first {@code required-contact-point-nr} forms the cluster.
 */
final class ClusterFormation {
    private static final String DISCOVERY = "codeshard.management.discovery";
    private static final String SEED_ENDPOINTS = "codeshard.management.seed-endpoints";
    private static final String SERVICE_NAME = "pekko.management.cluster.bootstrap.contact-point-discovery.service-name";

    private ClusterFormation() {}

    /**
     * {@code CODESHARD_ROLES=worker} or {@code =worker,gateway} arrives as one string, which HOCON cannot make a
     * list of; both role settings get the list.
     */
    static Config withRoleList(Config config) {
        if (config.getValue("codeshard.roles").valueType() != com.typesafe.config.ConfigValueType.STRING) {
            return config;
        }
        List<String> roles = Arrays.stream(config.getString("codeshard.roles").split(","))
                .map(String::trim).filter(role -> !role.isEmpty()).toList();
        return config.withValue("codeshard.roles", ConfigValueFactory.fromIterable(roles))
                .withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(roles));
    }

    static boolean bootstraps(Config config) {
        return !config.getString(DISCOVERY).isBlank();
    }

    static boolean managementEnabled(Config config) {
        return bootstraps(config) || config.getBoolean("codeshard.management.enabled");
    }

    /**
     * Config with the discovery method selected and, for {@code config} discovery, the endpoints of
     * {@code CODESHARD_SEED_ENDPOINTS} as the service's contact points (HOCON cannot split an env var into a list).
     */
    static Config withDiscovery(Config config) {
        if (!bootstraps(config)) {
            return config;
        }
        String method = config.getString(DISCOVERY).trim();
        Config chosen = config.withValue("pekko.discovery.method", ConfigValueFactory.fromAnyRef(method));
        if (!method.equals("config")) {
            return chosen;
        }
        List<Map<String, Object>> endpoints = parseEndpoints(config.getString(SEED_ENDPOINTS));
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("discovery 'config' needs CODESHARD_SEED_ENDPOINTS (host:managementPort,...)");
        }
        String path = "pekko.discovery.config.services.\"" + config.getString(SERVICE_NAME) + "\".endpoints";
        return chosen.withValue(path, ConfigValueFactory.fromIterable(endpoints));
    }

    /** {@code "127.0.0.1:8558, 127.0.0.1:8559"} as discovery entries {@code {host, port}}. */
    static List<Map<String, Object>> parseEndpoints(String endpoints) {
        return Arrays.stream(endpoints.split(","))
                .map(String::trim)
                .filter(endpoint -> !endpoint.isEmpty())
                .map(ClusterFormation::endpoint)
                .toList();
    }

    private static Map<String, Object> endpoint(String hostAndPort) {
        int colon = hostAndPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostAndPort.length() - 1) {
            throw new IllegalArgumentException("seed endpoint '" + hostAndPort + "' is not host:managementPort");
        }
        return Map.of("host", hostAndPort.substring(0, colon), "port", Integer.parseInt(hostAndPort.substring(colon + 1)));
    }

    /** Starts management HTTP and Bootstrap when configured; otherwise joins itself when no seed nodes are set. */
    static void join(ActorSystem<?> system, Config config) {
        if (managementEnabled(config)) {
            PekkoManagement.get(Adapter.toClassic(system)).start();
        }
        if (bootstraps(config)) {
            ClusterBootstrap.get(Adapter.toClassic(system)).start();
        } else if (config.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
            Cluster cluster = Cluster.get(system);
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
        }
    }
}
