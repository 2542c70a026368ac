package io.codeshard.gateway.deploy;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The container and Kubernetes files (docker/, deploy/) checked without a Docker engine or a Kubernetes cluster:
 * they parse, name what exists (build inputs, main classes, Secrets, ports, service accounts), give workers and
 * gateways probes and the access Cluster Bootstrap needs, and use only the environment variables deploy/README.md
 * documents.
 */
class DeploymentFilesTest {
    /** Tests run in api-gateway/; the repository root is the images' build context. */
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path KUBERNETES = ROOT.resolve("deploy/kubernetes");
    private static final Path COMPOSE = ROOT.resolve("docker/compose.yaml");
    private static final List<String> DOCKERFILES = List.of("docker/worker.Dockerfile", "docker/gateway.Dockerfile");
    private static final Set<String> WORKLOADS = Set.of("StatefulSet", "Deployment", "Job");
    private static final Pattern MAIN_CLASS = Pattern.compile("io\\.codeshard\\.[a-zA-Z0-9_.]+");
    private static final Pattern DOCUMENTED_VARIABLE = Pattern.compile("^\\| `([A-Z][A-Z0-9_]*)` \\|", Pattern.MULTILINE);
    private static final YAMLMapper YAML = new YAMLMapper();

    @Test
    void everyManifestHasApiVersionKindAndNameAndIsListedInTheKustomization() {
        assertTrue(Files.isRegularFile(ROOT.resolve("pom.xml")), "repository root not found from " + Path.of("").toAbsolutePath());
        List<JsonNode> documents = manifests();
        assertFalse(documents.isEmpty(), "no manifests in " + KUBERNETES);
        for (JsonNode document : documents) {
            String where = document.path("kind").asText("?") + " " + document.path("metadata").path("name").asText("?");
            assertAll(where,
                    () -> assertTrue(document.path("apiVersion").isTextual(), "apiVersion"),
                    () -> assertTrue(document.path("kind").isTextual(), "kind"),
                    () -> assertFalse(document.path("metadata").path("name").asText().isBlank(), "metadata.name"),
                    () -> assertTrue(document.path("metadata").path("namespace").isMissingNode(), "manifests stay namespace-less"));
        }
        JsonNode kustomization = read(KUBERNETES.resolve("kustomization.yaml")).get(0);
        assertEquals("Kustomization", kustomization.path("kind").asText());
        Set<String> listed = new TreeSet<>();
        kustomization.path("resources").forEach(resource -> listed.add(resource.asText()));
        Set<String> present = new TreeSet<>();
        for (Path file : yamlFiles(KUBERNETES)) {
            if (!file.getFileName().toString().equals("kustomization.yaml")) {
                present.add(KUBERNETES.relativize(file).toString());
            }
        }
        assertEquals(present, listed, "kustomization.yaml lists every manifest, and only existing ones");
    }

    @Test
    void workersAndGatewaysHaveProbesOnTheManagementPortAndResources() {
        Map<String, JsonNode> byRole = new LinkedHashMap<>();
        for (JsonNode workload : workloads("StatefulSet", "Deployment")) {
            for (JsonNode container : containers(workload)) {
                String role = env(container).path("CODESHARD_ROLES").path("value").asText();
                String where = workload.path("metadata").path("name").asText() + "/" + container.path("name").asText();
                assertFalse(role.isBlank(), where + " sets CODESHARD_ROLES");
                byRole.put(role, container);
                Map<String, Integer> ports = containerPorts(container);
                int management = Integer.parseInt(env(container).path("CODESHARD_MANAGEMENT_PORT").path("value").asText("-1"));
                assertEquals(Integer.valueOf(management), ports.get("management"),
                        where + ": the container port named 'management' is CODESHARD_MANAGEMENT_PORT");
                assertProbe(where, container, "readinessProbe", "/ready", management);
                assertProbe(where, container, "livenessProbe", "/alive", management);
                JsonNode resources = container.path("resources");
                assertAll(where + " resources",
                        () -> assertTrue(resources.path("requests").has("cpu"), "cpu request"),
                        () -> assertTrue(resources.path("requests").has("memory"), "memory request"),
                        () -> assertTrue(resources.path("limits").has("memory"), "memory limit"));
            }
        }
        assertEquals(Set.of("worker", "gateway"), byRole.keySet(), "one workload per role");
        JsonNode gateway = byRole.get("gateway");
        assertEquals("0.0.0.0", env(gateway).path("CODESHARD_HTTP_HOST").path("value").asText(), "gateway binds every interface");
        assertEquals(containerPorts(gateway).get("http"),
                Integer.valueOf(env(gateway).path("CODESHARD_HTTP_PORT").path("value").asText()),
                "the gateway's port named 'http' is CODESHARD_HTTP_PORT");
    }

