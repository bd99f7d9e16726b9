package io.magpie.registry.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.registry.GateInfo;
import io.magpie.registry.GateState;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GateInfoCodecTest {

    @Test
    void roundTripsEveryField() {
        GateInfo gate = new GateInfo("g1", "10.0.0.5", 7000, 7001, 7002, 1234, GateState.DRAINING,
                Set.of("chat", "game"), "canary", 1_700_000_000_000L, "/im");
        Map<String, String> fields = GateInfoCodec.encode(gate);
        assertEquals("/im", fields.get("wsPath"));
        assertEquals("chat,game", fields.get("appIds"));
        assertEquals("DRAINING", fields.get("state"));
        assertEquals("canary", fields.get("gray"));
        assertEquals(gate, GateInfoCodec.decode(fields));
    }

    @Test
    void emptyAppIdsMeanAll() {
        GateInfo gate = new GateInfo("g1", "h", 1, 0, 2, 0, GateState.ACTIVE, Set.of(), "", 5);
        assertEquals(Set.of(), GateInfoCodec.decode(GateInfoCodec.encode(gate)).appIds());
    }

    @Test
    void anEntryWithoutWsPathIsOnTheDefaultPath() {
        Map<String, String> fields = new HashMap<>(GateInfoCodec.encode(
                new GateInfo("g1", "h", 1, 7001, 2, 0, GateState.ACTIVE, Set.of(), "", 5, "/im")));
        fields.remove("wsPath"); // as a gate from before the field wrote it
        assertEquals("/ws", GateInfoCodec.decode(fields).wsPath());
    }

    @Test
    void aTlsGateSaysSoAndAnOlderEntryIsPlaintext() {
        GateInfo tls = new GateInfo("g1", "h", 1, 7001, 2, 0, GateState.ACTIVE, Set.of(), "", 5, "/ws", true);
        Map<String, String> fields = new HashMap<>(GateInfoCodec.encode(tls));
        assertEquals("true", fields.get("tls"));
        assertTrue(GateInfoCodec.decode(fields).tls());
        fields.remove("tls"); // as a gate from before the field wrote it
        assertEquals(false, GateInfoCodec.decode(fields).tls());
    }

    @Test
    void capacityAndZoneRoundTrip() {
        GateInfo gate = new GateInfo("g1", "h", 1, 7001, 2, 40, GateState.ACTIVE, Set.of(), "", 5, "/ws", false,
                50_000, "eu-west-1a");
        Map<String, String> fields = GateInfoCodec.encode(gate);
        assertEquals("50000", fields.get("capacity"));
        assertEquals("eu-west-1a", fields.get("zone"));
        assertEquals(gate, GateInfoCodec.decode(fields));
    }

    @Test
    void anEntryWithoutCapacityOrZoneHasTheDefaultCapacityAndNoZone() {
        Map<String, String> fields = new HashMap<>(GateInfoCodec.encode(new GateInfo("g1", "h", 1, 7001, 2, 0,
                GateState.ACTIVE, Set.of(), "", 5, "/ws", false, 10, "z1")));
        fields.remove("capacity"); // as a gate from before the fields wrote it
        fields.remove("zone");
        GateInfo old = GateInfoCodec.decode(fields);
        assertEquals(GateInfo.DEFAULT_CAPACITY, old.capacity());
        assertEquals("", old.zone());
    }

    @Test
    void anEntryWithFieldsOfANewerVersionStillParses() {
        Map<String, String> fields = new HashMap<>(GateInfoCodec.encode(
                new GateInfo("g1", "h", 1, 0, 2, 0, GateState.ACTIVE, Set.of(), "", 5)));
        fields.put("someFutureField", "x");
        assertEquals("g1", GateInfoCodec.decode(fields).gateId());
    }

    @Test
    void aMalformedCapacityIsNamed() {
        Map<String, String> fields = new HashMap<>(GateInfoCodec.encode(
                new GateInfo("g1", "h", 1, 0, 2, 0, GateState.ACTIVE, Set.of(), "", 5)));
        fields.put("capacity", "0");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GateInfoCodec.decode(fields));
        assertTrue(e.getMessage().contains("capacity") && e.getMessage().contains("g1"), e.getMessage());
    }

    @Test
    void missingFieldIsNamed() {
        Map<String, String> fields = new HashMap<>(GateInfoCodec.encode(
                new GateInfo("g1", "h", 1, 0, 2, 0, GateState.ACTIVE, Set.of(), "", 5)));
        fields.remove("internalPort");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GateInfoCodec.decode(fields));
        assertTrue(e.getMessage().contains("internalPort") && e.getMessage().contains("g1"), e.getMessage());
    }
}
