package io.codeshard.gateway;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.codeshard.node.CodeshardNode;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Real codeshard nodes for tests: a fresh data directory (so a fresh H2 journal), a free Artery port, and
 * {@code serialize-messages = on}, which sends every message through the Kryo serializer as if it crossed the wire.
 */
public final class TestNodes {
    private TestNodes() {}

    public static CodeshardNode start(String extraConfig) throws Exception {
        Path dataDir = Files.createTempDirectory("codeshard-test-node-");
        // Layered under application.conf before resolving, so that values derived from the data dir
        // (the H2 journal's URL) follow it; a resolved ConfigFactory.load() would keep the default's.
        Config config = ConfigFactory.load(ConfigFactory.parseString(
                        "codeshard.data-dir = \"" + dataDir + "\"\n"
                                + "pekko.remote.artery.canonical.port = 0\n"
                                + "pekko.actor.serialize-messages = on\n"
                                + "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on\n"
                                + "pekko.loglevel = WARNING\n"
                                + extraConfig)
                .withFallback(ConfigFactory.defaultApplication()));
        return CodeshardNode.start(config);
    }
}
