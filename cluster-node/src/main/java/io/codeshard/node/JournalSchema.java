package io.codeshard.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.jdbc.testkit.javadsl.SchemaUtils;

/**
 * {@code ./codeshard schema}: creates pekko-persistence-jdbc's tables in the journal database of the config
 * ({@code CODESHARD_JDBC_*}) unless they exist, so it can run any number of times. A multi-node cluster runs it
 * once before its workers start: workers also create a missing schema at start, but several workers doing that
 * at the same moment race on PostgreSQL.
 */
public final class JournalSchema {
    private JournalSchema() {}

    public static void main(String[] args) throws Exception {
        // A local actor system: applying a schema needs no cluster and must not take the cluster's ports.
        Config config = ConfigFactory.parseString("pekko.actor.provider = local\npekko.loglevel = WARNING")
                .withFallback(ConfigFactory.load());
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "codeshard-schema", config);
        try {
            SchemaUtils.createIfNotExists(system).toCompletableFuture().get(60, TimeUnit.SECONDS);
            System.out.println("journal schema present in " + config.getString("pekko-persistence-jdbc.shared-databases.codeshard.db.url"));
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }
}
