package io.magpie.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The real Nacos client on our class path (our Jackson and SLF4J, no logging adapter) with no server behind the
 * address: it starts, says the server is not reachable (retryably, for the start-up wait), and a read fails rather
 * than answering from a cache, so the LSB keeps its last view as it does when Redis is down.
 */
class NacosGateRegistryUnreachableTest {

    @Test
    void withoutAServerTheRegistryStartsButReadsFail() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (NacosGateRegistry registry = NacosGateRegistry.connect(NacosConfig.of("127.0.0.1:" + closedPort),
                Duration.ofSeconds(9), Clock.systemUTC())) {
            StorageException down = assertThrows(StorageException.class, registry::checkServer);
            assertTrue(down.retryable());
            assertTrue(down.getMessage().contains("127.0.0.1:" + closedPort), down.getMessage());
            ExecutionException read = assertThrows(ExecutionException.class,
                    () -> registry.list().get(30, TimeUnit.SECONDS));
            assertInstanceOf(StorageException.class, read.getCause());
            assertFalse(read.getCause().getMessage().isEmpty());
            // a gate Nacos cannot hold fails the future (a publisher's schedule must not die of a throw)
            GateInfo portless = new GateInfo("g", "h", 7000, 0, 0, 0, GateState.ACTIVE, Set.of(), "", 1L);
            ExecutionException refused = assertThrows(ExecutionException.class,
                    () -> registry.publish(portless).get(30, TimeUnit.SECONDS));
            assertInstanceOf(IllegalArgumentException.class, refused.getCause());
            // find asks again after a failed read instead of reusing it
            ExecutionException found = assertThrows(ExecutionException.class,
                    () -> registry.find("g").get(30, TimeUnit.SECONDS));
            assertInstanceOf(StorageException.class, found.getCause());
            registry.close();
            // after close, calls fail at once instead of throwing at the caller or hanging
            ExecutionException closed = assertThrows(ExecutionException.class,
                    () -> registry.list().get(5, TimeUnit.SECONDS));
            assertTrue(closed.getCause().getMessage().contains("closed"), closed.getCause().getMessage());
            assertThrows(ExecutionException.class, () -> registry.publish(portless).get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void theFailoverSnapshotGoesUnderTheTemporaryDirectoryNotTheHome() {
        assertEquals(System.getProperty("java.io.tmpdir"),
                NacosGateRegistry.properties(NacosConfig.of("127.0.0.1:8848")).getProperty(
                        NacosGateRegistry.SNAPSHOT_PATH));
    }
}
