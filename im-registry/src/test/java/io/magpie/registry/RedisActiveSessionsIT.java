package io.magpie.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.registry.ActiveSessions.Status;
import io.magpie.engines.Infrastructure;
import io.magpie.testkit.InfrastructureExtension;
import io.magpie.engines.TestIsolation;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The gates' copy of the current device sessions, on a real Redis. */
@ExtendWith(InfrastructureExtension.class)
class RedisActiveSessionsIT {

    private static RedisStore store;
    private static RedisActiveSessions sessions;

    @BeforeAll
    static void connect(Infrastructure infra, TestIsolation isolation) {
        store = RedisStore.connect(new RedisConfig(infra.redisUri(), isolation.redisKeyPrefix()));
        sessions = new RedisActiveSessions(store);
    }

    @AfterAll
    static void close() {
        store.close();
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(5, TimeUnit.SECONDS);
    }

    @Test
    void aNewerSessionReplacesTheOlderOne() throws Exception {
        get(sessions.activate(1, "phone", 7, Duration.ofMinutes(1)));
        assertEquals(Status.CURRENT, get(sessions.status(1, "phone", 7)));

        get(sessions.activate(1, "phone", 8, Duration.ofMinutes(1)));

        assertEquals(Status.REPLACED, get(sessions.status(1, "phone", 7)));
        assertEquals(Status.CURRENT, get(sessions.status(1, "phone", 8)));
        assertEquals(Status.UNKNOWN, get(sessions.status(1, "tablet", 8)));
    }

    @Test
    void aLogoutMarksTheSessionAndKeepsItsLifetime() throws Exception {
        get(sessions.activate(2, "phone", 7, Duration.ofMinutes(10)));

        get(sessions.logout(2, "phone", 7, Duration.ofDays(365)));

        assertEquals(Status.LOGGED_OUT, get(sessions.status(2, "phone", 7)));
        long ttl = store.strings().sync().pttl(sessions.key(2, "phone"));
        assertTrue(ttl > 0 && ttl <= Duration.ofMinutes(10).toMillis(), "ttl " + ttl);
    }

    @Test
    void aLogoutOfAnOlderSessionLeavesTheNewerOneAlone() throws Exception {
        get(sessions.activate(3, "phone", 8, Duration.ofMinutes(1)));

        get(sessions.logout(3, "phone", 7, Duration.ofDays(365)));

        assertEquals(Status.CURRENT, get(sessions.status(3, "phone", 8)));
    }

    @Test
    void aLogoutAfterRedisLostTheEntryIsStillRecorded() throws Exception {
        get(sessions.logout(4, "phone", 7, Duration.ofMinutes(5)));

        assertEquals(Status.LOGGED_OUT, get(sessions.status(4, "phone", 7)));
        assertTrue(store.strings().sync().pttl(sessions.key(4, "phone")) > 0);
    }

    @Test
    void aRevokedSessionIsUnknown() throws Exception {
        get(sessions.activate(5, "phone", 7, Duration.ofMinutes(1)));

        get(sessions.revoke(5, "phone"));

        assertEquals(Status.UNKNOWN, get(sessions.status(5, "phone", 7)));
    }
}