    @Test
    void clusterBootstrapFindsThePodsOfTheActorSystemThroughTheKubernetesApi() {
        JsonNode worker = single(workloads("StatefulSet", "Deployment"), "worker");
        int workers = worker.path("spec").path("replicas").asInt();
        assertTrue(workers >= 3, "at least 3 workers (Split Brain Resolver keeps a majority)");
        for (JsonNode workload : workloads("StatefulSet", "Deployment")) {
            String name = workload.path("metadata").path("name").asText();
            JsonNode template = workload.path("spec").path("template");
            // pekko.discovery.kubernetes-api.pod-label-selector = "app=%s", %s = the actor system name
            assertEquals("codeshard", template.path("metadata").path("labels").path("app").asText(), name + " pods carry app=codeshard");
            assertLabelsMatch(name, workload.path("spec").path("selector").path("matchLabels"), template.path("metadata").path("labels"));
            for (JsonNode container : containers(workload)) {
                JsonNode env = env(container);
                assertEquals("kubernetes-api", env.path("CODESHARD_DISCOVERY").path("value").asText(), name + " discovery");
                int required = env.path("CODESHARD_REQUIRED_CONTACT_POINTS").path("value").asInt(-1);
                assertTrue(required >= 2 && required <= workers, name + ": required contact points between 2 and the worker count");
                for (String host : List.of("CODESHARD_CLUSTER_HOST", "CODESHARD_MANAGEMENT_HOST")) {
                    assertEquals("status.podIP", env.path(host).path("valueFrom").path("fieldRef").path("fieldPath").asText(),
                            name + ": " + host + " is the pod IP, what discovery returns");
                }
            }
            String account = template.path("spec").path("serviceAccountName").asText();
            assertTrue(canReadPods(account), name + ": service account '" + account + "' may get, watch and list pods");
        }
        if (worker.path("kind").asText().equals("StatefulSet")) {
            assertEquals("Parallel", worker.path("spec").path("podManagementPolicy").asText(),
                    "workers start together: none is ready before enough contact points exist");
        }
    }

    @Test
    void rbacLetsTheServiceAccountGetWatchAndListPods() {
        JsonNode role = only(manifests(), "Role");
        boolean pods = false;
        for (JsonNode rule : role.path("rules")) {
            if (texts(rule.path("apiGroups")).contains("") && texts(rule.path("resources")).contains("pods")) {
                pods = texts(rule.path("verbs")).containsAll(Set.of("get", "watch", "list"));
            }
        }
        assertTrue(pods, "Role allows get, watch, list on pods");
        assertTrue(canReadPods(only(manifests(), "ServiceAccount").path("metadata").path("name").asText()));
    }

