package io.magpie.server;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import io.magpie.server.config.ConfigTree;
import io.magpie.server.config.Settings;
import io.magpie.testkit.InfrastructureExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.util.EnumSet;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code registry.type: nacos} reaches the roles: an LSB (real Redis) builds the Nacos registry and waits for the
 * Nacos server like for Redis, naming it when it gives up. No Nacos server runs here: its address is a closed port.
 */
@ExtendWith(InfrastructureExtension.class)
class NacosRegistryStartIT {

    @Test
    void anLsbWithTheNacosRegistryWaitsForNacosAndNamesItWhenItGivesUp(Infrastructure infra, TestIsolation isolation)
            throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Settings settings = new Settings(ConfigTree.of("""
                redis:
                  uri: "%s"
                  key-prefix: "%s"
                registry:
                  type: nacos
                  nacos:
                    server-addr: "127.0.0.1:%d"
                startup:
                  infra-wait: 0s
                lsb:
                  port: 0
                health:
                  enabled: false
                """.formatted(infra.redisUri(), isolation.redisKeyPrefix(), closedPort), Map.of()));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> MagpieNode.start(settings, EnumSet.of(MagpieNode.Role.LSB), Clock.systemUTC()));
        assertTrue(e.getMessage().contains("nacos 127.0.0.1:" + closedPort + " still unreachable"), e.getMessage());
    }
}
