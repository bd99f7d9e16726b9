package io.magpie.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GateConfigTest {

    @Test
    void theTransportIsAutoByDefaultAndParsedByItsSettingsSpelling() {
        assertEquals(GateTransport.AUTO, GateConfig.defaults().transport());
        assertEquals(GateTransport.EPOLL, GateTransport.parse(" Epoll "));
        assertEquals(GateTransport.NIO, GateTransport.parse("nio"));
        assertEquals("auto", GateTransport.AUTO.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GateTransport.parse("kqueue"));
        assertEquals("gate.transport must be auto, epoll or nio, got 'kqueue'", e.getMessage());
        assertEquals(GateTransport.NIO, GateTransport.NIO.resolve());
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        GateConfig config = GateConfig.defaults();
        assertEquals("127.0.0.1", config.advertisedHost());
        assertEquals(7000, config.tcpPort());
        assertEquals(7001, config.wsPort());
        assertEquals("/ws", config.wsPath());
        assertEquals(7002, config.internalPort());
        assertEquals(65536, config.maxFrameBytes());
        assertEquals(Duration.ofSeconds(5), config.loginTimeout());
        assertEquals(Duration.ofSeconds(30), config.heartbeatInterval());
        assertEquals(Duration.ofSeconds(90), config.idleTimeout());
        assertEquals(Duration.ofSeconds(3), config.registryRefresh());
        assertEquals(Set.of(), config.appIds());
        assertEquals("", config.grayTag());
        assertEquals(Duration.ofSeconds(5), config.pushAckTimeout());
        assertEquals(3, config.maxPushResends());
        assertEquals(1000, config.maxUnackedPushes());
        assertEquals(Duration.ofSeconds(30), config.routeRefresh());
        assertEquals(DevicePolicy.MULTI_DEVICE, config.devicePolicy());
    }

    @Test
    void toBuilderKeepsTheDeliverySettings() {
        GateConfig config = GateConfig.builder().pushAckTimeout(Duration.ofMillis(300)).maxPushResends(0)
                .maxUnackedPushes(5).routeRefresh(Duration.ofSeconds(1))
                .devicePolicy(DevicePolicy.ONE_PER_PLATFORM_CLASS).build();
        assertEquals(config, config.toBuilder().build());
    }

    @Test
    void deliverySettingsOutOfRangeFailNamingTheSetting() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> GateConfig.builder().pushAckTimeout(Duration.ofMillis(10)).build());
        assertTrue(e.getMessage().contains("gate.push-ack-timeout"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GateConfig.builder().maxPushResends(11).build());
        assertTrue(e.getMessage().contains("gate.max-push-resends") && e.getMessage().contains("11"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GateConfig.builder().maxUnackedPushes(0).build());
        assertTrue(e.getMessage().contains("gate.max-unacked-pushes"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> GateConfig.builder().routeRefresh(Duration.ofHours(2)).build());
        assertTrue(e.getMessage().contains("gate.route-refresh"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GateConfig.builder().devicePolicy(null).build());
        assertTrue(e.getMessage().contains("gate.device-policy"), e.getMessage());
    }

    @Test
    void everyStartGetsAFreshGateIdUnlessOneIsSet() {
        String a = GateConfig.defaults().gateId();
        String b = GateConfig.defaults().gateId();
        assertNotEquals(a, b);
        assertTrue(a.matches("[A-Za-z0-9._-]+-[a-z0-9]{6}"), a);
        assertEquals("g1", GateConfig.builder().gateId("g1").build().gateId());
    }

    @Test
    void outOfRangeValuesFailNamingTheSetting() {
        var e = assertThrows(IllegalArgumentException.class, () -> GateConfig.builder().tcpPort(70000).build());
        assertTrue(e.getMessage().contains("gate.tcp-port") && e.getMessage().contains("70000"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> GateConfig.builder().loginTimeout(Duration.ZERO).build());
        assertTrue(e.getMessage().contains("gate.login-timeout"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GateConfig.builder().gateId("a|b").build());
        assertTrue(e.getMessage().contains("gate.id"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GateConfig.builder().wsPath("ws").build());
        assertTrue(e.getMessage().contains("gate.ws-path"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GateConfig.builder().appIds(Set.of("a,b")).build());
        assertTrue(e.getMessage().contains("gate.app-ids"), e.getMessage());
    }

    @Test
    void capacityDefaultsToMaxConnectionsAndZoneToNone() {
        GateConfig config = GateConfig.builder().maxConnections(5000).build();
        assertEquals(0, config.capacity());
        assertEquals(5000, config.effectiveCapacity());
        assertEquals("", config.zone());
        assertEquals(200_000, GateConfig.defaults().effectiveCapacity());
        GateConfig sized = GateConfig.builder().maxConnections(5000).capacity(4000).zone("eu-1a").build();
        assertEquals(4000, sized.effectiveCapacity());
        assertEquals("eu-1a", sized.zone());
        assertEquals(sized, sized.toBuilder().build());
    }

    @Test
    void aCapacityAboveMaxConnectionsOrABadZoneFailNamingTheSettings() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> GateConfig.builder().maxConnections(1000).capacity(1001).build());
        assertTrue(e.getMessage().contains("gate.capacity") && e.getMessage().contains("gate.max-connections")
                && e.getMessage().contains("1001"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GateConfig.builder().capacity(-1).build());
        assertTrue(e.getMessage().contains("gate.capacity"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GateConfig.builder().zone("eu west").build());
        assertTrue(e.getMessage().contains("gate.zone") && e.getMessage().contains("eu west"), e.getMessage());
    }
}
