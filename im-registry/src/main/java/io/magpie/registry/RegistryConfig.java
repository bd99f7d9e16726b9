package io.magpie.registry;

import java.util.Locale;
import java.util.Objects;

/**
 * Which {@link GateRegistry} the roles of a process use ({@code registry.type}).
 *
 * @param type  {@link Type#REDIS} (the default) or {@link Type#NACOS}
 * @param nacos the Nacos settings; required for {@link Type#NACOS}, null for {@link Type#REDIS}
 */
public record RegistryConfig(Type type, NacosConfig nacos) {

    /** The registry implementations. */
    public enum Type {
        /** {@link RedisGateRegistry} on the process's Redis ({@code redis.*}). */
        REDIS,
        /** {@link NacosGateRegistry}: one ephemeral Nacos instance per gate. */
        NACOS;

        /**
         * {@code redis} or {@code nacos}, any case.
         *
         * @throws IllegalArgumentException naming the setting and the values it takes
         */
        public static Type parse(String value) {
            String v = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
            return switch (v) {
                case "redis" -> REDIS;
                case "nacos" -> NACOS;
                default -> throw new IllegalArgumentException("registry.type must be redis or nacos, got '" + value
                        + "'");
            };
        }
    }

    /** The default: the gate registry in Redis. */
    public static final RegistryConfig REDIS_DEFAULT = new RegistryConfig(Type.REDIS, null);

    public RegistryConfig {
        Objects.requireNonNull(type, "registry.type");
        if (type == Type.NACOS && nacos == null) {
            throw new IllegalArgumentException("registry.type is nacos but the registry.nacos settings are missing;"
                    + " set registry.nacos.server-addr to host:8848");
        }
        if (type == Type.REDIS) {
            nacos = null;
        }
    }
}
