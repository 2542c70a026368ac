package io.codeshard.gateway.cluster;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A network namespace joined to the host by a veth pair, for the partition scenario: one worker runs inside it
 * ({@code ip netns exec}), everything else on the host side of the pair; {@link #cut()} blackholes the routes both
 * ways, {@link #heal()} removes them. Needs root and iproute2; {@link #available()} tells.
 */
final class NetworkPartition implements AutoCloseable {
    static final String HOST_ADDRESS = "10.213.7.1";
    static final String ISOLATED_ADDRESS = "10.213.7.2";
    private static final String NAMESPACE = "codeshard-part";
    private static final String HOST_LINK = "cs-part0";
    private static final String ISOLATED_LINK = "cs-part1";

    private boolean cut;

    private NetworkPartition() {}

    /** Null when partitions can be made here; otherwise why not. */
    static String unavailableBecause() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "network namespaces need root";
        }
        try {
            LocalCluster.run(List.of("ip", "netns", "list"));
            return null;
        } catch (IOException | InterruptedException e) {
            return "iproute2 cannot manage network namespaces here: " + e.getMessage();
        }
    }

    static NetworkPartition create() throws IOException, InterruptedException {
        runQuietly(List.of("ip", "netns", "delete", NAMESPACE)); // left over by an interrupted run
        runQuietly(List.of("ip", "link", "delete", HOST_LINK));
        LocalCluster.run(List.of("ip", "netns", "add", NAMESPACE));
        LocalCluster.run(List.of("ip", "link", "add", HOST_LINK, "type", "veth", "peer", "name", ISOLATED_LINK));
        LocalCluster.run(List.of("ip", "link", "set", ISOLATED_LINK, "netns", NAMESPACE));
        LocalCluster.run(List.of("ip", "addr", "add", HOST_ADDRESS + "/24", "dev", HOST_LINK));
        LocalCluster.run(List.of("ip", "link", "set", HOST_LINK, "up"));
        LocalCluster.run(inside("ip", "addr", "add", ISOLATED_ADDRESS + "/24", "dev", ISOLATED_LINK));
        LocalCluster.run(inside("ip", "link", "set", ISOLATED_LINK, "up"));
        LocalCluster.run(inside("ip", "link", "set", "lo", "up"));
        return new NetworkPartition();
    }

    /** The cluster's layout: {@code isolated} inside the namespace, every other member on the host address. */
    LocalCluster.Topology topology(String isolated) {
        return new LocalCluster.Topology(HOST_ADDRESS, isolated, ISOLATED_ADDRESS, List.of("ip", "netns", "exec", NAMESPACE));
    }

    /** Drops all traffic between the namespace and the host, both ways. */
    void cut() throws IOException, InterruptedException {
        LocalCluster.run(List.of("ip", "route", "add", "blackhole", ISOLATED_ADDRESS + "/32"));
        LocalCluster.run(inside("ip", "route", "add", "blackhole", HOST_ADDRESS + "/32"));
        cut = true;
    }

    void heal() throws IOException, InterruptedException {
        if (cut) {
            LocalCluster.run(List.of("ip", "route", "delete", "blackhole", ISOLATED_ADDRESS + "/32"));
            LocalCluster.run(inside("ip", "route", "delete", "blackhole", HOST_ADDRESS + "/32"));
            cut = false;
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        heal();
        runQuietly(List.of("ip", "netns", "delete", NAMESPACE));
        runQuietly(List.of("ip", "link", "delete", HOST_LINK));
    }

    private static List<String> inside(String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", NAMESPACE));
        full.addAll(List.of(command));
        return full;
    }

    private static void runQuietly(List<String> command) throws InterruptedException {
        try {
            LocalCluster.run(command);
        } catch (IOException ignored) {
            // nothing to clean up
        }
    }
}
