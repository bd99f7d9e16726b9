package io.magpie.lsb.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.registry.GateInfo;
import io.magpie.registry.GateState;
import io.magpie.lsb.internal.LsbJson.GateAddress;
import io.magpie.lsb.internal.LsbJson.GateView;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LsbJsonTest {

    private static GateInfo gate(String host, int wsPort, String gray) {
        return new GateInfo("g1", host, 9000, wsPort, 9002, 4, GateState.ACTIVE, Set.of("b", "a"), gray, 1000);
    }

    @Test
    void theAddressCarriesTcpAndWebSocketEndpoints() {
        GateAddress a = GateAddress.of(gate("10.0.0.7", 9001, ""));

        assertEquals("10.0.0.7:9000", a.tcp());
        assertEquals("ws://10.0.0.7:9001/ws", a.ws());
    }

    @Test
    void theWsUrlUsesThePathTheGatePublished() {
        GateInfo onChatPath = new GateInfo("g1", "10.0.0.7", 9000, 9001, 9002, 4, GateState.ACTIVE, Set.of(), "",
                1000, "/im/chat");

        assertEquals("ws://10.0.0.7:9001/im/chat", GateAddress.of(onChatPath).ws());
    }

    @Test
    void aTlsGateIsHandedOutWithAWssUrlAndTheTlsFlag() {
        GateInfo tls = new GateInfo("g1", "10.0.0.7", 9000, 9001, 9002, 4, GateState.ACTIVE, Set.of(), "", 1000,
                "/ws", true);

        GateAddress a = GateAddress.of(tls);

        assertEquals("wss://10.0.0.7:9001/ws", a.ws());
        assertTrue(a.tls());
        assertFalse(GateAddress.of(gate("10.0.0.7", 9001, "")).tls());
    }

    @Test
    void ipv6HostsAreBracketedInEndpoints() {
        GateAddress a = GateAddress.of(gate("fd00::7", 9001, ""));

        assertEquals("fd00::7", a.host());
        assertEquals("[fd00::7]:9000", a.tcp());
        assertEquals("ws://[fd00::7]:9001/ws", a.ws());
    }

    @Test
    void aGateWithoutWebSocketHasNoWsUrl() {
        assertNull(GateAddress.of(gate("h", 0, "")).ws());
    }

    @Test
    void theOpsViewShowsReportAgeSortedAppsAndNoEmptyGrayTag() {
        GateView v = GateView.of(new GateSelector.GateLoad(gate("h", 9001, ""), 3), 4000);

        assertEquals(3000, v.reportAgeMillis());
        assertEquals(List.of("a", "b"), List.copyOf(v.appIds()));
        assertNull(v.gray());
        assertEquals(3, v.recentAssignments());
        assertEquals("canary", GateView.of(new GateSelector.GateLoad(gate("h", 9001, "canary"), 0), 0).gray());
    }

    @Test
    void theAddressSaysTheChosenZoneOrNullForNone() {
        GateInfo zoned = new GateInfo("g1", "h", 9000, 9001, 9002, 4, GateState.ACTIVE, Set.of(), "", 1000, "/ws",
                false, 100, "zone-a");

        assertEquals("zone-a", GateAddress.of(zoned).zone());
        assertNull(GateAddress.of(gate("h", 9001, "")).zone());
    }

    @Test
    void theOpsViewShowsCapacityZoneAndRelativeLoad() {
        GateInfo zoned = new GateInfo("g1", "h", 9000, 9001, 9002, 30, GateState.ACTIVE, Set.of(), "", 1000, "/ws",
                false, 300, "zone-a");

        GateView v = GateView.of(new GateSelector.GateLoad(zoned, 3), 1000);

        assertEquals(300, v.capacity());
        assertEquals("zone-a", v.zone());
        assertEquals(0.11, v.relativeLoad(), 1e-9);
        assertNull(GateView.of(new GateSelector.GateLoad(gate("h", 9001, ""), 0), 0).zone());
    }
}
