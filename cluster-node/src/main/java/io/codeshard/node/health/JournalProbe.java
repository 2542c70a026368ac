package io.codeshard.node.health;

import com.typesafe.config.Config;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this node can reach the journal's database right now: one connection, checked every second. Creating a
 * context writes to the journal, so while it is unreachable creates are refused at once with 503 + Retry-After
 * instead of waiting for the ask to time out; running contexts are not affected (their execution log catches up).
 */
public final class JournalProbe implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JournalProbe.class);
    private static final String DB = "pekko-persistence-jdbc.shared-databases.codeshard.db.";
    private static final int CHECK_SECONDS = 2;

    private final String url;
    private final String user;
    private final String password;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "codeshard-journal-probe");
        thread.setDaemon(true);
        return thread;
    });
    private volatile String failure;
    private Connection connection;

    private JournalProbe(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    /** Starts probing the journal database configured for this node. */
    public static JournalProbe start(Config config) {
        JournalProbe probe = new JournalProbe(config.getString(DB + "url"), config.getString(DB + "user"), config.getString(DB + "password"));
        probe.timer.scheduleWithFixedDelay(probe::check, 1, 1, TimeUnit.SECONDS);
        return probe;
    }

    /** Null while the journal answers; otherwise why it does not. */
    public String failure() {
        return failure;
    }

    private void check() {
        try {
            if (connection == null || !connection.isValid(CHECK_SECONDS)) {
                closeConnection();
                DriverManager.setLoginTimeout(CHECK_SECONDS);
                connection = DriverManager.getConnection(url, user, password);
            }
            if (failure != null) {
                log.info("the journal database answers again");
            }
            failure = null;
        } catch (SQLException e) {
            if (failure == null) {
                log.warn("the journal database does not answer: {}", e.getMessage());
            }
            failure = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            closeConnection();
        }
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // the connection was broken already
            }
            connection = null;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        closeConnection();
    }
}
