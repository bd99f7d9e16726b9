package io.magpie.registry.internal;

import com.alibaba.nacos.api.naming.pojo.Instance;
import io.magpie.registry.GateInfo;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Maps a {@link GateInfo} to the Nacos instance a gate registers and back. The instance is the gate's router
 * endpoint ({@code ip} = {@link GateInfo#host()}, {@code port} = {@link GateInfo#internalPort()}), ephemeral,
 * healthy and enabled, weight 1; its metadata holds every field exactly as {@link GateInfoCodec} writes the Redis
 * hash (same keys, same value formats), plus {@value #PUBLISHED_AT}: when the registry wrote it (ms since the
 * epoch, the writer's clock), which readers use to drop a gate that stopped republishing.
 */
public final class NacosInstanceCodec {

    /** The metadata key of the publish time; not a {@link GateInfoCodec} field. */
    public static final String PUBLISHED_AT = "publishedAt";

    private NacosInstanceCodec() {
    }

    /** A gate as published at {@code publishedAtMillis}. */
    public record Published(GateInfo gate, long publishedAtMillis) {
    }

    /**
     * @throws IllegalArgumentException when the gate has no internal port: Nacos needs a port in 1..65535, and a
     *                                  router could not reach such a gate anyway
     */
    public static Instance encode(GateInfo gate, long publishedAtMillis) {
        if (gate.internalPort() < 1 || gate.internalPort() > 65_535) {
            throw new IllegalArgumentException("gate " + gate.gateId() + ": a Nacos instance needs the internal port"
                    + " (1..65535) as its port, got " + gate.internalPort() + "; publish the bound port");
        }
        Map<String, String> metadata = new LinkedHashMap<>(GateInfoCodec.encode(gate));
        metadata.put(PUBLISHED_AT, Long.toString(publishedAtMillis));
        Instance instance = new Instance();
        instance.setIp(gate.host());
        instance.setPort(gate.internalPort());
        instance.setEphemeral(true);
        instance.setHealthy(true);
        instance.setEnabled(true);
        instance.setWeight(1.0);
        instance.setMetadata(metadata);
        return instance;
    }

    /**
     * Reads the gate from the instance's metadata (its ip and port are not consulted: the metadata carries host
     * and internalPort). Fields {@link GateInfoCodec} treats as optional are optional here too.
     *
     * @throws IllegalArgumentException naming the gate and the field when one is missing or malformed
     */
    public static Published decode(Instance instance) {
        Map<String, String> metadata = instance.getMetadata() == null ? Map.of() : instance.getMetadata();
        GateInfo gate = GateInfoCodec.decode(metadata);
        String publishedAt = metadata.get(PUBLISHED_AT);
        if (publishedAt == null) {
            throw new IllegalArgumentException("gate " + gate.gateId() + ": Nacos instance " + instance.getIp() + ":"
                    + instance.getPort() + " lacks metadata '" + PUBLISHED_AT + "'");
        }
        try {
            return new Published(gate, Long.parseLong(publishedAt));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("gate " + gate.gateId() + ": metadata '" + PUBLISHED_AT
                    + "' is not a number: '" + publishedAt + "'", e);
        }
    }
}