    @Test
    void servicesSelectPodsAndTargetTheirPorts() {
        List<JsonNode> services = manifests().stream().filter(d -> d.path("kind").asText().equals("Service")).toList();
        assertFalse(services.isEmpty());
        for (JsonNode service : services) {
            String name = service.path("metadata").path("name").asText();
            JsonNode selector = service.path("spec").path("selector");
            List<JsonNode> selected = workloads("StatefulSet", "Deployment").stream()
                    .filter(w -> labelsMatch(selector, w.path("spec").path("template").path("metadata").path("labels")))
                    .toList();
            assertEquals(1, selected.size(), "Service " + name + " selects the pods of one workload");
            Map<String, Integer> ports = new LinkedHashMap<>();
            containers(selected.get(0)).forEach(container -> ports.putAll(containerPorts(container)));
            for (JsonNode port : service.path("spec").path("ports")) {
                JsonNode target = port.has("targetPort") ? port.path("targetPort") : port.path("port");
                boolean exists = target.isInt() ? ports.containsValue(target.asInt()) : ports.containsKey(target.asText());
                assertTrue(exists, "Service " + name + " port " + port.path("name").asText() + " targets a container port");
            }
        }
        JsonNode worker = single(workloads("StatefulSet", "Deployment"), "worker");
        if (worker.path("kind").asText().equals("StatefulSet")) {
            String governing = worker.path("spec").path("serviceName").asText();
            JsonNode headless = services.stream().filter(s -> s.path("metadata").path("name").asText().equals(governing))
                    .findFirst().orElseThrow(() -> new AssertionError("the workers' serviceName " + governing + " is a Service"));
            assertEquals("None", headless.path("spec").path("clusterIP").asText(), "the workers' Service is headless");
        }
    }

    @Test
    void disruptionBudgetsLetOneWorkerGoAtATimeAndKeepAGateway() {
        List<JsonNode> budgets = manifests().stream().filter(d -> d.path("kind").asText().equals("PodDisruptionBudget")).toList();
        JsonNode worker = single(workloads("StatefulSet", "Deployment"), "worker");
        JsonNode gateway = single(workloads("StatefulSet", "Deployment"), "gateway");
        JsonNode workerBudget = budgets.stream().filter(b -> labelsMatch(b.path("spec").path("selector").path("matchLabels"),
                worker.path("spec").path("template").path("metadata").path("labels"))
                && !labelsMatch(b.path("spec").path("selector").path("matchLabels"),
                gateway.path("spec").path("template").path("metadata").path("labels"))).findFirst()
                .orElseThrow(() -> new AssertionError("a PodDisruptionBudget selects the workers only"));
        assertEquals(1, workerBudget.path("spec").path("maxUnavailable").asInt(), "one worker at a time");
        assertTrue(budgets.stream().anyMatch(b -> labelsMatch(b.path("spec").path("selector").path("matchLabels"),
                gateway.path("spec").path("template").path("metadata").path("labels"))
                && b.path("spec").path("minAvailable").asInt() >= 1), "a PodDisruptionBudget keeps a gateway");
    }

    @Test
    void secretsReferencedByContainersExistWithTheirKeys() {
        Map<String, Set<String>> secrets = new LinkedHashMap<>();
        for (JsonNode secret : manifests().stream().filter(d -> d.path("kind").asText().equals("Secret")).toList()) {
            Set<String> keys = new TreeSet<>();
            secret.path("stringData").fieldNames().forEachRemaining(keys::add);
            secret.path("data").fieldNames().forEachRemaining(keys::add);
            secrets.put(secret.path("metadata").path("name").asText(), keys);
        }
        int references = 0;
        for (JsonNode workload : workloads(WORKLOADS.toArray(String[]::new))) {
            for (JsonNode container : containers(workload)) {
                for (JsonNode variable : container.path("env")) {
                    JsonNode ref = variable.path("valueFrom").path("secretKeyRef");
                    if (!ref.isMissingNode()) {
                        references++;
                        assertTrue(secrets.getOrDefault(ref.path("name").asText(), Set.of()).contains(ref.path("key").asText()),
                                variable.path("name").asText() + " refers to an existing Secret key");
                    }
                }
            }
        }
        assertTrue(references > 0, "the journal's credentials come from a Secret");
        assertFalse(containers(single(workloads("Deployment"), "gateway")).get(0).path("env").toString().contains("CODESHARD_JDBC"),
                "gateways get no journal credentials");
    }

