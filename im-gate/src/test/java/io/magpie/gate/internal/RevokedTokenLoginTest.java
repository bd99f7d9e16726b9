package io.magpie.gate.internal;

import static io.magpie.gate.internal.TestFrames.next;
import static io.magpie.gate.internal.TestFrames.nextError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.registry.ActiveSessions;
import io.magpie.gate.DevicePolicy;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.auth.TokenClaims;
import io.magpie.protocol.proto.Error;
import io.magpie.protocol.proto.Platform;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** LOGIN with tokens of revoked device sessions, and LOGOUT revoking the session it logged in with. */
class RevokedTokenLoginTest {

    private final LoginHarness gate = new LoginHarness();
    private final InMemorySessions store = new InMemorySessions();
    private final LoginServices services = new LoginServices(LoginHarness.GATE, gate.config.loginTimeout(), 30,
            gate.clock, gate.tokens, gate.connectionIds::incrementAndGet, gate.sessionRoutes, gate.kicker,
            DevicePolicy.MULTI_DEVICE, store);
    private final ClientPipeline pipeline = new ClientPipeline(gate.config, gate.clock, gate.ticker, gate.upstream,
            services);

    private EmbeddedChannel connect() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(ClientPipeline.LOGIN, new LoginHandler(services, pipeline, "tcp"));
        return channel;
    }

    private String token(long uid, String device, long sessionId) {
        return gate.tokens.issue(new TokenClaims(uid, device, Platform.IOS, LoginHarness.NOW + 600_000, sessionId));
    }

    private EmbeddedChannel login(String token) {
        EmbeddedChannel channel = connect();
        channel.writeInbound(LoginHarness.login(5, token));
        channel.runPendingTasks();
        return channel;
    }

    @Test
    void aTokenOfTheDevicesCurrentSessionLogsIn() {
        store.current.put("42:phone", "7");

        EmbeddedChannel channel = login(token(42, "phone", 7));

        assertEquals(Command.LOGIN_ACK.code(), next(channel).command());
        assertTrue(channel.isActive());
        assertEquals(1, gate.routes.registered.size());
    }

    @Test
    void aTokenOfAReplacedSessionIsRefusedBeforeItRegistersOrKicksAnything() {
        store.current.put("42:phone", "8"); // the device logged in again: session 8 replaced 7

        EmbeddedChannel channel = login(token(42, "phone", 7));

        Error error = nextError(channel, ErrorCode.INVALID_TOKEN, 5);
        assertTrue(error.getMessage().contains("logged in again") && error.getMessage().contains("refresh"),
                error.getMessage());
        assertFalse(channel.isOpen());
        assertTrue(gate.routes.registered.isEmpty(), "a revoked token registers no route");
        assertTrue(gate.pushTasks.published.isEmpty(), "a revoked token kicks nobody's live session");
    }

    @Test
    void aTokenOfAnUnknownSessionIsRefusedAndToldToRefresh() {
        EmbeddedChannel channel = login(token(42, "phone", 7)); // revoked over HTTP, or Redis lost it

        Error error = nextError(channel, ErrorCode.INVALID_TOKEN, 5);
        assertTrue(error.getMessage().contains("POST /v1/sessions/refresh"), error.getMessage());
        assertFalse(channel.isOpen());
    }

    @Test
    void anUnreachableSessionStoreIsARetryableRefusal() {
        store.failing = true;

        EmbeddedChannel channel = login(token(42, "phone", 7));

        Error error = nextError(channel, ErrorCode.SERVER_BUSY, 5);
        assertTrue(error.getRetryable());
        assertFalse(channel.isOpen());
        assertTrue(gate.routes.registered.isEmpty());
    }

    @Test
    void logoutRevokesTheSessionSoItsTokenCannotLogInAgain() {
        store.current.put("42:phone", "7");
        String token = token(42, "phone", 7);
        EmbeddedChannel channel = login(token);
        assertEquals(Command.LOGIN_ACK.code(), next(channel).command());

        channel.writeInbound(new Frame(Command.LOGOUT.code(), 9, 0, new byte[0]));
        channel.runPendingTasks();

        assertFalse(channel.isOpen(), "LOGOUT closes the connection");
        assertEquals("out:7", store.current.get("42:phone"));
        EmbeddedChannel again = login(token);
        Error error = nextError(again, ErrorCode.INVALID_TOKEN, 5);
        assertTrue(error.getMessage().contains("logged out"), error.getMessage());
        assertFalse(again.isOpen());
    }

    @Test
    void unboundTokensMintedWithTheSecretSkipTheSessionCheck() {
        store.failing = true; // not even asked

        EmbeddedChannel channel = login(gate.token(42, "phone"));

        assertEquals(Command.LOGIN_ACK.code(), next(channel).command());
    }

    /** The semantics of RedisActiveSessions, in a map: "uid:device" -> session id or "out:" + id. */
    private static final class InMemorySessions implements ActiveSessions {
        final Map<String, String> current = new HashMap<>();
        boolean failing;

        @Override
        public CompletableFuture<Status> status(long uid, String deviceId, long sessionId) {
            if (failing) {
                return CompletableFuture.failedFuture(new IllegalStateException("redis is down"));
            }
            String value = current.get(uid + ":" + deviceId);
            if (value == null) {
                return CompletableFuture.completedFuture(Status.UNKNOWN);
            }
            if (value.equals(Long.toString(sessionId))) {
                return CompletableFuture.completedFuture(Status.CURRENT);
            }
            return CompletableFuture.completedFuture(value.equals("out:" + sessionId) ? Status.LOGGED_OUT
                    : Status.REPLACED);
        }

        @Override
        public CompletableFuture<Void> activate(long uid, String deviceId, long sessionId, Duration ttl) {
            current.put(uid + ":" + deviceId, Long.toString(sessionId));
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> revoke(long uid, String deviceId) {
            current.remove(uid + ":" + deviceId);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> logout(long uid, String deviceId, long sessionId, Duration ttlIfAbsent) {
            String key = uid + ":" + deviceId;
            String value = current.get(key);
            if (value == null || value.equals(Long.toString(sessionId))) {
                current.put(key, "out:" + sessionId);
            }
            return CompletableFuture.completedFuture(null);
        }
    }
}
