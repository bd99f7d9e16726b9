package io.magpie.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.client.Credentials;
import io.magpie.client.DeliveryException;
import io.magpie.client.InMemoryClientState;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.proto.ConversationInfo;
import io.magpie.protocol.proto.LoginAck;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageRef;
import io.magpie.protocol.proto.PullAck;
import io.magpie.protocol.proto.PullRequest;
import io.magpie.protocol.proto.Push;
import io.magpie.protocol.proto.PushAck;
import io.magpie.protocol.proto.SyncAck;
import io.magpie.protocol.proto.SyncRequest;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * In-order delivery, PULL of gaps and SYNC after every login, over connections that are EmbeddedChannels:
 * the test plays the gate, reading the client's frames and answering them.
 */
class DeliveryCoordinatorTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final Credentials CREDS = new Credentials(7, "tok", NOW.plus(Duration.ofDays(1)));
    private static final String C = "s_7_8";

    private final EmbeddedChannel timer = new EmbeddedChannel();
    private final ConnectionSupervisorTest.EmbeddedConnector connector = new ConnectionSupervisorTest.EmbeddedConnector();
    private final ConnectionSupervisorTest.Recorder recorder = new ConnectionSupervisorTest.Recorder();
    private final Listeners listeners = new Listeners();
    private final InMemoryClientState state = new InMemoryClientState();
    private final ConnectionSupervisor supervisor;
    private final DeliveryCoordinator delivery;
    /** Frames the client sent that a test step skipped over while looking for another one. */
    private final List<Frame> skipped = new ArrayList<>();

    DeliveryCoordinatorTest() {
        listeners.add(recorder);
        ReconnectBackoff backoff = new ReconnectBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), () -> 0.5);
        ConnectionSupervisor[] self = new ConnectionSupervisor[1];
        delivery = new DeliveryCoordinator(state, listeners, () -> self[0].current(), timer.eventLoop(), backoff, 50,
                100);
        supervisor = new ConnectionSupervisor(connector, timer.eventLoop(), backoff, listeners, delivery,
                Clock.fixed(NOW, ZoneOffset.UTC), true, "dev-1", "test");
        self[0] = supervisor;
    }

    // ---- the gate's side

    /** Connects (or waits for the reconnect) and answers the LOGIN; returns the connection. */
    private EmbeddedChannel loggedIn() {
        EmbeddedChannel ch = connector.last();
        Frame login = ch.readOutbound();
        assertTrue(login.is(Command.LOGIN), "expected LOGIN, got " + login);
        ch.writeInbound(Frames.of(Command.LOGIN_ACK, login.requestId(),
                LoginAck.newBuilder().setUid(7).setDeviceId("dev-1").setGateId("gate").setHeartbeatSeconds(30).build()));
        return ch;
    }

    private EmbeddedChannel connect() {
        supervisor.connect(CREDS);
        return loggedIn();
    }

    /** The next frame of {@code command} the client sent, skipping (and keeping) others. */
    private Frame next(EmbeddedChannel ch, Command command) {
        ch.runPendingTasks();
        Frame f;
        while ((f = ch.readOutbound()) != null) {
            if (f.is(command)) {
                return f;
            }
            skipped.add(f);
        }
        throw new AssertionError("the client sent no " + command + "; it sent " + skipped);
    }

    private void noMore(EmbeddedChannel ch, Command command) {
        ch.runPendingTasks();
        Frame f;
        while ((f = ch.readOutbound()) != null) {
            assertFalse(f.is(command), "unexpected " + f);
            skipped.add(f);
        }
    }

    private SyncRequest answerSync(EmbeddedChannel ch, SyncAck ack) {
        Frame sync = next(ch, Command.SYNC);
        ch.writeInbound(Frames.of(Command.SYNC_ACK, sync.requestId(), ack));
        return Frames.parse(sync, SyncRequest.parser());
    }

    private PullRequest answerPull(EmbeddedChannel ch, long... seqs) {
        Frame pull = next(ch, Command.PULL);
        PullRequest request = Frames.parse(pull, PullRequest.parser());
        PullAck.Builder ack = PullAck.newBuilder().setConversationId(request.getConversationId());
        for (long s : seqs) {
            ack.addMessages(message(request.getConversationId(), s));
        }
        ch.writeInbound(Frames.of(Command.PULL_ACK, pull.requestId(), ack.build()));
        return request;
    }

    private static SyncAck syncAck(long version, ConversationInfo... conversations) {
        return SyncAck.newBuilder().setVersion(version).addAllConversations(List.of(conversations)).build();
    }

    private static ConversationInfo info(String conv, long lastSeq) {
        return ConversationInfo.newBuilder().setConversationId(conv).setLastSeq(lastSeq).build();
    }

    private static Message message(String conv, long seq) {
        return Message.newBuilder().setConversationId(conv).setSeq(seq)
                .setContent(MessageContent.newBuilder().setText("m" + seq)).build();
    }

    private static void push(EmbeddedChannel ch, String conv, long... seqs) {
        Push.Builder p = Push.newBuilder();
        for (long s : seqs) {
            p.addMessages(message(conv, s));
        }
        ch.writeInbound(Frames.of(Command.PUSH, 0, p.build()));
    }

    private List<String> received() {
        return recorder.messages.stream().map(m -> m.getConversationId() + "#" + m.getSeq()).toList();
    }

    private void elapse(Duration d) {
        timer.advanceTimeBy(d.toMillis(), TimeUnit.MILLISECONDS);
        timer.runScheduledPendingTasks();
    }

    // ---- tests

    @Test
    void aSeqGapIsPulledAndEverythingIsDeliveredInOrder() {
        EmbeddedChannel ch = connect();
        answerSync(ch, syncAck(4));
        push(ch, C, 1);

        push(ch, C, 5, 4);

        assertEquals(List.of(C + "#1"), received(), "4 and 5 wait for the gap");
        PullRequest pull = answerPull(ch, 2, 3);
        assertEquals(PullRequest.newBuilder().setConversationId(C).setFromSeq(2).setToSeq(3).setLimit(100).build(),
                pull);
        assertEquals(List.of(C + "#1", C + "#2", C + "#3", C + "#4", C + "#5"), received());
        // the held messages were acknowledged when they arrived: the gate need not resend them
        noMore(ch, Command.PULL);
        List<MessageRef> acked = skipped.stream().filter(f -> f.is(Command.PUSH_ACK))
                .flatMap(f -> Frames.parse(f, PushAck.parser()).getAckedList().stream()).toList();
        assertEquals(List.of(1L, 5L, 4L), acked.stream().map(MessageRef::getSeq).toList());
    }

    @Test
    void aLongGapIsPulledPageByPage() {
        EmbeddedChannel ch = connect();
        answerSync(ch, syncAck(1));
        push(ch, C, 1);
        push(ch, C, 6);

        Frame first = next(ch, Command.PULL);
        ch.writeInbound(Frames.of(Command.PULL_ACK, first.requestId(), PullAck.newBuilder().setConversationId(C)
                .addMessages(message(C, 2)).addMessages(message(C, 3)).setHasMore(true).build()));
        PullRequest second = answerPull(ch, 4, 5);

        assertEquals(4, second.getFromSeq());
        assertEquals(5, second.getToSeq());
        assertEquals(List.of(C + "#1", C + "#2", C + "#3", C + "#4", C + "#5", C + "#6"), received());
    }

    @Test
    void duplicatesAreSuppressedAcrossAReconnect() {
        EmbeddedChannel first = connect();
        answerSync(first, syncAck(3));
        push(first, C, 1, 2);
        first.close();
        elapse(Duration.ofMillis(100));
        EmbeddedChannel second = loggedIn();
        answerSync(second, syncAck(6, info(C, 2)));

        push(second, C, 2, 3); // the first gate's unacknowledged resend arrives again

        assertEquals(List.of(C + "#1", C + "#2", C + "#3"), received());
        assertEquals(1, delivery.stats().duplicatesSuppressed());
        noMore(second, Command.PULL);
    }

    @Test
    void theSyncAfterAReconnectPullsWhatWasMissedWhileOffline() {
        EmbeddedChannel first = connect();
        assertEquals(0, answerSync(first, syncAck(5)).getSinceVersion());
        push(first, C, 1);
        first.close();
        elapse(Duration.ofMillis(100));
        EmbeddedChannel second = loggedIn();

        SyncRequest sync = answerSync(second, syncAck(9, info(C, 3), info("g_4", 2)));

        assertEquals(SyncRequest.newBuilder().setSinceVersion(5).setLimit(50).build(), sync);
        assertEquals(5, state.syncVersion(), "the new version waits until the conversations are caught up");
        assertEquals(2, answerPull(second, 2, 3).getFromSeq());
        assertEquals(1, answerPull(second, 1, 2).getFromSeq(), "a conversation never seen is pulled from its start");
        assertEquals(List.of(C + "#1", C + "#2", C + "#3", "g_4#1", "g_4#2"), received());
        assertEquals(9, state.syncVersion());
    }

    @Test
    void theSyncIsPagedWhileTheServerHasMore() {
        EmbeddedChannel ch = connect();

        answerSync(ch, syncAck(3, info(C, 1)).toBuilder().setHasMore(true).build());
        assertEquals(C, answerPull(ch, 1).getConversationId(), "catching up starts with the first page");
        SyncRequest second = answerSync(ch, syncAck(8, info("g_4", 1)));

        assertEquals(3, second.getSinceVersion());
        assertEquals(0, state.syncVersion(), "not caught up with the second page yet");
        answerPull(ch, 1);
        assertEquals(List.of(C + "#1", "g_4#1"), received());
        assertEquals(8, state.syncVersion());
    }

    @Test
    void thisDevicesOwnSendIsNotDeliveredBackButTakesItsSeq() {
        EmbeddedChannel ch = connect();
        answerSync(ch, syncAck(2));
        push(ch, C, 1);

        delivery.onSent(C, 2, 1002); // SEND_ACK of our own message
        push(ch, C, 3);

        assertEquals(List.of(C + "#1", C + "#3"), received());
        noMore(ch, Command.PULL);
    }

    @Test
    void messagesOfAnUnknownConversationWaitForTheFirstSync() {
        EmbeddedChannel ch = connect();
        push(ch, C, 3); // before the SYNC_ACK

        assertEquals(List.of(), received());
        answerSync(ch, syncAck(2, info(C, 3)));
        answerPull(ch, 1, 2);

        assertEquals(List.of(C + "#1", C + "#2", C + "#3"), received());
    }

    @Test
    void whenTheServerRefusesSyncTheFirstSeqSeenIsTheStart() {
        EmbeddedChannel ch = connect();
        Frame sync = next(ch, Command.SYNC);
        ch.writeInbound(Frames.error(sync.requestId(), Command.SYNC, ErrorCode.NOT_SUPPORTED, "no sync here"));

        push(ch, C, 5);
        push(ch, C, 6);

        assertEquals(List.of(C + "#5", C + "#6"), received());
        assertInstanceOf(DeliveryException.class, recorder.errors.get(0));
        noMore(ch, Command.PULL);
    }

    @Test
    void aSyncWithoutAnAnswerIsAskedAgainAndMessagesOfANewConversationWaitForIt() {
        EmbeddedChannel ch = connect();
        Frame sync = next(ch, Command.SYNC);
        ch.writeInbound(Frames.error(sync.requestId(), Command.SYNC, ErrorCode.SERVER_BUSY, "partitions moving"));
        push(ch, C, 2); // the PUSH of seq 1 was lost: seq 2 must not become the start

        assertEquals(List.of(), received());
        noMore(ch, Command.PULL);
        assertInstanceOf(DeliveryException.class, recorder.errors.get(0));
        assertTrue(((DeliveryException) recorder.errors.get(0)).retryable());
        elapse(Duration.ofSeconds(11));
        SyncRequest again = answerSync(ch, syncAck(3, info(C, 2)));
        answerPull(ch, 1);

        assertEquals(0, again.getSinceVersion());
        assertEquals(List.of(C + "#1", C + "#2"), received());
        assertEquals(1, recorder.errors.size(), "one report per sync, not per attempt");
    }

    @Test
    void syncNowFailsWhenTheConnectionClosesBeforeTheAnswer() {
        EmbeddedChannel ch = connect();
        answerSync(ch, syncAck(1));
        CompletableFuture<Void> sync = delivery.syncNow();
        next(ch, Command.SYNC);

        ch.close();
        elapse(Duration.ofSeconds(11));

        assertTrue(sync.isCompletedExceptionally(), "the caller hears that the SYNC was not answered");
        assertThrows(java.util.concurrent.CompletionException.class, sync::join);
        assertTrue(recorder.errors.stream().noneMatch(e -> e instanceof DeliveryException),
                "a closed connection is not a failed SYNC: " + recorder.errors);
    }

    @Test
    void aSyncRetryStopsWithTheConnectionAndTheNextLoginSyncsAgain() {
        EmbeddedChannel first = connect();
        Frame sync = next(first, Command.SYNC);
        first.writeInbound(Frames.error(sync.requestId(), Command.SYNC, ErrorCode.SERVER_BUSY, "partitions moving"));
        first.close();
        elapse(Duration.ofSeconds(11));
        noMore(first, Command.SYNC);

        EmbeddedChannel second = loggedIn();
        answerSync(second, syncAck(2, info(C, 1)));
        answerPull(second, 1);
        elapse(Duration.ofSeconds(30));

        assertEquals(List.of(C + "#1"), received());
        noMore(second, Command.SYNC);
    }

    @Test
    void aPullThatFailsRetryablyIsSentAgainAfterABackoff() {
        EmbeddedChannel ch = connect();
        answerSync(ch, syncAck(1));
        push(ch, C, 1);
        push(ch, C, 3);
        Frame pull = next(ch, Command.PULL);

        ch.writeInbound(Frames.error(pull.requestId(), Command.PULL, ErrorCode.SERVER_BUSY, "storage down"));
        noMore(ch, Command.PULL);
        elapse(Duration.ofSeconds(1));
        answerPull(ch, 2);

        assertEquals(List.of(C + "#1", C + "#2", C + "#3"), received());
    }

    @Test
    void aPullRefusedForGoodIsReportedAndItsRangeSkippedSoTheConversationGoesOn() {
        EmbeddedChannel ch = connect();
        answerSync(ch, syncAck(1));
        push(ch, C, 1);
        push(ch, C, 4);
        Frame pull = next(ch, Command.PULL);

        ch.writeInbound(Frames.error(pull.requestId(), Command.PULL, ErrorCode.FORBIDDEN, "not a member"));

        assertEquals(List.of(C + "#1", C + "#4"), received());
        DeliveryException e = assertInstanceOf(DeliveryException.class, recorder.errors.get(0));
        assertFalse(e.retryable());
    }

    @Test
    void afterTheGateClosedASlowConsumerTheNextLoginSyncsAndPullsWhatItMissed() {
        EmbeddedChannel first = connect();
        answerSync(first, syncAck(5));
        push(first, C, 1);
        push(first, C, 3);
        next(first, Command.PULL); // the gap's PULL is in flight when the gate gives up on us

        first.writeInbound(Frames.error(0, 0, ErrorCode.SLOW_CONSUMER, "queued output over 1048576 bytes"));
        first.close();
        elapse(Duration.ofMillis(100));
        EmbeddedChannel second = loggedIn();
        SyncRequest sync = answerSync(second, syncAck(9, info(C, 6)));
        Frame pull;
        while ((pull = nextOrNull(second, Command.PULL)) != null) {
            PullRequest request = Frames.parse(pull, PullRequest.parser());
            PullAck.Builder ack = PullAck.newBuilder().setConversationId(C);
            for (long seq = request.getFromSeq(); seq <= (request.getToSeq() == 0 ? 6 : request.getToSeq()); seq++) {
                ack.addMessages(message(C, seq));
            }
            second.writeInbound(Frames.of(Command.PULL_ACK, pull.requestId(), ack.build()));
        }

        assertEquals(5, sync.getSinceVersion(), "the sync after any login starts where the last one ended");
        assertEquals(List.of(C + "#1", C + "#2", C + "#3", C + "#4", C + "#5", C + "#6"), received());
        assertEquals(9, state.syncVersion());
    }

    /** The next frame of {@code command} the client sent, or null when it sent none. */
    private Frame nextOrNull(EmbeddedChannel ch, Command command) {
        ch.runPendingTasks();
        Frame f;
        while ((f = ch.readOutbound()) != null) {
            if (f.is(command)) {
                return f;
            }
            skipped.add(f);
        }
        return null;
    }

    @Test
    void aPullInterruptedByADisconnectIsResumedAfterTheNextLogin() {
        EmbeddedChannel first = connect();
        answerSync(first, syncAck(1));
        push(first, C, 1);
        push(first, C, 3);
        next(first, Command.PULL);

        first.close();
        elapse(Duration.ofMillis(100));
        EmbeddedChannel second = loggedIn();
        answerSync(second, syncAck(1));
        answerPull(second, 2);

        assertEquals(List.of(C + "#1", C + "#2", C + "#3"), received());
    }
}