    @Test
    void containersUseOnlyDocumentedEnvironmentVariables() {
        Set<String> documented = documentedVariables();
        assertTrue(documented.contains("CODESHARD_ROLES"), "deploy/README.md documents the variables in a table");
        Set<String> undocumented = new TreeSet<>();
        for (JsonNode workload : workloads(WORKLOADS.toArray(String[]::new))) {
            for (JsonNode container : containers(workload)) {
                container.path("env").forEach(variable -> undocumented.add(variable.path("name").asText()));
            }
        }
        for (JsonNode service : codeshardServices().values()) {
            service.path("environment").fieldNames().forEachRemaining(undocumented::add);
        }
        for (String dockerfile : DOCKERFILES) {
            for (Instruction env : dockerfile(dockerfile).stream().filter(i -> i.keyword().equals("ENV")).toList()) {
                Matcher names = Pattern.compile("(?:^|\\s)([A-Za-z_][A-Za-z0-9_]*)=").matcher(env.arguments());
                while (names.find()) {
                    undocumented.add(names.group(1));
                }
            }
        }
        undocumented.removeAll(documented);
        assertEquals(Set.of(), undocumented, "environment variables missing from deploy/README.md");
    }

    @Test
    void journalSettingsNameClassesOnTheClasspath() throws Exception {
        Set<String> values = new TreeSet<>();
        for (JsonNode workload : workloads(WORKLOADS.toArray(String[]::new))) {
            for (JsonNode container : containers(workload)) {
                JsonNode env = env(container);
                for (String name : List.of("CODESHARD_JDBC_PROFILE", "CODESHARD_JDBC_DRIVER")) {
                    if (env.has(name)) {
                        values.add(env.path(name).path("value").asText());
                    }
                }
            }
        }
        for (JsonNode service : codeshardServices().values()) {
            for (String name : List.of("CODESHARD_JDBC_PROFILE", "CODESHARD_JDBC_DRIVER")) {
                JsonNode value = service.path("environment").path(name);
                if (!value.isMissingNode()) {
                    values.add(value.asText().replace("$$", "$")); // compose escapes $ as $$
                }
            }
        }
        assertEquals(Set.of("slick.jdbc.PostgresProfile$", "org.postgresql.Driver"), values);
        for (String className : values) {
            Class.forName(className, false, getClass().getClassLoader());
        }
    }

