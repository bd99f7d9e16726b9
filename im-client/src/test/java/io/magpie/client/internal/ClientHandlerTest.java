package io.magpie.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.client.ConnectionLostException;
import io.magpie.client.MagpieErrorException;
import io.magpie.client.MagpieException;
import io.magpie.client.RequestTimeoutException;
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
import io.magpie.protocol.proto.MessageRef;
import io.magpie.protocol.proto.Push;
import io.magpie.protocol.proto.PushAck;
import io.magpie.protocol.proto.Reconnect;
import io.magpie.protocol.proto.SendAck;
import io.magpie.protocol.proto.SendRequest;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ClientHandlerTest {

    private static final LoginRequest LOGIN = LoginRequest.newBuilder().setToken("tok").setClientVersion("test").build();

    private final RecordingEvents events = new RecordingEvents();
    private final ClientHandler handler = new ClientHandler(LOGIN, false, Duration.ofSeconds(15),
            Duration.ofSeconds(10), Duration.ofSeconds(30), events);
    private final EmbeddedChannel channel = new EmbeddedChannel(handler);

    static final class RecordingEvents implements ClientHandler.Events {
        final List<Push> pushes = new ArrayList<>();
        final List<Kick> kicks = new ArrayList<>();
        final List<Reconnect> reconnects = new ArrayList<>();
        final List<MagpieErrorException> errors = new ArrayList<>();
        final List<MagpieException> closeReasons = new ArrayList<>();
        int closed;

        @Override
        public void onPush(Push push) {
            pushes.add(push);
        }

        @Override
        public void onKick(Kick kick) {
            kicks.add(kick);
        }

        @Override
        public void onReconnectRequested(Reconnect reconnect) {
            reconnects.add(reconnect);
        }

        @Override
        public void onServerError(MagpieErrorException error) {
            errors.add(error);
        }

        @Override
        public void onClosed(MagpieException reason) {
            closed++;
            closeReasons.add(reason);
        }
    }

    private Frame readFrame() {
        channel.runPendingTasks();
        Object out = channel.readOutbound();
        assertNotNull(out, "expected a frame to the gate");
        return (Frame) out;
    }

    private void login() {
        Frame login = readFrame();
        channel.writeInbound(Frames.of(Command.LOGIN_ACK, login.requestId(), LoginAck.newBuilder().setUid(7)
                .setDeviceId("d1").setGateId("g1").setHeartbeatSeconds(20).build()));
        assertTrue(handler.loginFuture().isDone());
    }

    private CompletableFuture<SendAck> send(String clientMsgId) {
        SendRequest req = SendRequest.newBuilder().setClientMsgId(clientMsgId).setConversationType(ConversationType.SINGLE)
                .setTargetId(8).setContent(MessageContent.newBuilder().setText("hi")).build();
        return handler.request(Command.SEND, req, Command.SEND_ACK, SendAck.parser());
    }

    private static Throwable failure(CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(0, TimeUnit.SECONDS));
        return e.getCause();
    }

    private static Message message(String conv, long seq) {
        return Message.newBuilder().setConversationId(conv).setSeq(seq).setMsgId(seq * 100)
                .setContent(MessageContent.newBuilder().setText("m" + seq)).build();
    }

    @Test
    void sendsLoginWithTheTokenAsSoonAsTheTcpConnectionIsUp() throws Exception {
        Frame login = readFrame();

        assertTrue(login.is(Command.LOGIN));
        assertEquals("tok", Frames.parse(login, LoginRequest.parser()).getToken());
        assertFalse(login.requestId() == 0, "request ids start above 0, which means unsolicited");
        assertFalse(handler.loginFuture().isDone());
    }

    @Test
    void overWebSocketLoginWaitsForTheHandshake() {
        ClientHandler ws = new ClientHandler(LOGIN, true, Duration.ofSeconds(15), Duration.ofSeconds(10),
                Duration.ofSeconds(30), events);
        EmbeddedChannel ch = new EmbeddedChannel(ws);
        assertNull(ch.readOutbound(), "nothing may be written before the WebSocket upgrade completed");

        ch.pipeline().fireUserEventTriggered(ClientHandshakeStateEvent.HANDSHAKE_COMPLETE);

        Frame login = ch.readOutbound();
        assertTrue(login.is(Command.LOGIN));
    }

    @Test
    void aWebSocketUpgradeThatNeverCompletesFailsTheConnectAtTheLoginDeadline() {
        ClientHandler ws = new ClientHandler(LOGIN, true, Duration.ofSeconds(15), Duration.ofSeconds(10),
                Duration.ofSeconds(30), events);
        EmbeddedChannel ch = new EmbeddedChannel(ws);

        ch.advanceTimeBy(16, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();

        assertInstanceOf(RequestTimeoutException.class, failure(ws.loginFuture()));
        assertFalse(ch.isActive());
    }

    @Test
    void loginAckCompletesTheConnectAndStartsTheHeartbeat() throws Exception {
        login();

        LoginAck ack = handler.loginFuture().get();
        assertEquals(7, ack.getUid());
        assertEquals("g1", ack.getGateId());
        assertInstanceOf(IdleStateHandler.class, channel.pipeline().get(ClientHandler.IDLE_STAGE));
        assertInstanceOf(HeartbeatHandler.class, channel.pipeline().get(ClientHandler.HEARTBEAT_STAGE));
        IdleStateHandler idle = (IdleStateHandler) channel.pipeline().get(ClientHandler.IDLE_STAGE);
        assertEquals(TimeUnit.SECONDS.toMillis(20), idle.getWriterIdleTimeInMillis(), "PING interval from LOGIN_ACK");
        assertEquals(TimeUnit.SECONDS.toMillis(20), idle.getReaderIdleTimeInMillis(),
                "nothing read for a heartbeat: PING (dead only after unanswered PINGs)");
    }

    @Test
    void anErrorInsteadOfLoginAckFailsTheConnectWithTheServersCodeAndCloses() {
        Frame login = readFrame();

        channel.writeInbound(Frames.error(login.requestId(), Command.LOGIN, ErrorCode.INVALID_TOKEN, "token expired"));

        MagpieErrorException e = assertInstanceOf(MagpieErrorException.class, failure(handler.loginFuture()));
        assertEquals(ErrorCode.INVALID_TOKEN, e.code());
        assertEquals("token expired", e.getMessage());
        assertFalse(e.retryable());
        assertFalse(channel.isActive());
    }

    @Test
    void aCloseBeforeLoginAckFailsTheConnectRetryably() {
        readFrame();

        channel.close();

        ConnectionLostException e = assertInstanceOf(ConnectionLostException.class, failure(handler.loginFuture()));
        assertTrue(e.retryable());
    }

    @Test
    void noLoginAckWithinTheLoginTimeoutFailsTheConnect() {
        readFrame();

        channel.advanceTimeBy(16, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();

        assertInstanceOf(RequestTimeoutException.class, failure(handler.loginFuture()));
        assertFalse(channel.isActive());
    }

    @Test
    void aSendBeforeLoginIsRefusedRetryably() {
        readFrame();

        assertInstanceOf(ConnectionLostException.class, failure(send("c1")));
        assertNull(channel.readOutbound());
    }

    @Test
    void sendAcksCompleteTheFutureWithTheMatchingRequestId() throws Exception {
        login();
        CompletableFuture<SendAck> first = send("c1");
        CompletableFuture<SendAck> second = send("c2");
        Frame f1 = readFrame();
        Frame f2 = readFrame();
        assertTrue(f1.is(Command.SEND));
        assertEquals("c1", Frames.parse(f1, SendRequest.parser()).getClientMsgId());
        assertFalse(f1.requestId() == f2.requestId());

        // answers arrive in the opposite order
        channel.writeInbound(Frames.of(Command.SEND_ACK, f2.requestId(),
                SendAck.newBuilder().setClientMsgId("c2").setMsgId(222).setSeq(2).build()));
        assertFalse(first.isDone());
        channel.writeInbound(Frames.of(Command.SEND_ACK, f1.requestId(),
                SendAck.newBuilder().setClientMsgId("c1").setMsgId(111).setSeq(1).build()));

        assertEquals(111, first.get().getMsgId());
        assertEquals(222, second.get().getMsgId());
    }

    @Test
    void anErrorFailsOnlyTheRequestItAnswers() throws Exception {
        login();
        CompletableFuture<SendAck> refused = send("c1");
        CompletableFuture<SendAck> other = send("c2");
        Frame f1 = readFrame();
        Frame f2 = readFrame();

        channel.writeInbound(Frames.error(f1.requestId(), Command.SEND, ErrorCode.SERVER_BUSY, "bus unavailable"));

        MagpieErrorException e = assertInstanceOf(MagpieErrorException.class, failure(refused));
        assertEquals(ErrorCode.SERVER_BUSY, e.code());
        assertTrue(e.retryable(), "the server's retryable flag reaches the app");
        assertFalse(other.isDone());
        channel.writeInbound(Frames.of(Command.SEND_ACK, f2.requestId(), SendAck.newBuilder().setMsgId(2).build()));
        assertEquals(2, other.get().getMsgId());
        assertTrue(events.errors.isEmpty());
    }

    @Test
    void anErrorForNoRequestGoesToTheListener() {
        login();

        channel.writeInbound(Frames.error(0, 0, ErrorCode.RATE_LIMITED, "slow down"));

        assertEquals(1, events.errors.size());
        assertEquals(ErrorCode.RATE_LIMITED, events.errors.get(0).code());
        assertTrue(channel.isActive());
    }

    @Test
    void theRetryAfterOfAnErrorReachesTheCaller() {
        login();
        CompletableFuture<SendAck> f = send("c1");
        Frame req = readFrame();

        // beyond the request timeout: not worth a resend, the caller gets the gate's code and advice at once
        channel.writeInbound(Frames.error(req.requestId(), Command.SEND.code(), ErrorCode.SERVER_BUSY, "bus slow",
                60_000));

        MagpieErrorException e = assertInstanceOf(MagpieErrorException.class, failure(f));
        assertEquals(ErrorCode.SERVER_BUSY, e.code());
        assertEquals(Duration.ofMillis(60_000), e.retryAfter());
    }

    @Test
    void theGatesErrorRightBeforeItClosesIsTheReasonOfTheClose() {
        login();
        CompletableFuture<SendAck> inFlight = send("c1");
        readFrame();

        channel.writeInbound(Frames.error(0, 0, ErrorCode.SLOW_CONSUMER, "queued output over 1048576 bytes"));
        channel.close();

        MagpieErrorException reason = assertInstanceOf(MagpieErrorException.class, events.closeReasons.get(0));
        assertEquals(ErrorCode.SLOW_CONSUMER, reason.code());
        assertEquals(ErrorCode.SLOW_CONSUMER, events.errors.get(0).code(), "still reported as the gate's error");
        ConnectionLostException lost = assertInstanceOf(ConnectionLostException.class, failure(inFlight));
        assertTrue(lost.retryable());
        assertTrue(lost.getCause() == reason, "the request learns why the connection went");
    }

    @Test
    void anErrorFollowedByOtherFramesIsNotTheReasonOfALaterDrop() {
        login();
        channel.writeInbound(Frames.error(0, 0, ErrorCode.RATE_LIMITED, "slow down"));
        channel.writeInbound(Frames.of(Command.PONG, 9, io.magpie.protocol.proto.Pong.getDefaultInstance()));

        channel.close();

        assertInstanceOf(ConnectionLostException.class, events.closeReasons.get(0));
    }

    @Test
    void anErrorCodeNewerThanTheClientKeepsItsNumber() {
        login();
        CompletableFuture<SendAck> f = send("c1");
        Frame req = readFrame();

        channel.writeInbound(Frames.of(Command.ERROR, req.requestId(), io.magpie.protocol.proto.Error.newBuilder()
                .setCode(4711).setMessage("new kind of failure").setRetryable(true).build()));

        MagpieErrorException e = assertInstanceOf(MagpieErrorException.class, failure(f));
        assertEquals(4711, e.rawCode());
        assertEquals(ErrorCode.INTERNAL, e.code());
        assertTrue(e.retryable());
    }

    @Test
    void unansweredRequestsTimeOutRetryably() {
        login();
        CompletableFuture<SendAck> f = send("c1");
        readFrame();

        channel.advanceTimeBy(9, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertFalse(f.isDone());
        channel.advanceTimeBy(2, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();

        RequestTimeoutException e = assertInstanceOf(RequestTimeoutException.class, failure(f));
        assertTrue(e.retryable());
    }

    @Test
    void inFlightRequestsFailRetryablyWhenTheConnectionDrops() {
        login();
        CompletableFuture<SendAck> a = send("c1");
        CompletableFuture<SendAck> b = send("c2");
        readFrame();
        readFrame();

        channel.close();

        for (CompletableFuture<SendAck> f : List.of(a, b)) {
            ConnectionLostException e = assertInstanceOf(ConnectionLostException.class, failure(f));
            assertTrue(e.retryable());
        }
        assertEquals(1, events.closed);
        assertInstanceOf(ConnectionLostException.class, failure(send("c3")), "a closed connection sends nothing");
    }

    @Test
    void aPushIsDeliveredAndThenAcknowledgedWithAllItsMessages() {
        login();
        Push push = Push.newBuilder().addMessages(message("s_1_2", 5)).addMessages(message("g_9", 41)).build();

        channel.writeInbound(Frames.of(Command.PUSH, 0, push));

        assertEquals(List.of(push), events.pushes);
        Frame ack = readFrame();
        assertTrue(ack.is(Command.PUSH_ACK));
        assertFalse(ack.requestId() == 0, "PUSH_ACK is the client's request with its own id (PROTOCOL §9.4)");
        assertEquals(List.of(
                        MessageRef.newBuilder().setConversationId("s_1_2").setSeq(5).build(),
                        MessageRef.newBuilder().setConversationId("g_9").setSeq(41).build()),
                Frames.parse(ack, PushAck.parser()).getAckedList());
        assertNull(channel.readOutbound());
    }

    @Test
    void aKickIsReportedAndClosesTheConnection() {
        login();

        channel.writeInbound(Frames.of(Command.KICK, 0,
                Kick.newBuilder().setReason(KickReason.DUPLICATE_DEVICE).setMessage("logged in elsewhere").build()));

        assertEquals(KickReason.DUPLICATE_DEVICE, events.kicks.get(0).getReason());
        assertFalse(channel.isActive());
        assertEquals(1, events.closed);
    }

    @Test
    void aReconnectRequestIsReportedAndTheConnectionKeptForTheMove() {
        login();

        channel.writeInbound(Frames.of(Command.RECONNECT, 0, Reconnect.newBuilder().setDelayMs(1500).build()));

        assertEquals(1500, events.reconnects.get(0).getDelayMs());
        assertTrue(channel.isActive(), "make before break: the owner closes it once the new connection is up");
    }

    @Test
    void logoutSendsLogoutThenCloses() throws Exception {
        login();

        handler.logout().get(1, TimeUnit.SECONDS);

        Frame logout = channel.readOutbound();
        assertTrue(logout.is(Command.LOGOUT));
        assertEquals(0, logout.body().length);
        assertFalse(channel.isActive());
    }

    @Test
    void framesOfUnknownCommandsAreIgnored() {
        login();

        channel.writeInbound(new Frame(999, 0, 0, new byte[] {1, 2, 3}));

        assertTrue(channel.isActive());
        assertTrue(events.errors.isEmpty());
    }

    @Test
    void aMalformedPushIsReportedNotAcked() {
        login();

        channel.writeInbound(new Frame(Command.PUSH.code(), 5, 0, new byte[] {(byte) 0xFF, (byte) 0xFF}));

        assertEquals(ErrorCode.BAD_REQUEST, events.errors.get(0).code());
        assertTrue(events.pushes.isEmpty());
        assertNull(channel.readOutbound());
    }
}
