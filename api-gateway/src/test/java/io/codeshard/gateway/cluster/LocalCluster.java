package io.codeshard.gateway.cluster;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real multi-node cluster for tests, from the test classpath: a private PostgreSQL 15 (initdb/pg_ctl, as the
 * {@code postgres} user through setpriv when root), N worker JVMs and M gateway JVMs of {@code Main} on loopback,
 * formed by Cluster Bootstrap with config discovery — what {@code ./codeshard cluster up} starts.
 */
final class LocalCluster implements AutoCloseable {
    private static final String PG_BIN = "/usr/lib/postgresql/15/bin";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** One member JVM; {@code httpPort} is 0 on workers; {@code host} is the address its cluster and management ports use. */
    record Member(String name, String host, Process process, int managementPort, int httpPort, List<String> command,
                  Map<String, String> env) {
        String url() {
            return "http://127.0.0.1:" + httpPort;
        }

        String management() {
            return "http://" + host + ":" + managementPort;
        }
    }

    /**
     * Where members listen: every member on {@code address}, except {@code isolated} (may be null), which listens on
     * {@code isolatedAddress} and is started behind {@code isolatedLauncher} (e.g. {@code ip netns exec ns}).
     */
    record Topology(String address, String isolated, String isolatedAddress, List<String> isolatedLauncher) {
        static final Topology LOOPBACK = new Topology("127.0.0.1", null, null, List.of());

        String addressOf(String member) {
            return member.equals(isolated) ? isolatedAddress : address;
        }

        List<String> launch(String member, List<String> command) {
            if (!member.equals(isolated)) {
                return command;
            }
            List<String> full = new ArrayList<>(isolatedLauncher);
            full.addAll(command);
            return full;
        }
    }

    private final Path dir;
    private final Path pgDir;
    private final Topology topology;
    private int pgPort;
    private final Map<String, Member> members = new LinkedHashMap<>();

    private LocalCluster(Path dir, Path pgDir, Topology topology) {
        this.dir = dir;
        this.pgDir = pgDir;
        this.topology = topology;
    }

    static LocalCluster start(int workers, int gateways) throws Exception {
        return start(workers, gateways, Topology.LOOPBACK);
    }

