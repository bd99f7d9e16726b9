package io.magpie.server.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.server.MagpieNode.Role;
import io.magpie.server.config.ConfigTree;
import io.magpie.server.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoleConfigWriterTest {

    private static final Map<String, String> SHARED = Map.of(
            "mysql.url", "jdbc:mysql://127.0.0.1:3306/magpie", "mysql.password", "db-password",
            "redis.uri", "redis://127.0.0.1:6379", "kafka.bootstrap", "127.0.0.1:9092", "kafka.partitions", "4",
            "auth.token-secret", "a-token-secret-of-at-least-32-bytes-long!",
            "cluster.secret", "a-cluster-secret-of-at-least-32-bytes-long");

    @TempDir
    Path dir;

    @Test
    void tuningReachesTheRolesButNotTheVariablesOfWhatEachFileSets() {
        for (String own : List.of("MAGPIE_GATE_TCP_PORT", "MAGPIE_GATE_ID", "MAGPIE_HEALTH_PORT", "MAGPIE_LSB_PORT",
                "MAGPIE_LOGIC_HTTP_PORT", "MAGPIE_MYSQL_URL", "MAGPIE_KAFKA_BOOTSTRAP", "MAGPIE_AUTH_TOKEN_SECRET",
                "MAGPIE_REDIS_URL", "MAGPIE_CLUSTER_JAVA_OPTS")) {
            assertTrue(RoleLauncher.replacedByTheConfigFile(own), own + " is the config file's (or the supervisor's)");
        }
        for (String tuning : List.of("MAGPIE_LOGIC_PBKDF2_ITERATIONS", "MAGPIE_GATE_LIMITS_SENDS_PER_SECOND",
                "MAGPIE_AUTH_LOGIN_ATTEMPTS_PER_ADDRESS", "MAGPIE_LOG_LEVEL",
                "MAGPIE_LOG_FORMAT")) {
            assertFalse(RoleLauncher.replacedByTheConfigFile(tuning), tuning + " is passed on");
        }
    }

    @Test
    void aGateGetsItsNameAsGateIdItsOwnPortsAndBothSecretsButNoDatabase() throws Exception {
        Path file = writer().write(new ProcessPlan("gate-2", Role.GATE, 4000, -1, 4001, 4002, 4003));
        Settings settings = new Settings(ConfigTree.load(file, Map.of()));
        assertEquals("gate-2", settings.gate().gateId());
        assertEquals(4001, settings.gate().tcpPort());
        assertEquals(4002, settings.gate().wsPort());
        assertEquals(4003, settings.gate().internalPort());
        assertEquals(4000, settings.health().port());
        settings.clusterSecret(); // present, valid and different from the token secret
        assertFalse(Files.readString(file).contains("mysql"), "a gate never sees the database");
        settings.rejectUnknownKeys();
    }

    @Test
    void aRouterGetsTheClusterSecretButNeitherTheTokenSecretNorTheDatabase() throws Exception {
        String yaml = Files.readString(writer().write(new ProcessPlan("router-1", Role.ROUTER, 4000, -1, -1, -1, -1)));
        assertTrue(yaml.contains("a-cluster-secret"), yaml);
        assertFalse(yaml.contains("a-token-secret") || yaml.contains("db-password"), yaml);
    }

    @Test
    void logicServesTheAccountApiOnItsPlannedPortAndTheFileIsTheOwnersOnly() throws Exception {
        Path file = writer().write(new ProcessPlan("logic-1", Role.LOGIC, 4000, 8081, -1, -1, -1));
        Settings settings = new Settings(ConfigTree.load(file, Map.of()));
        assertEquals(8081, settings.logic().httpPort());
        assertEquals("jdbc:mysql://127.0.0.1:3306/magpie", settings.mysql().jdbcUrl());
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(file));
    }

    @Test
    void aClusterOfZeroGatesIsRefusedNamingTheOption() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ClusterSpec(0, 1, 1, true, "127.0.0.1", 8080, 8081, List.of()));
        assertTrue(e.getMessage().startsWith("--gates must be 1..16"), e.getMessage());
    }

    @Test
    void javaOptionsComeFromTheEnvironmentWhenSet() {
        assertEquals(List.of("-Xmx128m", "-Xss512k"), ClusterSpec.javaOptions(" -Xmx128m  -Xss512k "));
        assertEquals(ClusterSpec.DEFAULT_JAVA_OPTIONS, ClusterSpec.javaOptions(null));
    }

    private RoleConfigWriter writer() {
        return new RoleConfigWriter(new ClusterLayout(dir), SHARED, "127.0.0.1");
    }
}
