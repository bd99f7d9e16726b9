package io.magpie.registry;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.alibaba.nacos.api.naming.NamingFactory;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.pojo.Instance;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The {@link GateRegistryContract} on a real Nacos server, and what only Nacos promises (the instance and its
 * metadata keys as docs/operations.md lists them; a gate whose connection ends leaves). A Nacos server is not on
 * Maven Central, so these run only when {@code MAGPIE_NACOS_ADDR} names one ({@code host:8848});
 * {@code MAGPIE_NACOS_NAMESPACE}, {@code MAGPIE_NACOS_USERNAME} and {@code MAGPIE_NACOS_PASSWORD} are optional.
 * Each run registers in its own service, so runs sharing a server do not meet.
 */
@EnabledIfEnvironmentVariable(named = "MAGPIE_NACOS_ADDR", matches = ".+")
class NacosGateRegistryIT extends GateRegistryContract {

    private static final NacosConfig CONFIG = new NacosConfig(System.getenv("MAGPIE_NACOS_ADDR"),
            System.getenv("MAGPIE_NACOS_NAMESPACE"), NacosConfig.DEFAULT_GROUP,
            "magpie-gate-it-" + UUID.randomUUID().toString().substring(0, 8), System.getenv("MAGPIE_NACOS_USERNAME"),
            System.getenv("MAGPIE_NACOS_PASSWORD"));

    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeRegistries() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
    }

    @Override
    protected GateRegistry registry(Duration ttl) {
        NacosGateRegistry registry = NacosGateRegistry.connect(CONFIG, ttl, Clock.systemUTC());
        opened.add(registry);
        await().atMost(VISIBLE).ignoreExceptions().untilAsserted(registry::checkServer);
        return registry;
    }

    @Test
    void theInstanceIsTheGatesRouterEndpointWithTheDocumentedMetadata() throws Exception {
        GateInfo gate = new GateInfo("meta", "10.9.8.7", 7000, 7001, 17_701, 42, GateState.DRAINING,
                Set.of("game", "chat"), "canary", 1_700_000_004_000L, "/im", true, 1000, "zone-a");
        long before = System.currentTimeMillis();
        registry(Duration.ofMinutes(5)).publish(gate).join();
        NamingService plain = NamingFactory.createNamingService(NacosGateRegistry.properties(CONFIG));
        opened.add(plain::shutDown);
        await().atMost(VISIBLE).until(() -> !plain.getAllInstances(CONFIG.service(), CONFIG.group(), false).isEmpty());
        Instance instance = plain.getAllInstances(CONFIG.service(), CONFIG.group(), false).stream()
                .filter(i -> "meta".equals(i.getMetadata().get("id"))).findFirst().orElseThrow();
        assertEquals("10.9.8.7", instance.getIp());
        assertEquals(17_701, instance.getPort());
        assertTrue(instance.isEphemeral());
        Map<String, String> metadata = instance.getMetadata();
        long publishedAt = Long.parseLong(metadata.get("publishedAt"));
        assertTrue(publishedAt >= before, "publishedAt " + publishedAt + " is the publish time");
        assertEquals(Map.ofEntries(Map.entry("id", "meta"), Map.entry("host", "10.9.8.7"), Map.entry("tcpPort", "7000"),
                Map.entry("wsPort", "7001"), Map.entry("internalPort", "17701"), Map.entry("connections", "42"),
                Map.entry("state", "DRAINING"), Map.entry("appIds", "chat,game"), Map.entry("gray", "canary"),
                Map.entry("updatedAt", "1700000004000"), Map.entry("wsPath", "/im"), Map.entry("tls", "true"),
                Map.entry("capacity", "1000"), Map.entry("zone", "zone-a"),
                Map.entry("publishedAt", Long.toString(publishedAt))), metadata);
    }

    @Test
    void aGateWhoseNacosConnectionEndsLeavesWithoutARemove() {
        NacosGateRegistry crashing = NacosGateRegistry.connect(CONFIG, Duration.ofMinutes(5), Clock.systemUTC());
        await().atMost(VISIBLE).ignoreExceptions().untilAsserted(crashing::checkServer);
        GateRegistry reader = registry(Duration.ofMinutes(5));
        crashing.publish(gate("crash", 17_801, 1)).join();
        await().atMost(VISIBLE).until(() -> reader.find("crash").join().isPresent());
        crashing.close(); // as the process ending: no remove; the long ttl is not what removes it
        await().atMost(Duration.ofMinutes(1)).until(() -> reader.find("crash").join().isEmpty());
    }

    @Test
    void oneRegistryPublishesOneGate() {
        GateRegistry registry = registry(Duration.ofMinutes(5));
        registry.publish(gate("one", 17_901, 1)).join();
        CompletionException e = assertThrows(CompletionException.class,
                () -> registry.publish(gate("two", 17_902, 1)).join());
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("one registry per gate"), e.getCause().getMessage());
    }
}
