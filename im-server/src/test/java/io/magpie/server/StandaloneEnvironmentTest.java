package io.magpie.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.magpie.server.config.ConfigTree;
import io.magpie.server.config.Settings;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * In standalone mode {@code MAGPIE_MYSQL_URL} and {@code MAGPIE_KAFKA_BOOTSTRAP} name the servers to
 * connect to (as for the tests), not the roles' settings: the roles get the database URL standalone
 * builds on that server.
 */
class StandaloneEnvironmentTest {

    private static final Map<String, String> OPERATOR_ENV = Map.of(
            "MAGPIE_MYSQL_URL", "jdbc:mysql://db.example:3306/",
            "MAGPIE_MYSQL_USER", "root",
            "MAGPIE_MYSQL_PASSWORD", "secret",
            "MAGPIE_KAFKA_BOOTSTRAP", "kafka.example:9092",
            "MAGPIE_GATE_TCP_PORT", "7100");

    @Test
    void theServerVariablesDoNotOverrideTheDatabaseUrlStandaloneHandsTheRoles() {
        ConfigTree tree = ConfigTree.of("", StandaloneCommand.roleEnvironment(OPERATOR_ENV));
        tree.setDefault("mysql.url", "jdbc:mysql://db.example:3306/magpie?sslMode=DISABLED");
        tree.setDefault("mysql.user", "root");
        tree.setDefault("mysql.password", "secret");
        tree.setDefault("kafka.bootstrap", "kafka.embedded:19092"); // what Infrastructure connected to

        Settings settings = new Settings(tree);
        assertEquals("jdbc:mysql://db.example:3306/magpie?sslMode=DISABLED", settings.mysql().jdbcUrl());
        assertEquals("kafka.embedded:19092", settings.kafkaBootstrap());
    }

    @Test
    void everyOtherVariableStillOverridesItsSetting() {
        ConfigTree tree = ConfigTree.of("gate:\n  tcp-port: 7000\n", StandaloneCommand.roleEnvironment(OPERATOR_ENV));
        assertEquals(7100, tree.integer("gate.tcp-port", 7000));
    }
}