    @Test
    void composeRunsThreeWorkersAndAGatewayOnPostgres() {
        JsonNode services = read(COMPOSE).get(0).path("services");
        JsonNode postgres = services.path("postgres");
        assertTrue(postgres.path("image").asText().startsWith("postgres:"), "a PostgreSQL service");
        assertTrue(postgres.has("healthcheck"), "PostgreSQL has a health check");
        Map<String, JsonNode> codeshard = codeshardServices();
        List<String> workers = codeshard.entrySet().stream()
                .filter(e -> e.getValue().path("environment").path("CODESHARD_ROLES").asText().equals("worker"))
                .map(Map.Entry::getKey).toList();
        List<String> gateways = codeshard.entrySet().stream()
                .filter(e -> e.getValue().path("environment").path("CODESHARD_ROLES").asText().equals("gateway"))
                .map(Map.Entry::getKey).toList();
        assertEquals(3, workers.size(), "3 workers");
        assertEquals(1, gateways.size(), "1 gateway");

        Set<String> endpoints = new TreeSet<>();
        for (String worker : workers) {
            JsonNode env = services.path(worker).path("environment");
            String host = env.path("CODESHARD_CLUSTER_HOST").asText();
            assertEquals(services.path(worker).path("hostname").asText(worker), host, worker + " advertises its own name");
            assertEquals(host, env.path("CODESHARD_MANAGEMENT_HOST").asText(), worker + " advertises management at the same name");
            endpoints.add(host + ":" + env.path("CODESHARD_MANAGEMENT_PORT").asText());
            assertTrue(env.path("CODESHARD_JDBC_URL").asText().startsWith("jdbc:postgresql://postgres:"), worker + " journals to the postgres service");
        }
        for (JsonNode service : codeshard.values()) {
            JsonNode env = service.path("environment");
            if (env.has("CODESHARD_ROLES")) {
                assertEquals("config", env.path("CODESHARD_DISCOVERY").asText());
                assertEquals(endpoints, new TreeSet<>(List.of(env.path("CODESHARD_SEED_ENDPOINTS").asText().split(","))),
                        "seed endpoints are the workers' management endpoints");
                assertEquals(String.valueOf(workers.size()), env.path("CODESHARD_REQUIRED_CONTACT_POINTS").asText());
            }
        }

        JsonNode gateway = services.path(gateways.get(0));
        String port = gateway.path("environment").path("CODESHARD_HTTP_PORT").asText();
        assertEquals("0.0.0.0", gateway.path("environment").path("CODESHARD_HTTP_HOST").asText());
        assertEquals(List.of("127.0.0.1:8080:" + port), texts(gateway.path("ports")).stream().toList(), "HTTP published on loopback only");
        for (String worker : workers) {
            assertEquals("service_healthy", gateway.path("depends_on").path(worker).path("condition").asText(), "gateway waits for " + worker);
        }

        String schemaJob = workers.stream().map(w -> services.path(w).path("depends_on").fieldNames().next()).distinct()
                .reduce((a, b) -> fail("workers wait for different services")).orElseThrow();
        for (String worker : workers) {
            assertEquals("service_completed_successfully", services.path(worker).path("depends_on").path(schemaJob).path("condition").asText(),
                    worker + " starts after the schema job");
        }
        assertEquals("service_healthy", services.path(schemaJob).path("depends_on").path("postgres").path("condition").asText());

        Set<String> names = new TreeSet<>();
        services.fieldNames().forEachRemaining(names::add);
        services.properties().forEach(service -> {
            service.getValue().path("depends_on").fieldNames().forEachRemaining(dependency ->
                    assertTrue(names.contains(dependency), service.getKey() + " depends on an existing service"));
            JsonNode build = service.getValue().path("build");
            if (!build.isMissingNode()) {
                Path context = COMPOSE.getParent().resolve(build.path("context").asText(".")).normalize();
                assertEquals(ROOT, context, service.getKey() + " builds from the repository root");
                assertTrue(Files.isRegularFile(context.resolve(build.path("dockerfile").asText())), service.getKey() + " Dockerfile exists");
            }
            if (codeshard.containsKey(service.getKey())) {
                String image = service.getValue().path("image").asText();
                boolean built = codeshard.values().stream().anyMatch(s -> s.path("image").asText().equals(image) && s.has("build"));
                assertTrue(built, service.getKey() + ": image " + image + " is built by a service of this file");
            }
        });
    }

