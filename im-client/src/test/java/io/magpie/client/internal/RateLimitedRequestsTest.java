package io.magpie.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.client.ConnectionLostException;
import io.magpie.client.MagpieErrorException;
import io.magpie.client.RequestTimeoutException;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.LoginAck;
import io.magpie.protocol.proto.LoginRequest;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.PullAck;
import io.magpie.protocol.proto.PullRequest;
import io.magpie.protocol.proto.SendAck;
import io.magpie.protocol.proto.SendRequest;
import io.magpie.protocol.proto.SyncAck;
import io.magpie.protocol.proto.SyncRequest;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ERROR RATE_LIMITED with retry_after_ms (docs/PROTOCOL.md §4.3, §5): the connection resends the refused
 * request after the retry-after, holds its other requests back meanwhile, and gives up with an error naming
 * RATE_LIMITED and the retry-after. The test plays the gate; time is the channel's frozen virtual time.
 */
class RateLimitedRequestsTest {

    private static final LoginRequest LOGIN = LoginRequest.newBuilder().setToken("tok").build();
    /** Random 0.5: without a retry-after the first resend waits 100 ms (+1) of the 200 ms bound. */
    private static final RateLimitPolicy POLICY = new RateLimitPolicy(3,
            new ReconnectBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), () -> 0.5));

    private final ClientHandlerTest.RecordingEvents events = new ClientHandlerTest.RecordingEvents();
    private final ClientHandler handler = new ClientHandler(LOGIN, false, Duration.ofSeconds(15),
            Duration.ofSeconds(10), Duration.ofSeconds(30), POLICY, events);
    private final EmbeddedChannel channel = new EmbeddedChannel(handler);

    @BeforeEach
    void loggedIn() {
        channel.freezeTime();
        Frame login = channel.readOutbound();
        channel.writeInbound(Frames.of(Command.LOGIN_ACK, login.requestId(),
                LoginAck.newBuilder().setUid(7).setDeviceId("d1").setGateId("g1").setHeartbeatSeconds(30).build()));
        assertTrue(handler.loginFuture().isDone());
    }

    // ---- the gate's side

    private Frame sent() {
        channel.runPendingTasks();
        Object out = channel.readOutbound();
        assertNotNull(out, "expected a frame to the gate");
        return (Frame) out;
    }

    private void nothingSent() {
        channel.runPendingTasks();
        assertNull(channel.readOutbound(), "nothing may go to the gate yet");
    }

    private void rateLimited(Frame request, long retryAfterMillis) {
        channel.writeInbound(Frames.error(request.requestId(), request.command(), ErrorCode.RATE_LIMITED,
                Command.nameOf(request.command()) + " over this connection's budget", retryAfterMillis));
    }

    private void ack(Frame send) {
        String id = Frames.parse(send, SendRequest.parser()).getClientMsgId();
        channel.writeInbound(Frames.of(Command.SEND_ACK, send.requestId(),
                SendAck.newBuilder().setClientMsgId(id).setMsgId(100).setSeq(1).build()));
    }

    private void elapse(long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
    }

    private CompletableFuture<SendAck> send(String clientMsgId) {
        SendRequest req = SendRequest.newBuilder().setClientMsgId(clientMsgId)
                .setConversationType(ConversationType.SINGLE).setTargetId(8)
                .setContent(MessageContent.newBuilder().setText("hi")).build();
        return handler.request(Command.SEND, req, Command.SEND_ACK, SendAck.parser());
    }

    private static String clientMsgId(Frame send) {
        assertTrue(send.is(Command.SEND), "expected SEND, got " + send);
        return Frames.parse(send, SendRequest.parser()).getClientMsgId();
    }

    private static MagpieErrorException rateLimitFailure(CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(0, TimeUnit.SECONDS));
        MagpieErrorException error = assertInstanceOf(MagpieErrorException.class, e.getCause());
        assertEquals(ErrorCode.RATE_LIMITED, error.code());
        assertTrue(error.retryable());
        return error;
    }

    // ---- tests

    @Test
    void aRefusedSendIsResentAfterTheRetryAfterAndItsFutureCompletesWithTheAck() throws Exception {
        CompletableFuture<SendAck> f = send("c1");
        Frame first = sent();

        rateLimited(first, 250);
        elapse(249);

        nothingSent();
        assertFalse(f.isDone(), "a rate limit is not the caller's failure while resends are left");
        elapse(1);
        Frame resend = sent();
        assertEquals("c1", clientMsgId(resend), "the same request, same client msg id");
        assertNotEquals(first.requestId(), resend.requestId(), "a resend gets a new request id");
        ack(resend);
        assertEquals(100, f.get(0, TimeUnit.SECONDS).getMsgId());
        assertTrue(events.errors.isEmpty(), "a rate limit that a resend got past is nobody's business");
    }

    @Test
    void aSendHeldBackAsServerBusyWithARetryAfterIsResentButOneWithoutIsTheCallersFailure() throws Exception {
        CompletableFuture<SendAck> f = send("b1");
        Frame first = sent();
        channel.writeInbound(Frames.error(first.requestId(), first.command(), ErrorCode.SERVER_BUSY,
                "64 requests of this connection are still on their way to the message bus", 1000));
        elapse(999);
        nothingSent();
        assertFalse(f.isDone());
        elapse(1);
        Frame resend = sent();
        assertEquals("b1", clientMsgId(resend));
        ack(resend);
        assertEquals(100, f.get(0, TimeUnit.SECONDS).getMsgId());

        CompletableFuture<SendAck> g = send("b2");
        Frame other = sent();
        channel.writeInbound(Frames.error(other.requestId(), other.command(), ErrorCode.SERVER_BUSY,
                "storage unavailable", 0));
        ExecutionException e = assertThrows(ExecutionException.class, () -> g.get(0, TimeUnit.SECONDS));
        assertEquals(ErrorCode.SERVER_BUSY, assertInstanceOf(MagpieErrorException.class, e.getCause()).code(),
                "no advice: the caller (or the delivery coordinator) decides");
    }

    @Test
    void otherRequestsOfThatConnectionWaitForTheRetryAfterAndThenGoOnePerRetryAfterInOrder() throws Exception {
        CompletableFuture<SendAck> a = send("a");
        Frame first = sent();
        rateLimited(first, 200);

        CompletableFuture<SendAck> b = send("b");
        CompletableFuture<SendAck> c = send("c");
        elapse(199);
        nothingSent();

        elapse(1);
        assertEquals("a", clientMsgId(sent()));
        nothingSent();
        elapse(200);
        assertEquals("b", clientMsgId(sent()));
        nothingSent();
        elapse(200);
        Frame third = sent();
        assertEquals("c", clientMsgId(third));
        ack(third);
        assertEquals(100, c.get(0, TimeUnit.SECONDS).getMsgId());

        CompletableFuture<SendAck> d = send("d");
        assertEquals("d", clientMsgId(sent()), "nobody waits any more: sent at once");
        assertFalse(a.isDone() || b.isDone() || d.isDone());
    }

    @Test
    void resendsAreBoundedAndTheFailureNamesRateLimitedAndTheRetryAfter() {
        CompletableFuture<SendAck> f = send("c1");
        rateLimited(sent(), 300);
        for (int resend = 1; resend <= 3; resend++) {
            elapse(300);
            Frame again = sent();
            assertEquals("c1", clientMsgId(again));
            rateLimited(again, 300);
        }

        MagpieErrorException e = rateLimitFailure(f);
        assertEquals(Duration.ofMillis(300), e.retryAfter());
        assertTrue(e.getMessage().contains("RATE_LIMITED 4 time(s)") && e.getMessage().contains("retry after 300 ms"),
                e.getMessage());
        assertTrue(e.getMessage().contains("client.rateLimitRetries"), e.getMessage());
        elapse(10_000);
        nothingSent();
    }

    @Test
    void withNoResendsAllowedTheFirstRefusalFailsTheRequest() {
        ClientHandler strict = new ClientHandler(LOGIN, false, Duration.ofSeconds(15), Duration.ofSeconds(10),
                Duration.ofSeconds(30), new RateLimitPolicy(0, POLICY.fallback()), events);
        EmbeddedChannel ch = new EmbeddedChannel(strict);
        ch.freezeTime();
        Frame login = ch.readOutbound();
        ch.writeInbound(Frames.of(Command.LOGIN_ACK, login.requestId(), LoginAck.newBuilder().setUid(7).build()));
        CompletableFuture<SendAck> f = strict.request(Command.SEND, SendRequest.newBuilder().setClientMsgId("c1")
                .build(), Command.SEND_ACK, SendAck.parser());
        ch.runPendingTasks();
        Frame send = ch.readOutbound();

        ch.writeInbound(Frames.error(send.requestId(), Command.SEND.code(), ErrorCode.RATE_LIMITED, "over budget", 50));

        assertEquals(Duration.ofMillis(50), rateLimitFailure(f).retryAfter());
    }

    @Test
    void aRetryAfterBeyondTheRequestTimeoutFailsAtOnceInsteadOfWaiting() {
        CompletableFuture<SendAck> f = send("c1");

        rateLimited(sent(), 20_000);

        MagpieErrorException e = rateLimitFailure(f);
        assertEquals(Duration.ofSeconds(20), e.retryAfter());
        assertTrue(e.getMessage().contains("request timeout of 10000 ms"), e.getMessage());
    }

    @Test
    void theRequestTimeoutCountsFromTheCallAcrossResends() {
        CompletableFuture<SendAck> f = send("c1");
        rateLimited(sent(), 4_000);
        elapse(4_000);
        rateLimited(sent(), 4_000);
        elapse(4_000);
        Frame third = sent();

        rateLimited(third, 4_000); // 8 s gone: a third wait would end after the 10 s timeout

        MagpieErrorException e = rateLimitFailure(f);
        assertTrue(e.getMessage().contains("leaves 2000 ms"), e.getMessage());
    }

    @Test
    void aRequestHeldBackUntilItsTimeoutFailsWithRateLimited() throws Exception {
        CompletableFuture<SendAck> a = send("a");
        rateLimited(sent(), 6_000);
        CompletableFuture<SendAck> b = send("b"); // waits behind a: a at 6 s, b not before 12 s

        elapse(6_000);
        Frame resent = sent();
        assertEquals("a", clientMsgId(resent));
        ack(resent);
        elapse(4_000);

        assertEquals(100, a.get(0, TimeUnit.SECONDS).getMsgId());
        MagpieErrorException e = rateLimitFailure(b);
        assertEquals(Duration.ofSeconds(6), e.retryAfter());
        assertTrue(e.getMessage().contains("SEND not sent"), e.getMessage());
        elapse(10_000);
        nothingSent();
    }

    @Test
    void aResendThatIsNotAnsweredTimesOutLikeAnyRequest() {
        CompletableFuture<SendAck> f = send("c1");
        rateLimited(sent(), 1_000);
        elapse(1_000);
        sent();

        elapse(9_000);

        assertInstanceOf(RequestTimeoutException.class,
                assertThrows(ExecutionException.class, () -> f.get(0, TimeUnit.SECONDS)).getCause());
    }

    @Test
    void withoutARetryAfterTheBackoffDecidesTheWait() {
        CompletableFuture<SendAck> f = send("c1");

        rateLimited(sent(), 0);
        elapse(100);
        nothingSent();
        elapse(1);

        assertEquals("c1", clientMsgId(sent()));
        assertFalse(f.isDone());
    }

    @Test
    void syncAndPullAreResentToo() throws Exception {
        CompletableFuture<SyncAck> sync = handler.request(Command.SYNC, SyncRequest.newBuilder().setLimit(10).build(),
                Command.SYNC_ACK, SyncAck.parser());
        CompletableFuture<PullAck> pull = handler.request(Command.PULL, PullRequest.newBuilder()
                .setConversationId("s_7_8").setFromSeq(1).build(), Command.PULL_ACK, PullAck.parser());
        Frame s1 = sent();
        Frame p1 = sent();
        rateLimited(s1, 200);
        rateLimited(p1, 20);

        elapse(200);
        Frame s2 = sent();
        assertTrue(s2.is(Command.SYNC));
        channel.writeInbound(Frames.of(Command.SYNC_ACK, s2.requestId(), SyncAck.newBuilder().setVersion(4).build()));
        elapse(200);
        Frame p2 = sent();
        assertTrue(p2.is(Command.PULL));
        channel.writeInbound(Frames.of(Command.PULL_ACK, p2.requestId(), PullAck.newBuilder()
                .setConversationId("s_7_8").build()));

        assertEquals(4, sync.get(0, TimeUnit.SECONDS).getVersion());
        assertEquals("s_7_8", pull.get(0, TimeUnit.SECONDS).getConversationId());
    }

    @Test
    void aRateLimitedPushAckPausesTheRequestsToo() {
        channel.writeInbound(Frames.error(77, Command.PUSH_ACK.code(), ErrorCode.RATE_LIMITED, "frames over budget",
                500));
        assertEquals(ErrorCode.RATE_LIMITED, events.errors.get(0).code(), "an answer to no request is reported");

        CompletableFuture<SendAck> f = send("c1");
        elapse(499);
        nothingSent();
        elapse(1);

        assertEquals("c1", clientMsgId(sent()));
        assertFalse(f.isDone());
    }

    @Test
    void requestsWaitingForTheirTurnFailRetryablyWhenTheConnectionCloses() {
        CompletableFuture<SendAck> a = send("a");
        rateLimited(sent(), 500);
        CompletableFuture<SendAck> b = send("b");

        channel.close();

        for (CompletableFuture<SendAck> f : java.util.List.of(a, b)) {
            ConnectionLostException e = assertInstanceOf(ConnectionLostException.class,
                    assertThrows(ExecutionException.class, () -> f.get(0, TimeUnit.SECONDS)).getCause());
            assertTrue(e.retryable());
        }
        elapse(1_000);
        assertNull(channel.readOutbound());
    }
}
