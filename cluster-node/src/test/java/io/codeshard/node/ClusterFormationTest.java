package io.codeshard.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How config chooses between joining itself, seed nodes and Cluster Bootstrap. */
class ClusterFormationTest {
    private static Config load(String overrides) {
        return ConfigFactory.load(ConfigFactory.parseString(overrides).withFallback(ConfigFactory.defaultApplication()));
    }

    @Test
    void theDefaultJoinsItselfWithoutManagement() {
        Config config = load("");
        assertFalse(ClusterFormation.bootstraps(config));
        assertFalse(ClusterFormation.managementEnabled(config));
        assertEquals(config, ClusterFormation.withDiscovery(config));
    }

    @Test
    void configDiscoveryListsTheSeedEndpointsAsTheServicesContactPoints() {
        Config config = ClusterFormation.withDiscovery(load(
                "codeshard.management.discovery = config\ncodeshard.management.seed-endpoints = \"127.0.0.1:8558, 127.0.0.1:8559\""));
        assertTrue(ClusterFormation.managementEnabled(config));
        assertEquals("config", config.getString("pekko.discovery.method"));
        List<? extends Config> endpoints = config.getConfigList("pekko.discovery.config.services.codeshard.endpoints");
        assertEquals(List.of(8558, 8559), endpoints.stream().map(e -> e.getInt("port")).toList());
        assertEquals("127.0.0.1", endpoints.get(0).getString("host"));
    }

    @Test
    void configDiscoveryWithoutEndpointsIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ClusterFormation.withDiscovery(load("codeshard.management.discovery = config")));
        assertThrows(IllegalArgumentException.class, () -> ClusterFormation.parseEndpoints("127.0.0.1"));
    }

    @Test
    void kubernetesDiscoveryOnlySelectsTheMethod() {
        Config config = ClusterFormation.withDiscovery(load("codeshard.management.discovery = kubernetes-api"));
        assertEquals("kubernetes-api", config.getString("pekko.discovery.method"));
    }

    @Test
    void rolesGivenAsOneStringBecomeAList() {
        Config config = ClusterFormation.withRoleList(load("codeshard.roles = \"worker, gateway\""));
        assertEquals(List.of("worker", "gateway"), config.getStringList("codeshard.roles"));
        assertEquals(List.of("worker", "gateway"), config.getStringList("pekko.cluster.roles"));
        assertEquals(Map.of("host", "h", "port", 1), ClusterFormation.parseEndpoints("h:1").get(0));
    }
}
