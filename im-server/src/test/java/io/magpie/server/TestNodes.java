package io.magpie.server;

import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import io.magpie.server.config.ConfigTree;
import io.magpie.server.config.Settings;
import java.time.Clock;
import java.util.EnumSet;

/** Starts one process with every role on the test's engines, as the end-to-end tests need it. */
final class TestNodes {

    private TestNodes() {
    }

    /**
     * @param tree the test's own settings; the engines' addresses (MySQL of the isolation's database,
     *             Redis, Kafka) are added as defaults
     */
    static MagpieNode allRoles(ConfigTree tree, Infrastructure infra, TestIsolation isolation) {
        tree.setDefault("mysql.url", isolation.jdbcUrl());
        tree.setDefault("mysql.user", infra.mysqlUser());
        tree.setDefault("mysql.password", infra.mysqlPassword());
        tree.setDefault("redis.uri", infra.redisUri());
        tree.setDefault("kafka.bootstrap", infra.kafkaBootstrap());
        return MagpieNode.start(new Settings(tree), EnumSet.allOf(MagpieNode.Role.class), Clock.systemUTC());
    }
}
