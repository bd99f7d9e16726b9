package io.magpie.registry;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Names every Redis key Magpie uses, under one prefix (see CONTRACTS.md, Redis). Immutable and
 * thread-safe.
 */
public final class RedisKeys {

    private final String prefix;

    public RedisKeys(String prefix) {
        this.prefix = Objects.requireNonNull(prefix, "prefix");
    }

    public String prefix() {
        return prefix;
    }

    /** HASH device id -> {@code gateId|connectionId|platform|loginAtMillis}. */
    public String route(long uid) {
        return prefix + "route:" + uid;
    }

    /** HASH describing one gate, expiring unless the gate republishes it. */
    public String gate(String gateId) {
        return prefix + "gate:" + gateId;
    }

    /** SET of gate ids that published at least once (readers drop ids whose hash expired). */
    public String gates() {
        return prefix + "gates";
    }

    /** STRING owner token of snowflake worker id {@code n}, with the lease TTL. */
    public String idgenWorker(int n) {
        return prefix + "idgen:worker:" + n;
    }

    /** ZSET watcher uid -> expiry (ms): who explicitly watches the presence of {@code uid}. */
    public String presenceWatchers(long uid) {
        return prefix + "presence:watchers:" + uid;
    }

    /** SET of the uids {@code watcher} explicitly watches (its watch list), expiring unless set again. */
    public String presenceWatching(long watcher) {
        return prefix + "presence:watching:" + watcher;
    }

    /** A key as UTF-8 bytes, for the {@code byte[]} connection. */
    public static byte[] bytes(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }
}