    @Test
    void dockerfilesBuildFromTheRepositoryAndRunTheNodeAsANonRootUser() {
        for (String name : DOCKERFILES) {
            List<Instruction> instructions = dockerfile(name);
            assertAll(name, () -> {
                assertEquals("FROM", instructions.stream().filter(i -> !i.keyword().equals("ARG")).findFirst().orElseThrow().keyword(),
                        "the first stage starts with FROM");
                Set<String> stages = new LinkedHashSet<>();
                List<Instruction> lastStage = new ArrayList<>();
                for (Instruction instruction : instructions) {
                    switch (instruction.keyword()) {
                        case "FROM" -> {
                            String[] words = instruction.arguments().split("\\s+");
                            assertFalse(words[0].isBlank() || words[0].startsWith("--"), "FROM names an image: " + instruction.arguments());
                            if (words.length >= 3 && words[1].equalsIgnoreCase("AS")) {
                                stages.add(words[2]);
                            }
                            lastStage.clear();
                        }
                        case "COPY", "ADD" -> assertSources(name, instruction, stages);
                        default -> { }
                    }
                    lastStage.add(instruction);
                }
                String user = lastStage.stream().filter(i -> i.keyword().equals("USER")).reduce((a, b) -> b)
                        .map(Instruction::arguments).orElseThrow(() -> new AssertionError("the image sets a USER")).split(":")[0].trim();
                assertFalse(user.equals("root") || user.equals("0"), "the image runs as a non-root user, not " + user);
                assertTrue(lastStage.stream().anyMatch(i -> i.keyword().equals("HEALTHCHECK") && i.arguments().contains("CMD")), "HEALTHCHECK");
                assertTrue(lastStage.stream().anyMatch(i -> i.keyword().equals("EXPOSE")), "EXPOSE");
                Instruction entrypoint = lastStage.stream().filter(i -> i.keyword().equals("ENTRYPOINT")).reduce((a, b) -> b)
                        .orElseThrow(() -> new AssertionError("ENTRYPOINT"));
                List<String> argv = texts(YAML.readTree(entrypoint.arguments())).stream().toList(); // exec form is JSON
                assertEquals("io.codeshard.gateway.Main", argv.get(argv.size() - 1), "the entry point runs the node's Main");
                assertMainClassesExist(entrypoint.arguments(), "api-gateway");
                assertTrue(Files.isRegularFile(ROOT.resolve(name + ".dockerignore")),
                        "BuildKit reads " + name + ".dockerignore for a Dockerfile outside the context root");
            });
            String exposed = dockerfile(name).stream().filter(i -> i.keyword().equals("EXPOSE")).map(Instruction::arguments)
                    .reduce("", (a, b) -> a + " " + b);
            String healthcheck = dockerfile(name).stream().filter(i -> i.keyword().equals("HEALTHCHECK")).findFirst().orElseThrow().arguments();
            String env = dockerfile(name).stream().filter(i -> i.keyword().equals("ENV")).map(Instruction::arguments)
                    .reduce("", (a, b) -> a + " " + b);
            Matcher port = Pattern.compile("\\$\\{(CODESHARD_[A-Z_]+_PORT)}").matcher(healthcheck);
            assertTrue(port.find(), name + ": the HEALTHCHECK uses the configured port");
            Matcher value = Pattern.compile(port.group(1) + "=(\\d+)").matcher(env);
            assertTrue(value.find(), name + ": the image sets " + port.group(1));
            assertTrue((" " + exposed + " ").contains(" " + value.group(1) + " "), name + " EXPOSEs the health-checked port");
        }
    }

    @Test
    void commandsOfJobsAndComposeServicesNameExistingMainClasses() {
        for (JsonNode workload : workloads(WORKLOADS.toArray(String[]::new))) {
            for (JsonNode container : containers(workload)) {
                assertMainClassesExist(container.path("command").toString() + container.path("args").toString(), "api-gateway", "cluster-node");
                assertTrue(Set.of("codeshard-worker", "codeshard-gateway").contains(container.path("image").asText().split(":")[0]),
                        "containers run the images of docker/");
            }
        }
        for (JsonNode service : codeshardServices().values()) {
            assertMainClassesExist(service.path("entrypoint").toString() + service.path("command").toString(), "api-gateway", "cluster-node");
        }
    }

    // --- checks ---------------------------------------------------------------------------------------------

    private static void assertProbe(String where, JsonNode container, String probe, String path, int port) {
        JsonNode get = container.path(probe).path("httpGet");
        assertEquals(path, get.path("path").asText(), where + " " + probe + " path");
        JsonNode target = get.path("port");
        int resolved = target.isInt() ? target.asInt() : containerPorts(container).getOrDefault(target.asText(), -1);
        assertEquals(port, resolved, where + " " + probe + " is on the management port");
    }

    private static void assertSources(String dockerfile, Instruction copy, Set<String> stages) {
        List<String> words = new ArrayList<>();
        String from = null;
        String arguments = copy.arguments();
        while (arguments.startsWith("--")) {
            String flag = arguments.split("\\s+", 2)[0];
            if (flag.startsWith("--from=")) {
                from = flag.substring("--from=".length());
            }
            arguments = arguments.substring(flag.length()).trim();
        }
        if (arguments.startsWith("[")) {
            words.addAll(texts(readJson(arguments)));
        } else {
            words.addAll(List.of(arguments.split("\\s+")));
        }
        assertTrue(words.size() >= 2, dockerfile + ": " + copy.keyword() + " has sources and a destination");
        if (from != null) {
            boolean image = from.contains(":") || from.contains("/");
            assertTrue(image || stages.contains(from), dockerfile + ": --from=" + from + " is an earlier stage");
            return;
        }
        for (String source : words.subList(0, words.size() - 1)) {
            Path path = ROOT.resolve(source).normalize();
            assertTrue(path.startsWith(ROOT) && Files.exists(path), dockerfile + ": " + copy.keyword() + " source " + source + " exists");
            assertFalse(ignoredByDocker(dockerfile, source), dockerfile + ": " + source + " is not left out of the context");
        }
    }

