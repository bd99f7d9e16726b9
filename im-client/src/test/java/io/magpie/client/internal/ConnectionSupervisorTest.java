package io.magpie.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.client.ConnectionLostException;
import io.magpie.client.ConnectionState;
import io.magpie.client.Credentials;
import io.magpie.client.GateAddress;
import io.magpie.client.InMemoryClientState;
import io.magpie.client.MagpieApiException;
import io.magpie.client.MagpieErrorException;
import io.magpie.client.MagpieException;
import io.magpie.client.MessageListener;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.Kick;
import io.magpie.protocol.proto.KickReason;
import io.magpie.protocol.proto.LoginAck;
import io.magpie.protocol.proto.LoginRequest;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageStatus;
import io.magpie.protocol.proto.Push;
import io.magpie.protocol.proto.PushAck;
import io.magpie.protocol.proto.Reconnect;
import io.magpie.protocol.proto.SendAck;
import io.magpie.protocol.proto.SendRequest;
import io.magpie.protocol.proto.SyncAck;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The connection state machine over connections that are EmbeddedChannels (the gate's side is played
 * by writing frames into them); time is the virtual time of another EmbeddedChannel's event loop.
 */
class ConnectionSupervisorTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final Credentials CREDS = new Credentials(7, "tok", NOW.plus(Duration.ofDays(1)));

    /** Its event loop is the supervisor's scheduler: virtual time we move by hand. */
    private final EmbeddedChannel timer = new EmbeddedChannel();
    private final EmbeddedConnector connector = new EmbeddedConnector();
    private final Recorder recorder = new Recorder();
    private final Listeners listeners = new Listeners();
    private final ConnectionSupervisor supervisor = supervisor(Clock.fixed(NOW, ZoneOffset.UTC), true);

    ConnectionSupervisorTest() {
        listeners.add(recorder);
    }

    private ConnectionSupervisor supervisor(Clock clock, boolean autoReconnect) {
        // random 0.5: attempt 0 waits 100 ms of a 200 ms bound, attempt 1 200 ms of 400 ms...
        ReconnectBackoff backoff = new ReconnectBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), () -> 0.5);
        ConnectionSupervisor[] self = new ConnectionSupervisor[1];
        DeliveryCoordinator delivery = new DeliveryCoordinator(new InMemoryClientState(), listeners,
                () -> self[0].current(), timer.eventLoop(), backoff, 100, 100);
        self[0] = new ConnectionSupervisor(connector, timer.eventLoop(), backoff, listeners, delivery, clock,
                autoReconnect, "dev-1", "test");
        return self[0];
    }

    static final class EmbeddedConnector implements GateConnector {
        final List<EmbeddedChannel> channels = new ArrayList<>();
        final Deque<RuntimeException> failNext = new ArrayDeque<>();

        @Override
        public CompletableFuture<ClientConnection> open(LoginRequest login, ClientHandler.Events events) {
            if (!failNext.isEmpty()) {
                return CompletableFuture.failedFuture(failNext.poll());
            }
            ClientHandler handler = new ClientHandler(login, false, Duration.ofSeconds(15), Duration.ofSeconds(10),
                    Duration.ofSeconds(30), events);
            EmbeddedChannel channel = new EmbeddedChannel(handler);
            channels.add(channel);
            GateAddress gate = new GateAddress("gate-" + channels.size(), "127.0.0.1", 9000, 0, "127.0.0.1:9000", null);
            return CompletableFuture.completedFuture(new ClientConnection(gate, channel, handler));
        }

        EmbeddedChannel last() {
            return channels.get(channels.size() - 1);
        }
    }

    static final class Recorder implements MessageListener {
        final List<ConnectionState> states = new ArrayList<>();
        /** The cause given with each state, null where none ("-" keeps the list's nulls visible). */
        final List<Object> causes = new ArrayList<>();
        final List<Message> messages = new ArrayList<>();
        final List<Kick> kicks = new ArrayList<>();
        final List<MagpieException> errors = new ArrayList<>();

        @Override
        public void onMessage(Message message) {
            messages.add(message);
        }

        @Override
        public void onKicked(Kick kick) {
            kicks.add(kick);
        }

        @Override
        public void onConnectionStateChanged(ConnectionState state, MagpieException cause) {
            states.add(state);
            causes.add(cause == null ? "-" : cause);
        }

        @Override
        public void onError(MagpieException error) {
            errors.add(error);
        }
    }

    /** The gate's side: answer the LOGIN waiting on the newest connection, then the SYNC that follows it. */
    private void gateAcceptsLogin() {
        EmbeddedChannel ch = connector.last();
        Frame login = ch.readOutbound();
        assertTrue(login.is(Command.LOGIN));
        assertEquals("tok", Frames.parse(login, LoginRequest.parser()).getToken());
        ch.writeInbound(Frames.of(Command.LOGIN_ACK, login.requestId(),
                LoginAck.newBuilder().setUid(7).setDeviceId("dev-1").setGateId("gate").setHeartbeatSeconds(30).build()));
        if (ch.isActive()) {
            ch.runPendingTasks();
            Frame sync = ch.readOutbound();
            assertTrue(sync.is(Command.SYNC), "a SYNC follows every login, got " + sync);
            ch.writeInbound(Frames.of(Command.SYNC_ACK, sync.requestId(), SyncAck.getDefaultInstance()));
        }
    }

    private void connected() throws Exception {
        CompletableFuture<LoginAck> f = supervisor.connect(CREDS);
        gateAcceptsLogin();
        assertEquals(7, f.get(0, TimeUnit.SECONDS).getUid());
        assertEquals(ConnectionState.CONNECTED, supervisor.state());
    }

    private void elapse(Duration d) {
        timer.advanceTimeBy(d.toMillis(), TimeUnit.MILLISECONDS);
        timer.runScheduledPendingTasks();
    }

    private static Message message(String conv, long seq) {
        return Message.newBuilder().setConversationId(conv).setSeq(seq)
                .setContent(MessageContent.newBuilder().setText("m" + seq)).build();
    }

    private static void push(EmbeddedChannel ch, int requestId, Message... messages) {
        ch.writeInbound(Frames.of(Command.PUSH, requestId, Push.newBuilder().addAllMessages(List.of(messages)).build()));
    }

    private static PushAck pushAck(EmbeddedChannel ch) {
        Frame f = ch.readOutbound();
        assertTrue(f.is(Command.PUSH_ACK), "expected PUSH_ACK, got " + f);
        return Frames.parse(f, PushAck.parser());
    }

    @Test
    void loginAckCompletesConnectAndReportsTheStates() throws Exception {
        connected();

        assertEquals(List.of(ConnectionState.CONNECTING, ConnectionState.CONNECTED), recorder.states);
        assertFalse(supervisor.current() == null);
    }

    @Test
    void aRefusedFirstLoginFailsConnectAndDoesNotRetry() {
        CompletableFuture<LoginAck> f = supervisor.connect(CREDS);
        EmbeddedChannel ch = connector.last();
        Frame login = ch.readOutbound();

        ch.writeInbound(Frames.error(login.requestId(), Command.LOGIN, ErrorCode.INVALID_TOKEN, "bad signature"));

        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(0, TimeUnit.SECONDS));
        assertEquals(ErrorCode.INVALID_TOKEN, ((MagpieErrorException) e.getCause()).code());
        assertEquals(ConnectionState.DISCONNECTED, supervisor.state());
        elapse(Duration.ofMinutes(1));
        assertEquals(1, connector.channels.size(), "no retry of a first connect");
    }

    @Test
    void noGateFromTheLsbFailsTheFirstConnect() {
        connector.failNext.add(new MagpieApiException(503, "NO_GATE", "no ACTIVE gate is registered"));

        CompletableFuture<LoginAck> f = supervisor.connect(CREDS);

        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(0, TimeUnit.SECONDS));
        assertEquals("NO_GATE", ((MagpieApiException) e.getCause()).code());
        assertEquals(ConnectionState.DISCONNECTED, supervisor.state());
    }

    @Test
    void connectingTwiceIsRefused() throws Exception {
        connected();

        ExecutionException e = assertThrows(ExecutionException.class,
                () -> supervisor.connect(CREDS).get(0, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, e.getCause());
    }

    @Test
    void anUnexpectedCloseReconnectsThroughTheConnectorAfterTheBackoff() throws Exception {
        connected();

        connector.last().close();

        assertEquals(ConnectionState.RECONNECTING, supervisor.state());
        assertNull(supervisor.current());
        elapse(Duration.ofMillis(99));
        assertEquals(1, connector.channels.size(), "waits out the jittered backoff first");
        elapse(Duration.ofMillis(1));
        assertEquals(2, connector.channels.size());
        gateAcceptsLogin();
        assertEquals(ConnectionState.CONNECTED, supervisor.state());
        assertEquals(List.of(ConnectionState.CONNECTING, ConnectionState.CONNECTED, ConnectionState.RECONNECTING,
                ConnectionState.CONNECTED), recorder.states);
    }

    @Test
    void aSlowConsumerCloseReconnectsThroughTheLsbWithTheBackoffAndTellsTheStateListenerWhy() throws Exception {
        timer.freezeTime();
        connected();
        EmbeddedChannel first = connector.last();

        // the gate's output queue for us passed its limit: one ERROR (request id 0), then it closes
        first.writeInbound(Frames.error(0, 0, ErrorCode.SLOW_CONSUMER, "queued output over 1048576 bytes"));
        first.close();

        assertEquals(ConnectionState.RECONNECTING, supervisor.state());
        MagpieErrorException cause = assertInstanceOf(MagpieErrorException.class,
                recorder.causes.get(recorder.states.lastIndexOf(ConnectionState.RECONNECTING)));
        assertEquals(ErrorCode.SLOW_CONSUMER, cause.code());
        assertTrue(cause.retryable());
        elapse(Duration.ofMillis(99));
        assertEquals(1, connector.channels.size(), "the usual jittered backoff, not a tight loop");
        elapse(Duration.ofMillis(1));
        assertEquals(2, connector.channels.size(), "a new connection, from a new LSB answer");
        gateAcceptsLogin(); // asserts the SYNC that follows the login
        assertEquals(List.of(ConnectionState.CONNECTING, ConnectionState.CONNECTED, ConnectionState.RECONNECTING,
                ConnectionState.CONNECTED), recorder.states);
        assertEquals(List.of("-", "-", cause, "-"), recorder.causes);
    }

    @Test
    void aPlainDropGivesTheStateListenerAConnectionLostCause() throws Exception {
        connected();

        connector.last().close();

        assertEquals(ConnectionState.RECONNECTING, supervisor.state());
        assertInstanceOf(ConnectionLostException.class, recorder.causes.get(recorder.causes.size() - 1));
    }

    @Test
    void aListenerOfTheOneArgumentCallbackStillHearsEveryState() throws Exception {
        List<ConnectionState> heard = new ArrayList<>();
        listeners.add(new MessageListener() {
            @Override
            public void onConnectionStateChanged(ConnectionState state) {
                heard.add(state);
            }
        });
        connected();

        connector.last().close();

        assertEquals(List.of(ConnectionState.CONNECTING, ConnectionState.CONNECTED, ConnectionState.RECONNECTING),
                heard);
    }

    @Test
    void failedReconnectAttemptsBackOffFurtherAndKeepTrying() throws Exception {
        connected();
        connector.failNext.add(new ConnectionLostException("connection refused"));
        connector.failNext.add(new MagpieApiException(503, "NO_GATE", "no gate"));

        connector.last().close();
        elapse(Duration.ofMillis(100)); // attempt 0 fails
        elapse(Duration.ofMillis(200)); // attempt 1 fails
        assertEquals(1, connector.channels.size());
        assertEquals(ConnectionState.RECONNECTING, supervisor.state());
        elapse(Duration.ofMillis(399));
        assertEquals(1, connector.channels.size(), "the third delay is bounded by 800 ms, half of it drawn");
        elapse(Duration.ofMillis(1));

        assertEquals(2, connector.channels.size());
        gateAcceptsLogin();
        assertEquals(ConnectionState.CONNECTED, supervisor.state());
    }

    @Test
    void aReconnectRefusedForGoodStopsAndTellsTheApp() throws Exception {
        connected();
        connector.last().close();
        elapse(Duration.ofMillis(100));
        EmbeddedChannel second = connector.last();
        Frame login = second.readOutbound();

        second.writeInbound(Frames.error(login.requestId(), Command.LOGIN, ErrorCode.INVALID_TOKEN, "expired"));

        assertEquals(ConnectionState.DISCONNECTED, supervisor.state());
        assertEquals(ErrorCode.INVALID_TOKEN, ((MagpieErrorException) recorder.errors.get(0)).code());
        elapse(Duration.ofMinutes(5));
        assertEquals(2, connector.channels.size());
    }

    @Test
    void anExpiredTokenIsNotUsedToReconnect() throws Exception {
        Instant[] now = {NOW};
        Clock moving = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now[0];
            }
        };
        ConnectionSupervisor s = supervisor(moving, true);
        s.connect(CREDS);
        gateAcceptsLogin();

        now[0] = CREDS.expiresAt();
        connector.last().close();

        assertEquals(ConnectionState.DISCONNECTED, s.state());
        assertEquals(ErrorCode.INVALID_TOKEN, ((MagpieErrorException) recorder.errors.get(0)).code());
        elapse(Duration.ofMinutes(1));
        assertEquals(1, connector.channels.size());
    }

    @Test
    void aKickForADuplicateDeviceStopsReconnecting() throws Exception {
        connected();

        connector.last().writeInbound(Frames.of(Command.KICK, 0,
                Kick.newBuilder().setReason(KickReason.DUPLICATE_DEVICE).setMessage("logged in elsewhere").build()));

        assertEquals(ConnectionState.KICKED, supervisor.state());
        assertEquals(KickReason.DUPLICATE_DEVICE, recorder.kicks.get(0).getReason());
        elapse(Duration.ofMinutes(10));
        assertEquals(1, connector.channels.size(), "two devices must not kick each other forever");
    }

    @Test
    void aKickedClientMayConnectAgainExplicitly() throws Exception {
        connected();
        connector.last().writeInbound(Frames.of(Command.KICK, 0,
                Kick.newBuilder().setReason(KickReason.DUPLICATE_DEVICE).build()));

        connected();

        assertEquals(2, connector.channels.size());
    }

    @ParameterizedTest
    @EnumSource(value = KickReason.class, names = {"ADMIN", "TOKEN_REVOKED", "KICK_REASON_UNSPECIFIED"})
    void noKickIsFollowedByAnAutomaticReconnect(KickReason reason) throws Exception {
        connected();

        connector.last().writeInbound(Frames.of(Command.KICK, 0, Kick.newBuilder().setReason(reason).build()));

        assertEquals(ConnectionState.KICKED, supervisor.state());
        elapse(Duration.ofMinutes(10));
        assertEquals(1, connector.channels.size());
    }

    @Test
    void aReconnectFromTheGateMovesMakeBeforeBreak() throws Exception {
        connected();
        EmbeddedChannel old = connector.last();

        old.writeInbound(Frames.of(Command.RECONNECT, 0,
                Reconnect.newBuilder().setReason("draining").setDelayMs(3000).build()));

        assertEquals(ConnectionState.CONNECTED, supervisor.state(), "the old connection still serves meanwhile");
        elapse(Duration.ofMillis(3099)); // 3000 asked + 100 of jitter
        assertEquals(1, connector.channels.size());
        elapse(Duration.ofMillis(1));
        assertEquals(2, connector.channels.size());
        assertTrue(old.isActive(), "not closed before the new connection logged in");

        gateAcceptsLogin();

        assertFalse(old.isActive());
        assertTrue(supervisor.current().channel() == connector.last());
        assertEquals(List.of(ConnectionState.CONNECTING, ConnectionState.CONNECTED), recorder.states,
                "a move is invisible to the app");
    }

    @Test
    void theDuplicateDeviceKickOfTheOldConnectionDuringAMoveIsExpected() throws Exception {
        connected();
        EmbeddedChannel old = connector.last();
        old.writeInbound(Frames.of(Command.RECONNECT, 0, Reconnect.newBuilder().setDelayMs(0).build()));
        elapse(Duration.ofMillis(100));

        // the new login reached the gates first: the old session is kicked before our LOGIN_ACK arrives
        old.writeInbound(Frames.of(Command.KICK, 0, Kick.newBuilder().setReason(KickReason.DUPLICATE_DEVICE).build()));
        assertEquals(ConnectionState.RECONNECTING, supervisor.state());
        gateAcceptsLogin();

        assertEquals(ConnectionState.CONNECTED, supervisor.state());
        assertTrue(recorder.kicks.isEmpty(), "our own move is not reported as a kick");
    }

    @Test
    void logoutTellsTheGateAndDoesNotReconnect() throws Exception {
        connected();
        EmbeddedChannel ch = connector.last();

        supervisor.logout().get(1, TimeUnit.SECONDS);

        assertTrue(((Frame) ch.readOutbound()).is(Command.LOGOUT));
        assertFalse(ch.isActive());
        assertEquals(ConnectionState.DISCONNECTED, supervisor.state());
        elapse(Duration.ofMinutes(1));
        assertEquals(1, connector.channels.size());
    }

    @Test
    void disconnectDoesNotReconnect() throws Exception {
        connected();

        supervisor.disconnect().get(0, TimeUnit.SECONDS);

        assertFalse(connector.last().isActive());
        assertEquals(ConnectionState.DISCONNECTED, supervisor.state());
        elapse(Duration.ofMinutes(1));
        assertEquals(1, connector.channels.size());
    }

    @Test
    void closeDuringTheBackoffCancelsTheReconnect() throws Exception {
        connected();
        connector.last().close();

        supervisor.close();
        elapse(Duration.ofMinutes(1));

        assertEquals(ConnectionState.CLOSED, supervisor.state());
        assertEquals(1, connector.channels.size());
        assertInstanceOf(IllegalStateException.class,
                assertThrows(ExecutionException.class, () -> supervisor.connect(CREDS).get()).getCause());
    }

    @Test
    void withoutAutoReconnectADropEndsDisconnected() throws Exception {
        ConnectionSupervisor s = supervisor(Clock.fixed(NOW, ZoneOffset.UTC), false);
        s.connect(CREDS);
        gateAcceptsLogin();

        connector.last().close();

        assertEquals(ConnectionState.DISCONNECTED, s.state());
        elapse(Duration.ofMinutes(1));
        assertEquals(1, connector.channels.size());
    }

    @Test
    void aSendInFlightWhenTheConnectionDropsFailsRetryably() throws Exception {
        connected();
        EmbeddedChannel ch = connector.last();
        CompletableFuture<SendAck> f = supervisor.current().handler().request(Command.SEND,
                SendRequest.newBuilder().setClientMsgId("c1").setConversationType(ConversationType.SINGLE)
                        .setTargetId(8).build(), Command.SEND_ACK, SendAck.parser());
        ch.runPendingTasks();
        assertTrue(((Frame) ch.readOutbound()).is(Command.SEND));

        ch.close();

        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(0, TimeUnit.SECONDS));
        assertTrue(((MagpieException) e.getCause()).retryable());
    }

    @Test
    void aPushIsDeliveredOnceEvenWhenTheGateResendsIt() throws Exception {
        connected();
        EmbeddedChannel ch = connector.last();

        push(ch, 1, message("s_7_8", 1), message("s_7_8", 2));
        push(ch, 2, message("s_7_8", 2), message("g_5", 1)); // seq 2 again: the first ack was lost

        assertEquals(List.of("s_7_8#1", "s_7_8#2", "g_5#1"),
                recorder.messages.stream().map(m -> m.getConversationId() + "#" + m.getSeq()).toList());
        assertEquals(2, pushAck(ch).getAckedCount());
        assertEquals(2, pushAck(ch).getAckedCount(), "the duplicate is acknowledged too, so the gate stops resending");
    }

    @Test
    void dedupeSurvivesAReconnect() throws Exception {
        connected();
        push(connector.last(), 1, message("s_7_8", 1));
        connector.last().close();
        elapse(Duration.ofMillis(100));
        gateAcceptsLogin();

        push(connector.last(), 1, message("s_7_8", 1), message("s_7_8", 2));

        assertEquals(List.of(1L, 2L), recorder.messages.stream().map(Message::getSeq).toList());
    }

    @Test
    void aRecallUpdateOfADeliveredSeqIsStillDelivered() throws Exception {
        connected();
        push(connector.last(), 1, message("s_7_8", 1));

        push(connector.last(), 2, message("s_7_8", 1).toBuilder().setStatus(MessageStatus.RECALLED).build());

        assertEquals(List.of(MessageStatus.NORMAL, MessageStatus.RECALLED),
                recorder.messages.stream().map(Message::getStatus).toList());
    }

    @Test
    void aThrowingListenerDoesNotStopDeliveryOrTheAck() throws Exception {
        listeners.add(new MessageListener() {
            @Override
            public void onMessage(Message message) {
                throw new IllegalStateException("app bug");
            }
        });
        connected();

        push(connector.last(), 3, message("s_7_8", 1));

        assertEquals(1, recorder.messages.size());
        assertEquals(1, pushAck(connector.last()).getAckedCount());
    }
}
