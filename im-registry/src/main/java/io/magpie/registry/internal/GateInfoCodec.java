package io.magpie.registry.internal;

import io.magpie.registry.GateInfo;
import io.magpie.registry.GateState;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Maps a {@link GateInfo} to the fields of its registry hash and back: id, host, tcpPort, wsPort,
 * internalPort, connections, state, appIds (comma list), gray, updatedAt, wsPath (absent in entries of
 * gates older than the field: read as {@link GateInfo#DEFAULT_WS_PATH}), tls ({@code true}/{@code false};
 * absent in older entries: read as false), capacity (absent in older entries: read as
 * {@link GateInfo#DEFAULT_CAPACITY}), zone (absent in older entries: read as none). Fields this version does not
 * know are ignored, so an older reader of a newer entry keeps working during a rolling upgrade.
 */
public final class GateInfoCodec {

    private GateInfoCodec() {
    }

    public static Map<String, String> encode(GateInfo gate) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("id", gate.gateId());
        fields.put("host", gate.host());
        fields.put("tcpPort", Integer.toString(gate.tcpPort()));
        fields.put("wsPort", Integer.toString(gate.wsPort()));
        fields.put("internalPort", Integer.toString(gate.internalPort()));
        fields.put("connections", Integer.toString(gate.connections()));
        fields.put("state", gate.state().name());
        fields.put("appIds", gate.appIds().stream().sorted().collect(Collectors.joining(",")));
        fields.put("gray", gate.grayTag());
        fields.put("updatedAt", Long.toString(gate.updatedAtMillis()));
        fields.put("wsPath", gate.wsPath());
        fields.put("tls", Boolean.toString(gate.tls()));
        fields.put("capacity", Integer.toString(gate.capacity()));
        fields.put("zone", gate.zone());
        return fields;
    }

    /**
     * @throws IllegalArgumentException naming the gate and field when a field is missing or malformed
     */
    public static GateInfo decode(Map<String, String> fields) {
        String id = require(fields, "id", "?");
        try {
            String appIds = fields.getOrDefault("appIds", "");
            return new GateInfo(id,
                    require(fields, "host", id),
                    Integer.parseInt(require(fields, "tcpPort", id)),
                    Integer.parseInt(require(fields, "wsPort", id)),
                    Integer.parseInt(require(fields, "internalPort", id)),
                    Integer.parseInt(require(fields, "connections", id)),
                    GateState.valueOf(require(fields, "state", id)),
                    appIds.isEmpty() ? Set.of() : Set.copyOf(Arrays.asList(appIds.split(","))),
                    fields.getOrDefault("gray", ""),
                    Long.parseLong(require(fields, "updatedAt", id)),
                    fields.getOrDefault("wsPath", GateInfo.DEFAULT_WS_PATH),
                    Boolean.parseBoolean(fields.getOrDefault("tls", "false")),
                    Integer.parseInt(fields.getOrDefault("capacity", Integer.toString(GateInfo.DEFAULT_CAPACITY))),
                    fields.getOrDefault("zone", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("gate " + id + ": malformed registry entry " + fields + ": "
                    + e.getMessage(), e);
        }
    }

    private static String require(Map<String, String> fields, String name, String gateId) {
        String value = fields.get(name);
        if (value == null) {
            throw new IllegalArgumentException("gate " + gateId + ": registry entry lacks field '" + name + "'");
        }
        return value;
    }
}