    /** The plain names and folders of the Dockerfile's ignore file (enough for what our COPY lines name). */
    private static boolean ignoredByDocker(String dockerfile, String source) {
        String normalized = source.replaceAll("/+$", "");
        for (String line : lines(ROOT.resolve(dockerfile + ".dockerignore"))) {
            String pattern = line.trim();
            if (pattern.isEmpty() || pattern.startsWith("#") || pattern.startsWith("!") || pattern.contains("*")) {
                continue;
            }
            if (normalized.equals(pattern) || normalized.startsWith(pattern + "/") || pattern.equals(".")) {
                return true;
            }
        }
        return false;
    }

    private static void assertMainClassesExist(String text, String... modules) {
        Matcher matcher = MAIN_CLASS.matcher(text);
        while (matcher.find()) {
            String className = matcher.group();
            boolean exists = Stream.of(modules).anyMatch(module ->
                    Files.isRegularFile(ROOT.resolve(module + "/src/main/java/" + className.replace('.', '/') + ".java")));
            assertTrue(exists, className + " is a class of " + String.join(" or ", modules));
        }
    }

    private static boolean canReadPods(String serviceAccount) {
        Map<String, JsonNode> roles = new LinkedHashMap<>();
        for (JsonNode role : manifests().stream().filter(d -> d.path("kind").asText().equals("Role")).toList()) {
            roles.put(role.path("metadata").path("name").asText(), role);
        }
        for (JsonNode binding : manifests().stream().filter(d -> d.path("kind").asText().equals("RoleBinding")).toList()) {
            boolean bound = false;
            for (JsonNode subject : binding.path("subjects")) {
                bound |= subject.path("kind").asText().equals("ServiceAccount") && subject.path("name").asText().equals(serviceAccount);
            }
            JsonNode role = roles.get(binding.path("roleRef").path("name").asText());
            if (bound && role != null && binding.path("roleRef").path("kind").asText().equals("Role")) {
                for (JsonNode rule : role.path("rules")) {
                    if (texts(rule.path("resources")).contains("pods") && texts(rule.path("verbs")).containsAll(Set.of("get", "watch", "list"))) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static void assertLabelsMatch(String where, JsonNode selector, JsonNode labels) {
        assertTrue(selector.size() > 0 && labelsMatch(selector, labels), where + ": the selector matches the pod template's labels");
    }

    private static boolean labelsMatch(JsonNode selector, JsonNode labels) {
        if (selector.size() == 0) {
            return false;
        }
        for (Map.Entry<String, JsonNode> field : selector.properties()) {
            if (!labels.path(field.getKey()).asText("\u0000").equals(field.getValue().asText())) {
                return false;
            }
        }
        return true;
    }

    // --- reading ----------------------------------------------------------------------------------------------

    private record Instruction(String keyword, String arguments) {}

    /** Instructions with continuation lines joined and comment lines (also inside continuations) dropped. */
    private static List<Instruction> dockerfile(String name) {
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : lines(ROOT.resolve(name))) {
            String trimmed = line.trim();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.length() == 0)) {
                continue;
            }
            boolean continues = trimmed.endsWith("\\");
            current.append(continues ? trimmed.substring(0, trimmed.length() - 1) : trimmed).append(' ');
            if (!continues) {
                String text = current.toString().trim();
                current.setLength(0);
                if (!text.isEmpty()) {
                    String[] parts = text.split("\\s+", 2);
                    instructions.add(new Instruction(parts[0].toUpperCase(), parts.length > 1 ? parts[1].trim() : ""));
                }
            }
        }
        assertFalse(instructions.isEmpty(), name + " has instructions");
        return instructions;
    }

    /** Names of the environment variables in the table of deploy/README.md. */
    private static Set<String> documentedVariables() {
        Set<String> names = new TreeSet<>();
        Matcher matcher = DOCUMENTED_VARIABLE.matcher(String.join("\n", lines(ROOT.resolve("deploy/README.md"))));
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }

    /** The services of docker/compose.yaml that run codeshard images (the others are PostgreSQL's). */
    private static Map<String, JsonNode> codeshardServices() {
        Map<String, JsonNode> services = new LinkedHashMap<>();
        read(COMPOSE).get(0).path("services").properties().forEach(service -> {
            if (service.getValue().path("image").asText().startsWith("codeshard-")) {
                services.put(service.getKey(), service.getValue());
            }
        });
        return services;
    }

    private static List<JsonNode> manifests() {
        List<JsonNode> documents = new ArrayList<>();
        for (Path file : yamlFiles(ROOT.resolve("deploy"))) {
            if (!file.getFileName().toString().equals("kustomization.yaml")) {
                documents.addAll(read(file));
            }
        }
        return documents;
    }

    private static List<JsonNode> workloads(String... kinds) {
        Set<String> wanted = Set.of(kinds);
        return manifests().stream().filter(d -> wanted.contains(d.path("kind").asText())).toList();
    }

    /** The one workload whose containers have the role. */
    private static JsonNode single(List<JsonNode> workloads, String role) {
        List<JsonNode> matching = workloads.stream()
                .filter(w -> containers(w).stream().anyMatch(c -> env(c).path("CODESHARD_ROLES").path("value").asText().equals(role)))
                .toList();
        assertEquals(1, matching.size(), "one workload with role " + role);
        return matching.get(0);
    }

    private static JsonNode only(List<JsonNode> documents, String kind) {
        List<JsonNode> matching = documents.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
        assertEquals(1, matching.size(), "one " + kind);
        return matching.get(0);
    }

    private static List<JsonNode> containers(JsonNode workload) {
        List<JsonNode> containers = new ArrayList<>();
        workload.path("spec").path("template").path("spec").path("containers").forEach(containers::add);
        assertFalse(containers.isEmpty(), workload.path("metadata").path("name").asText() + " has containers");
        return containers;
    }

    /** A container's env as an object: name to its entry ({@code value} or {@code valueFrom}). */
    private static JsonNode env(JsonNode container) {
        var env = new ObjectMapper().createObjectNode();
        container.path("env").forEach(variable -> env.set(variable.path("name").asText(), variable));
        return env;
    }

    private static Map<String, Integer> containerPorts(JsonNode container) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        container.path("ports").forEach(port -> ports.put(port.path("name").asText(String.valueOf(port.path("containerPort").asInt())),
                port.path("containerPort").asInt()));
        return ports;
    }

    private static Set<String> texts(JsonNode array) {
        Set<String> texts = new LinkedHashSet<>();
        array.forEach(item -> texts.add(item.asText()));
        return texts;
    }

    private static List<JsonNode> read(Path file) {
        try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
            List<JsonNode> all = new ArrayList<>();
            while (documents.hasNext()) {
                JsonNode document = documents.next();
                if (document != null && !document.isNull() && !document.isMissingNode() && document.size() > 0) {
                    all.add(document);
                }
            }
            assertFalse(all.isEmpty(), file + " holds YAML documents");
            return all;
        } catch (IOException e) {
            throw new AssertionError(file + " does not parse: " + e.getMessage(), e);
        }
    }

    private static JsonNode readJson(String text) {
        try {
            return YAML.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    private static List<Path> yamlFiles(Path folder) {
        assertNotNull(folder);
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> f.getFileName().toString().endsWith(".yaml") || f.getFileName().toString().endsWith(".yml"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
