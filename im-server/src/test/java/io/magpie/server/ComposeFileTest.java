package io.magpie.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.magpie.server.admin.GateAdminConfig;
import io.magpie.server.config.Settings;
import io.magpie.gate.GateConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The compose files, checked offline (the CI machines have no Docker engine, so they are never run here):
 * {@code docker-compose.yml} (the engines) plus {@code docker-compose.cluster.yml} (the roles, Prometheus,
 * Grafana) must make one valid project in which every role container would start with the settings it is
 * given, every reference (depends_on, mounted files, scrape targets, Grafana provisioning) points at
 * something that exists, and no two containers publish the same host port.
 *
 * <p>The repository root is found from im-server's directory; {@code MAGPIE_DEPLOY_ROOT} points the test
 * at another copy (how a deliberately broken copy is checked to fail).
 */
class ComposeFileTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z0-9_]+)(?:(:?[-?])([^}]*))?}");
    /** What .env holds when make-env.sh wrote it; the values only have to pass the roles' own checks. */
    private static final Map<String, String> DOT_ENV = Map.of(
            "MAGPIE_AUTH_TOKEN_SECRET", "k3Jd9s0QmZr7Vt2yXc5Nw8Lp1Hb4Gf6A",
            "MAGPIE_CLUSTER_SECRET", "Qe7Rt1Yu4Io9Pa2Sd5Fg8Hj3Kl6Zx0Cv",
            "MAGPIE_PUBLIC_HOST", "192.0.2.10");
    private static final Set<String> ROLES = Set.of("gate", "logic", "router", "lsb", "notifier");

    private static Path root;
    private static Map<String, JsonNode> services;

    @BeforeAll
    static void load() throws IOException {
        String override = System.getenv("MAGPIE_DEPLOY_ROOT");
        root = override == null ? DeployRoles.REPO : Path.of(override).toAbsolutePath();
        services = new TreeMap<>();
        for (String file : List.of("docker-compose.yml", "docker-compose.cluster.yml")) {
            JsonNode doc = interpolated(YAML.readTree(root.resolve(file).toFile()), file);
            JsonNode defined = doc.path("services");
            assertTrue(defined.isObject() && defined.size() > 0, file + " defines no services");
            defined.fields().forEachRemaining(e -> {
                // the cluster file adds services; it must not silently override an engine's definition
                assertNotNull(e.getValue(), file + ": service " + e.getKey() + " is empty");
                JsonNode before = services.put(e.getKey(), e.getValue());
                assertEquals(null, before, "service " + e.getKey() + " is defined in both compose files");
            });
        }
    }

    @Test
    void theClusterHasTwoGatesTwoLogicTwoRoutersAnLsbANotifierPrometheusAndGrafana() {
        Map<String, Integer> perRole = new TreeMap<>();
        roleServices().values().forEach(s -> perRole.merge(s.path("command").path(0).asText(), 1, Integer::sum));
        assertEquals(Map.of("gate", 2, "logic", 2, "router", 2, "lsb", 1, "notifier", 1), perRole);
        assertTrue(services.keySet().containsAll(List.of("mysql", "redis", "kafka", "prometheus", "grafana")),
                "services: " + services.keySet());
    }

    @Test
    void theComposeMysqlHasTheAccountTheSampleConfigsUse() throws IOException {
        JsonNode env = services.get("mysql").path("environment");
        for (String sample : List.of("logic.yaml", "router.yaml", "notifier.yaml")) {
            JsonNode mysql = YAML.readTree(root.resolve("deploy/config").resolve(sample).toFile()).path("mysql");
            if (mysql.isMissingNode()) {
                continue;
            }
            assertEquals(mysql.path("user").asText(), env.path("MYSQL_USER").asText(), sample + ": mysql.user");
            assertEquals(mysql.path("password").asText(), env.path("MYSQL_PASSWORD").asText(),
                    sample + ": mysql.password");
            assertTrue(mysql.path("url").asText().contains("/" + env.path("MYSQL_DATABASE").asText() + "?"),
                    sample + ": mysql.url names the database compose creates");
        }
    }

    @Test
    void everyServiceHasAnImageAndEveryBuildHasADockerfile() {
        services.forEach((name, s) -> {
            assertFalse(s.path("image").asText().isBlank(), name + " has no image");
            if (s.has("build")) {
                String context = s.path("build").isTextual() ? s.path("build").asText()
                        : s.path("build").path("context").asText(".");
                String dockerfile = s.path("build").path("dockerfile").asText("Dockerfile");
                assertTrue(Files.isRegularFile(root.resolve(context).resolve(dockerfile)),
                        name + ": no " + dockerfile + " in build context " + context);
            }
        });
        roleServices().forEach((name, s) -> {
            assertTrue(s.has("build"), name + ": a role runs the image ./Dockerfile builds");
            assertEquals(roleServices().values().iterator().next().path("image").asText(), s.path("image").asText(),
                    name + ": every role runs the same image");
        });
    }

    @Test
    void everyDependencyExistsAndAHealthyConditionHasAHealthcheck() {
        services.forEach((name, s) -> {
            JsonNode deps = s.path("depends_on");
            List<String> targets = new ArrayList<>();
            if (deps.isArray()) {
                deps.forEach(d -> targets.add(d.asText()));
            } else {
                deps.fieldNames().forEachRemaining(targets::add);
            }
            for (String target : targets) {
                assertTrue(services.containsKey(target), name + " depends on " + target + ", which is no service");
                assertFalse(target.equals(name), name + " depends on itself");
                if ("service_healthy".equals(deps.path(target).path("condition").asText())) {
                    assertTrue(services.get(target).has("healthcheck"),
                            name + " waits for " + target + " to be healthy, but it has no healthcheck");
                }
            }
        });
    }

    @Test
    void noTwoServicesPublishTheSameHostPort() {
        List<Map.Entry<String, Port>> all = new ArrayList<>();
        services.forEach((name, s) -> published(name, s).forEach(p -> all.add(Map.entry(name, p))));
        for (int i = 0; i < all.size(); i++) {
            for (int k = i + 1; k < all.size(); k++) {
                Port a = all.get(i).getValue();
                Port b = all.get(k).getValue();
                // a port published on every address (no IP, 0.0.0.0) clashes with the same port on any one
                boolean sameAddress = a.ip().equals(b.ip()) || wildcard(a.ip()) || wildcard(b.ip());
                assertFalse(a.host() == b.host() && sameAddress, "host port " + a.host() + " is published by "
                        + all.get(i).getKey() + " (" + a + ") and " + all.get(k).getKey() + " (" + b + ")");
            }
        }
    }

    private static boolean wildcard(String ip) {
        return ip.isEmpty() || ip.equals("0.0.0.0");
    }

    @Test
    void everyRoleStartsWithTheConfigAndEnvironmentItIsGiven() {
        roleServices().forEach((name, s) -> {
            MagpieNode.Role role = DeployRoles.role(s.path("command").path(0).asText(), name);
            Settings settings = DeployRoles.settingsOf(role, configFile(name, s), environment(s), name);
            int healthPort = settings.health().port();
            assertTrue(settings.health().enabled() && healthPort > 0, name + ": needs a fixed health port");
            assertTrue(s.path("healthcheck").path("test").toString().contains(":" + healthPort + "/health/ready"),
                    name + ": the healthcheck must ask /health/ready on health.port " + healthPort);
            Set<Integer> containerPorts = new TreeSet<>();
            published(name, s).forEach(p -> containerPorts.add(p.container()));
            switch (role) {
                case GATE -> checkGate(name, s, settings, containerPorts);
                case LOGIC -> assertEquals(Set.of(settings.logic().httpPort()), containerPorts,
                        name + ": publishes the account API port (logic.http-port) and nothing else");
                case LSB -> assertEquals(Set.of(settings.lsb().httpPort()), containerPorts,
                        name + ": publishes lsb.port and nothing else");
                default -> assertEquals(Set.of(), containerPorts, name + ": a " + role + " has no public port");
            }
        });
    }

    /**
     * The LSB hands clients {@code gate.host} and the ports the gate bound, and routers dial the same host:
     * so every port is published on that host with host port = container port.
     */
    private static void checkGate(String name, JsonNode s, Settings settings, Set<Integer> containerPorts) {
        GateConfig gate = settings.gate();
        assertEquals(Set.of(gate.tcpPort(), gate.wsPort(), gate.internalPort()), containerPorts,
                name + ": publishes its client TCP, WebSocket and internal ports");
        published(name, s).forEach(p -> {
            assertEquals(p.container(), p.host(), name + ": host port = container port, as the LSB hands it out");
            assertEquals(gate.advertisedHost(), p.ip(), name + ": published on the address it advertises (gate.host)");
        });
        assertFalse(gate.advertisedHost().startsWith("127."), name + ": routers in other containers must reach gate.host");
        assertEquals("0.0.0.0", gate.internalBind(), name + ": routers are other containers");
        GateAdminConfig admin = settings.gateAdmin();
        Duration grace = duration(s.path("stop_grace_period").asText("10s"));
        Duration needed = admin.drain().deadline().plusSeconds(40);
        assertTrue(grace.compareTo(needed) >= 0, name + ": stop_grace_period " + grace
                + " must cover gate.drain.deadline + 40 s = " + needed + " (docs/operations.md §5), else it is killed mid-drain");
    }

    @Test
    void secretsComeFromDotEnvAndMakeEnvWritesEveryVariable() throws IOException {
        roleServices().forEach((name, s) -> s.path("environment").fields().forEachRemaining(e -> {
            String key = e.getKey();
            if (key.contains("SECRET") || key.contains("TOKEN") || key.contains("PASSWORD")) {
                assertTrue(DOT_ENV.containsValue(e.getValue().asText()),
                        name + ": " + key + " must come from .env (${VAR:?...}), never written in the file");
            }
        }));
        // the variables of values, not of comments
        String cluster = YAML.readTree(root.resolve("docker-compose.cluster.yml").toFile()).toString();
        String makeEnv = Files.readString(root.resolve("deploy/compose/make-env.sh"));
        Matcher m = VARIABLE.matcher(cluster);
        Set<String> used = new TreeSet<>();
        while (m.find()) {
            used.add(m.group(1));
        }
        assertEquals(DOT_ENV.keySet(), used, "the variables docker-compose.cluster.yml takes from .env");
        used.forEach(v -> assertTrue(makeEnv.contains("\n" + v + "="), "make-env.sh does not write " + v));
    }

    @Test
    void prometheusScrapesEveryRoleOnItsHealthPort() throws IOException {
        Path config = mountedFile("prometheus", services.get("prometheus"), "/etc/prometheus/prometheus.yml");
        Set<String> targets = new TreeSet<>();
        for (JsonNode job : YAML.readTree(config.toFile()).path("scrape_configs")) {
            assertEquals("/metrics", job.path("metrics_path").asText("/metrics"), "the health listener serves /metrics");
            job.path("static_configs").forEach(sc -> sc.path("targets").forEach(t -> targets.add(t.asText())));
        }
        Set<String> expected = new TreeSet<>();
        roleServices().forEach((name, s) -> {
            MagpieNode.Role role = DeployRoles.role(s.path("command").path(0).asText(), name);
            expected.add(name + ":" + DeployRoles.settingsOf(role, configFile(name, s), environment(s), name)
                    .health().port());
        });
        assertEquals(expected, targets, "scrape targets of " + config);
        JsonNode ruleFiles = YAML.readTree(config.toFile()).path("rule_files");
        assertEquals(1, ruleFiles.size(), "the alert rules are loaded: " + ruleFiles);
        assertEquals(root.resolve("deploy/prometheus/alerts.yml").normalize(), mountedFile("prometheus",
                services.get("prometheus"), "/etc/prometheus/" + ruleFiles.path(0).asText()).normalize(),
                "the alert rules are mounted beside prometheus.yml");
    }

    @Test
    void grafanaProvisionsThePrometheusDataSourceAndTheMagpieDashboard() throws IOException {
        JsonNode grafana = services.get("grafana");
        Path provisioning = mountedFile("grafana", grafana, "/etc/grafana/provisioning");
        assertTrue(Files.isDirectory(provisioning), provisioning + " is not a directory");
        JsonNode datasources = YAML.readTree(provisioning.resolve("datasources/prometheus.yaml").toFile());
        JsonNode prometheus = datasources.path("datasources").path(0);
        assertEquals("prometheus", prometheus.path("type").asText());
        assertEquals("http://prometheus:9090", prometheus.path("url").asText(), "the compose prometheus service");
        assertTrue(published("prometheus", services.get("prometheus")).stream().anyMatch(p -> p.container() == 9090),
                "prometheus listens on 9090");
        JsonNode provider = YAML.readTree(provisioning.resolve("dashboards/magpie.yaml").toFile()).path("providers").path(0);
        assertEquals("file", provider.path("type").asText());
        String dashboards = provider.path("options").path("path").asText();
        assertFalse(dashboards.isEmpty(), "the dashboard provider names no path");
        Path dashboard = mountedFile("grafana", grafana, dashboards + "/magpie.json");
        assertEquals(root.resolve("deploy/grafana/magpie.json").normalize(), dashboard.normalize());
        JsonNode json = new ObjectMapper().readTree(dashboard.toFile());
        assertEquals("magpie", json.path("uid").asText(), "the dashboard of deploy/grafana");
        assertEquals("prometheus", json.path("templating").path("list").path(0).path("query").asText(),
                "the dashboard picks a Prometheus data source through $datasource");
    }

    // ---- reading the compose model ----

    private static Map<String, JsonNode> roleServices() {
        Map<String, JsonNode> roles = new LinkedHashMap<>();
        services.forEach((name, s) -> {
            if (ROLES.contains(s.path("command").path(0).asText())) {
                roles.put(name, s);
            }
        });
        assertFalse(roles.isEmpty(), "no role services");
        return roles;
    }

    private static Path configFile(String name, JsonNode s) {
        List<String> command = new ArrayList<>();
        s.path("command").forEach(c -> command.add(c.asText()));
        int at = command.indexOf("--config");
        assertTrue(at > 0 && at + 1 < command.size(), name + ": the command names no --config FILE: " + command);
        return mountedFile(name, s, command.get(at + 1));
    }

    /** The host file or directory mounted at {@code containerPath} (or at a directory above it). */
    private static Path mountedFile(String name, JsonNode s, String containerPath) {
        for (JsonNode v : s.path("volumes")) {
            String[] parts = v.asText().split(":");
            if (parts.length >= 2 && parts[0].startsWith(".")
                    && (containerPath.equals(parts[1]) || containerPath.startsWith(parts[1] + "/"))) {
                Path host = root.resolve(parts[0]).resolve(
                        containerPath.substring(parts[1].length()).replaceFirst("^/", ""));
                assertTrue(Files.exists(host), name + ": " + containerPath + " is mounted from " + host
                        + ", which does not exist");
                return host;
            }
        }
        return fail(name + ": nothing is mounted at " + containerPath);
    }

    private static Map<String, String> environment(JsonNode s) {
        Map<String, String> env = new TreeMap<>();
        s.path("environment").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        return env;
    }

    private record Port(String ip, int host, int container) {
    }

    private static List<Port> published(String name, JsonNode s) {
        List<Port> ports = new ArrayList<>();
        for (JsonNode p : s.path("ports")) {
            String[] parts = p.asText().replace("/tcp", "").split(":");
            try {
                ports.add(switch (parts.length) {
                    case 2 -> new Port("", Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
                    case 3 -> new Port(parts[0], Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
                    default -> fail(name + ": port '" + p.asText() + "' must be [IP:]HOST:CONTAINER");
                });
            } catch (NumberFormatException e) {
                fail(name + ": port '" + p.asText() + "' is not [IP:]HOST:CONTAINER with numbers");
            }
        }
        return ports;
    }

    /** Compose's interpolation of every string value (not of comments) with the values make-env.sh writes. */
    private static JsonNode interpolated(JsonNode node, String file) {
        if (node.isTextual()) {
            return TextNode.valueOf(interpolate(node.asText(), file));
        }
        if (node.isObject()) {
            var copy = YAML.createObjectNode();
            node.fields().forEachRemaining(e -> copy.set(e.getKey(), interpolated(e.getValue(), file)));
            return copy;
        }
        if (node.isArray()) {
            var copy = YAML.createArrayNode();
            node.forEach(e -> copy.add(interpolated(e, file)));
            return copy;
        }
        return node;
    }

    private static String interpolate(String text, String file) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = DOT_ENV.get(m.group(1));
            if (value == null) {
                assertTrue("-".equals(m.group(2)) || ":-".equals(m.group(2)),
                        file + ": ${" + m.group(1) + "} is neither written by make-env.sh nor has a default");
                value = m.group(3);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static Duration duration(String compose) {
        Matcher m = Pattern.compile("(?:(\\d+)m)?(?:(\\d+)s)?").matcher(compose.trim());
        assertTrue(m.matches() && !compose.isBlank(), "duration '" + compose + "' is not like 1m30s or 80s");
        long minutes = m.group(1) == null ? 0 : Long.parseLong(m.group(1));
        long seconds = m.group(2) == null ? 0 : Long.parseLong(m.group(2));
        return Duration.ofSeconds(minutes * 60 + seconds);
    }
}
