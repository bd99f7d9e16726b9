package io.magpie.server;

import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import io.magpie.server.config.ConfigTree;
import io.magpie.server.config.Settings;
import java.time.Clock;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;

/** Starts one process with every role on the test's engines, as the end-to-end tests need it. */
final class TestNodes {

    private TestNodes() {
    }

    /**
     * Every role on ephemeral ports with the tests' usual settings ({@link #allRoleSettings}) under
     * {@code settings} (dotted keys, e.g. {@code "gate.login-timeout" -> "1s"}), which win over those.
     */
    static MagpieNode allRoles(Infrastructure infra, TestIsolation isolation, String name,
            Map<String, String> settings) {
        return allRoles(allRoleSettings(isolation, name, settings), infra, isolation);
    }

    /**
     * What every node of a test shares: the isolation's Redis and Kafka prefixes, 2 partitions, token and cluster
     * secrets named after the test ({@code name}), health on loopback, the gate on ephemeral ports; under
     * {@code settings} (dotted keys), which win. A second gate of the test ({@link #gateOnly}) starts from this.
     */
    static ConfigTree gateSettings(TestIsolation isolation, String name, Map<String, String> settings) {
        Map<String, String> all = new LinkedHashMap<>(settings);
        all.putIfAbsent("redis.key-prefix", isolation.redisKeyPrefix());
        all.putIfAbsent("kafka.topic-prefix", isolation.topicPrefix());
        all.putIfAbsent("kafka.partitions", "2");
        all.putIfAbsent("auth.token-secret", name + "-test-token-secret-of-32-bytes-or-more");
        all.putIfAbsent("cluster.secret", name + "-test-cluster-secret-of-32-bytes-or-more");
        all.putIfAbsent("health.bind", "127.0.0.1");
        for (String port : new String[] {"gate.tcp-port", "gate.ws-port", "gate.internal-port"}) {
            all.putIfAbsent(port, "0");
        }
        ConfigTree tree = ConfigTree.of("{}", Map.of());
        all.forEach(tree::setDefault);
        return tree;
    }

    /**
     * {@link #gateSettings} and the LSB's and logic's: ephemeral ports, a 200 ms LSB poll, cheap password hashing,
     * no per-user send limits; under {@code settings}, which win.
     */
    static ConfigTree allRoleSettings(TestIsolation isolation, String name, Map<String, String> settings) {
        Map<String, String> all = new LinkedHashMap<>(settings);
        for (String port : new String[] {"lsb.port", "logic.http-port"}) {
            all.putIfAbsent(port, "0");
        }
        all.putIfAbsent("lsb.poll-interval", "200ms");
        all.putIfAbsent("logic.pbkdf2-iterations", "1000");
        // tests send bursts far above a person's pace; MessageRulesIT tests the per-user limits themselves
        all.putIfAbsent("logic.rate-limits.messages-per-second", "0");
        all.putIfAbsent("logic.rate-limits.messages-per-minute", "0");
        return gateSettings(isolation, name, all);
    }

    static MagpieNode allRoles(ConfigTree tree, Infrastructure infra, TestIsolation isolation) {
        tree.setDefault("mysql.url", isolation.jdbcUrl());
        tree.setDefault("mysql.user", infra.mysqlUser());
        tree.setDefault("mysql.password", infra.mysqlPassword());
        tree.setDefault("redis.uri", infra.redisUri());
        tree.setDefault("kafka.bootstrap", infra.kafkaBootstrap());
        // uploads go to a temporary directory, never into the working tree
        tree.setDefault("media.local.dir", java.nio.file.Path.of(System.getProperty("java.io.tmpdir"),
                "magpie-test-media", isolation.topicPrefix()).toString());
        return MagpieNode.start(new Settings(tree), EnumSet.allOf(MagpieNode.Role.class), Clock.systemUTC());
    }

    /** A gate-only process on the suite's Redis and Kafka (a second gate beside {@link #allRoles}). */
    static MagpieNode gateOnly(ConfigTree tree, Infrastructure infra) {
        tree.setDefault("redis.uri", infra.redisUri());
        tree.setDefault("kafka.bootstrap", infra.kafkaBootstrap());
        return MagpieNode.start(new Settings(tree), EnumSet.of(MagpieNode.Role.GATE), Clock.systemUTC());
    }
}
