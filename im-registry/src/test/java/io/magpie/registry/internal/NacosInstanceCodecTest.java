package io.magpie.registry.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.alibaba.nacos.api.naming.pojo.Instance;
import io.magpie.registry.GateInfo;
import io.magpie.registry.GateState;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NacosInstanceCodecTest {

    private static final GateInfo GATE = new GateInfo("g1", "10.0.0.5", 7000, 7001, 7002, 1234, GateState.DRAINING,
            Set.of("game", "chat"), "canary", 1_700_000_000_000L, "/im", true, 50_000, "eu-west-1a");

    @Test
    void theInstanceIsTheRouterEndpointAndTheMetadataTheRedisFieldsPlusPublishedAt() {
        Instance instance = NacosInstanceCodec.encode(GATE, 1_700_000_000_123L);
        assertEquals("10.0.0.5", instance.getIp());
        assertEquals(7002, instance.getPort());
        assertTrue(instance.isEphemeral() && instance.isHealthy() && instance.isEnabled());
        assertEquals(1.0, instance.getWeight());
        Map<String, String> expected = new LinkedHashMap<>(GateInfoCodec.encode(GATE));
        expected.put("publishedAt", "1700000000123");
        assertEquals(expected, instance.getMetadata());
        // byte-exact, as docs/operations.md lists them
        assertEquals(List.of("id", "host", "tcpPort", "wsPort", "internalPort", "connections", "state", "appIds", "gray",
                "updatedAt", "wsPath", "tls", "capacity", "zone", "publishedAt"),
                List.copyOf(instance.getMetadata().keySet()));
        assertEquals("chat,game", instance.getMetadata().get("appIds"));
        assertEquals("DRAINING", instance.getMetadata().get("state"));
        assertEquals("true", instance.getMetadata().get("tls"));
    }

    @Test
    void roundTripsEveryFieldAndThePublishTime() {
        NacosInstanceCodec.Published p = NacosInstanceCodec.decode(NacosInstanceCodec.encode(GATE, 99L));
        assertEquals(GATE, p.gate());
        assertEquals(99L, p.publishedAtMillis());
    }

    @Test
    void theMetadataNotTheInstanceAddressSaysWhereTheGateIs() {
        Instance instance = NacosInstanceCodec.encode(GATE, 1L);
        instance.setIp("192.168.1.1"); // e.g. rewritten by a proxy or the console
        instance.setPort(1);
        assertEquals(GATE, NacosInstanceCodec.decode(instance).gate());
    }

    @Test
    void anInstanceWithoutPublishTimeOrWithAMalformedFieldIsRefusedNamingIt() {
        Instance instance = NacosInstanceCodec.encode(GATE, 1L);
        Map<String, String> metadata = new HashMap<>(instance.getMetadata());
        metadata.remove("publishedAt");
        instance.setMetadata(metadata);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NacosInstanceCodec.decode(instance));
        assertTrue(e.getMessage().contains("publishedAt") && e.getMessage().contains("g1"), e.getMessage());

        metadata.put("publishedAt", "soon");
        metadata.put("connections", "many");
        instance.setMetadata(metadata);
        e = assertThrows(IllegalArgumentException.class, () -> NacosInstanceCodec.decode(instance));
        assertTrue(e.getMessage().contains("g1"), e.getMessage());
    }

    @Test
    void anInstanceOfSomethingElseIsRefused() {
        Instance foreign = new Instance();
        foreign.setIp("10.0.0.1");
        foreign.setPort(8080);
        assertThrows(IllegalArgumentException.class, () -> NacosInstanceCodec.decode(foreign));
    }

    @Test
    void aGateWithoutInternalPortCannotBeAnInstance() {
        GateInfo portless = new GateInfo("g2", "h", 7000, 0, 0, 0, GateState.ACTIVE, Set.of(), "", 1L);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NacosInstanceCodec.encode(portless, 1L));
        assertTrue(e.getMessage().contains("g2") && e.getMessage().contains("internal port"), e.getMessage());
    }
}