    static LocalCluster start(int workers, int gateways, Topology topology) throws Exception {
        Path dir = Files.createTempDirectory("codeshard-cluster-test-");
        Path pgDir = Files.createTempDirectory(Path.of("/tmp"), "codeshard-pg-");
        LocalCluster cluster = new LocalCluster(dir, pgDir, topology);
        try {
            String jdbcUrl = cluster.startPostgres();
            cluster.applySchema(jdbcUrl);
            List<Integer> workerManagement = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                workerManagement.add(freePort());
            }
            List<String> endpoints = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                endpoints.add(topology.addressOf("worker-" + (i + 1)) + ":" + workerManagement.get(i));
            }
            String seeds = String.join(",", endpoints);
            for (int i = 1; i <= workers; i++) {
                cluster.startMember("worker-" + i, "worker", workerManagement.get(i - 1), 0, seeds, workers, jdbcUrl);
            }
            for (int i = 1; i <= gateways; i++) {
                cluster.startMember("gateway-" + i, "gateway", freePort(), freePort(), seeds, workers, jdbcUrl);
            }
            cluster.awaitReady(Duration.ofSeconds(180));
            return cluster;
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
    }

    Member member(String name) {
        return members.get(name);
    }

    List<Member> workers() {
        return members.values().stream().filter(m -> m.httpPort() == 0).toList();
    }

    List<Member> gateways() {
        return members.values().stream().filter(m -> m.httpPort() != 0).toList();
    }

    /** GET on a member's management HTTP; null when it does not answer 200. */
    static String management(Member member, String path) {
        try {
            HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(member.management() + path))
                    .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
            return answer.statusCode() == 200 ? answer.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    Path log(String name) {
        return dir.resolve(name + ".log");
    }

    private String startPostgres() throws Exception {
        Path data = pgDir.resolve("data");
        Files.createDirectories(pgDir.resolve("sock"));
        pgPort = freePort();
        if (isRoot()) {
            run(List.of("chown", "-R", "postgres:postgres", pgDir.toString()));
        }
        run(asPostgres(PG_BIN + "/initdb", "-D", data.toString(), "-U", "codeshard", "--auth=trust", "-E", "UTF8"));
        if (!topology.address().equals("127.0.0.1")) {
            Files.writeString(data.resolve("pg_hba.conf"), "host all all " + topology.address() + "/24 trust\n", StandardOpenOption.APPEND);
        }
        resumePostgres();
        return "jdbc:postgresql://" + topology.address() + ":" + pgPort + "/postgres";
    }

    /** Stops the journal's PostgreSQL (fast shutdown: open connections are cut). */
    void stopPostgres() throws IOException, InterruptedException {
        run(asPostgres(PG_BIN + "/pg_ctl", "-D", pgDir.resolve("data").toString(), "-m", "fast", "-w", "stop"));
    }

    /** Starts the journal's PostgreSQL again, on the same port. */
    void resumePostgres() throws IOException, InterruptedException {
        run(asPostgres(PG_BIN + "/pg_ctl", "-D", pgDir.resolve("data").toString(), "-l", pgDir.resolve("postgres.log").toString(),
                "-w", "-t", "60", "-o", "-p " + pgPort + " -k " + pgDir.resolve("sock") + " -c listen_addresses=" + listenAddresses(), "start"));
    }

    private String listenAddresses() {
        return topology.address().equals("127.0.0.1") ? "127.0.0.1" : "127.0.0.1," + topology.address();
    }

    /** Once, before the workers start: several workers creating a missing schema at the same moment race. */
    private void applySchema(String jdbcUrl) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.codeshard.node.JournalSchema");
        journalEnv(builder.environment(), jdbcUrl);
        Process process = builder.redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IOException("journal schema failed: " + output);
        }
    }

    private static void journalEnv(Map<String, String> env, String jdbcUrl) {
        env.put("CODESHARD_JDBC_PROFILE", "slick.jdbc.PostgresProfile$");
        env.put("CODESHARD_JDBC_DRIVER", "org.postgresql.Driver");
        env.put("CODESHARD_JDBC_URL", jdbcUrl);
        env.put("CODESHARD_JDBC_USER", "codeshard");
    }

    private void startMember(String name, String role, int managementPort, int httpPort, String seeds, int workers, String jdbcUrl)
            throws IOException {
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "-Dcodeshard.runtime.dir=" + System.getProperty("codeshard.runtime.dir"),
                "io.codeshard.gateway.Main");
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CODESHARD_ROLES", role);
        env.put("CODESHARD_CLUSTER_HOST", topology.addressOf(name));
        env.put("CODESHARD_MANAGEMENT_HOST", topology.addressOf(name));
        env.put("CODESHARD_DATA_DIR", Files.createDirectories(dir.resolve(name)).toString());
        env.put("CODESHARD_CLUSTER_PORT", String.valueOf(freePort()));
        env.put("CODESHARD_MANAGEMENT_PORT", String.valueOf(managementPort));
        env.put("CODESHARD_DISCOVERY", "config");
        env.put("CODESHARD_SEED_ENDPOINTS", seeds);
        env.put("CODESHARD_REQUIRED_CONTACT_POINTS", String.valueOf(workers));
        journalEnv(env, jdbcUrl);
        if (httpPort != 0) {
            env.put("CODESHARD_HTTP_PORT", String.valueOf(httpPort));
        }
        launch(new Member(name, topology.addressOf(name), null, managementPort, httpPort, topology.launch(name, command), env));
    }

    private Member launch(Member spec) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(spec.command())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log(spec.name()).toFile()));
        builder.environment().putAll(spec.env());
        Member started = new Member(spec.name(), spec.host(), builder.start(), spec.managementPort(), spec.httpPort(), spec.command(), spec.env());
        members.put(spec.name(), started);
        return started;
    }

    /** Starts a member again (after it died or was stopped), with its ports and settings, and waits until it is ready. */
    Member restart(String name, Duration timeout) throws Exception {
        Member old = members.get(name);
        if (old.process().isAlive()) {
            throw new IllegalStateException(name + " is still running");
        }
        Member started = launch(old);
        awaitReady(started, System.nanoTime() + timeout.toNanos());
        return started;
    }

    /** Sends a signal (STOP, CONT, TERM, KILL) to a member's JVM. */
    void signal(String name, String signal) throws IOException, InterruptedException {
        run(List.of("kill", "-" + signal, String.valueOf(members.get(name).process().pid())));
    }

    /** The processes started by a member's JVM, and theirs (its interpreter launcher and interpreters), now. */
    static List<Long> descendants(Member member) {
        List<Long> found = new ArrayList<>();
        List<Long> parents = new ArrayList<>(List.of(member.process().pid()));
        while (!parents.isEmpty()) {
            long parent = parents.remove(0);
            ProcessHandle.of(parent).ifPresent(handle -> handle.children().forEach(child -> {
                found.add(child.pid());
                parents.add(child.pid());
            }));
        }
        return found;
    }

    private void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Member member : members.values()) {
            awaitReady(member, deadline);
        }
    }

    private void awaitReady(Member member, long deadline) throws Exception {
        while (management(member, "/ready") == null) {
            if (!member.process().isAlive()) {
                throw new IOException(member.name() + " exited; see " + log(member.name()));
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(member.name() + " not ready; see " + log(member.name()));
            }
            Thread.sleep(250);
        }
    }

    @Override
    public void close() throws Exception {
        for (Member member : members.values()) {
            if (member.process().isAlive()) {
                signal(member.name(), "CONT"); // a paused member would not stop
            }
            member.process().destroy();
        }
        for (Member member : members.values()) {
            if (!member.process().waitFor(20, TimeUnit.SECONDS)) {
                member.process().destroyForcibly().waitFor();
            }
        }
        if (Files.exists(pgDir.resolve("data/postmaster.pid"))) {
            stopPostgres();
        }
        run(List.of("rm", "-rf", pgDir.toString()));
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** initdb refuses root: as root, run PostgreSQL's binaries as the postgres user. */
    private static List<String> asPostgres(String... command) {
        List<String> full = new ArrayList<>();
        if (isRoot()) {
            full.addAll(List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"));
        }
        full.addAll(List.of(command));
        return full;
    }

    /** Runs a command to its end; a non-zero status is an IOException with its output. */
    static void run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
