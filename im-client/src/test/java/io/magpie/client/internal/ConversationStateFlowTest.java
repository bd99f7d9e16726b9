package io.magpie.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.client.ConversationState;
import io.magpie.client.Credentials;
import io.magpie.client.InMemoryClientState;
import io.magpie.client.MessageListener;
import io.magpie.client.RecalledMessage;
import io.magpie.protocol.Command;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.proto.ConversationInfo;
import com.google.protobuf.InvalidProtocolBufferException;
import io.magpie.protocol.proto.LoginAck;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageStatus;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.Notice;
import io.magpie.protocol.proto.NoticeType;
import io.magpie.protocol.proto.PullAck;
import io.magpie.protocol.proto.PullRequest;
import io.magpie.protocol.proto.Push;
import io.magpie.protocol.proto.SyncAck;
import io.magpie.protocol.proto.SyncRequest;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Unread counts, read positions, receipts and recalls as a connection carries them: SYNC_ACK, PUSH and NOTICE
 * frames from the gate (an EmbeddedChannel the test plays) through {@link ClientHandler},
 * {@link ConnectionSupervisor} and {@link DeliveryCoordinator} to the listeners and the state snapshots.
 */
class ConversationStateFlowTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final Credentials CREDS = new Credentials(7, "tok", NOW.plus(Duration.ofDays(1)));
    private static final String C = "s_7_8";

    private final EmbeddedChannel timer = new EmbeddedChannel();
    private final ConnectionSupervisorTest.EmbeddedConnector connector = new ConnectionSupervisorTest.EmbeddedConnector();
    private final Listeners listeners = new Listeners();
    private final List<String> events = new ArrayList<>();
    private final ConnectionSupervisor supervisor;
    private final Map<PullRequest, Integer> sentPulls = new HashMap<>();
    private final DeliveryCoordinator delivery;

    ConversationStateFlowTest() {
        listeners.add(new MessageListener() {
            @Override
            public void onMessage(Message message) {
                events.add("message " + message.getSeq());
            }

            @Override
            public void onRead(String conversationId, long readSeq) {
                events.add("read " + readSeq);
            }

            @Override
            public void onPeerRead(String conversationId, long peerUid, long readSeq) {
                events.add("peer-read by " + peerUid + " " + readSeq);
            }

            @Override
            public void onRecalled(RecalledMessage recalled) {
                events.add("recalled " + recalled.seq());
            }

            @Override
            public void onDeleted(String conversationId, List<Long> seqs) {
                events.add("deleted " + seqs);
            }

            @Override
            public void onCleared(String conversationId, long clearedSeq) {
                events.add("cleared " + clearedSeq);
            }

            @Override
            public void onUnreadChanged(String conversationId, long unreadCount, long totalUnread) {
                events.add("unread " + unreadCount + "/" + totalUnread);
            }
        });
        ReconnectBackoff backoff = new ReconnectBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), () -> 0.5);
        ConnectionSupervisor[] self = new ConnectionSupervisor[1];
        delivery = new DeliveryCoordinator(new InMemoryClientState(), listeners, () -> self[0].current(),
                timer.eventLoop(), backoff, 50, 100);
        supervisor = new ConnectionSupervisor(connector, timer.eventLoop(), backoff, listeners, delivery,
                Clock.fixed(NOW, ZoneOffset.UTC), true, "dev-1", "test");
        self[0] = supervisor;
    }

    @Test
    void syncPushAndNoticesKeepTheConversationStateAndTellTheListenersInOrder() {
        EmbeddedChannel ch = connectAndSync(SyncAck.newBuilder().setVersion(10).setTotalUnread(2)
                .addConversations(ConversationInfo.newBuilder().setConversationId(C).setLastSeq(3).setReadSeq(1)
                        .setUnreadCount(2).setVersion(100)).build());
        deliverTheCatchUpPull(ch, 1, 2, 3);
        assertEquals(new ConversationState(C, 1, 2, 0, 3, false, 0, false, 0),
                delivery.conversationState(C).orElseThrow());
        events.clear();

        ch.writeInbound(Frames.of(Command.PUSH, 0, Push.newBuilder().addMessages(message(4, 8)).build()));
        ch.writeInbound(notice(NoticeType.NOTICE_PEER_READ, 2, 8, 0));
        ch.writeInbound(Frames.of(Command.NOTICE, 0, Notice.newBuilder().setType(NoticeType.NOTICE_READ)
                .setConversationId(C).setSeq(4).setUid(7).setVersion(200).setUnreadCount(0).build()));

        assertEquals(List.of("message 4", "unread 3/3", "peer-read by 8 2", "unread 0/0", "read 4"), events);
        assertEquals(new ConversationState(C, 4, 0, 2, 4, false, 0, false, 0),
                delivery.conversationState(C).orElseThrow());
        assertEquals(0, delivery.totalUnread());
    }

    @Test
    void aRecallNoticeOfAnUnreadMessageIsReportedAndStopsCounting() {
        EmbeddedChannel ch = connectAndSync(SyncAck.newBuilder().setVersion(10).build());
        ch.writeInbound(Frames.of(Command.PUSH, 0, Push.newBuilder().addMessages(message(1, 8))
                .addMessages(message(2, 8)).build()));
        assertEquals(2, delivery.totalUnread());

        ch.writeInbound(Frames.of(Command.NOTICE, 0, Notice.newBuilder().setType(NoticeType.NOTICE_RECALLED)
                .setConversationId(C).setSeq(2).setUid(8).setMsgId(1002).setVersion(300).build()));

        assertTrue(events.contains("recalled 2"), events.toString());
        assertEquals(1, delivery.conversationState(C).orElseThrow().unreadCount());
        assertEquals(1, delivery.totalUnread());
    }

    @Test
    void aNoticeIsNotAcknowledgedAndAnUnreadableOneIsReportedNotFatal() {
        EmbeddedChannel ch = connectAndSync(SyncAck.newBuilder().setVersion(10).build());
        drain(ch);

        ch.writeInbound(notice(NoticeType.NOTICE_PEER_READ, 1, 8, 0));
        ch.writeInbound(new Frame(Command.NOTICE, 0, new byte[] {(byte) 0xff, (byte) 0xff}));
        ch.runPendingTasks();

        assertEquals(List.of("peer-read by 8 1"), events);
        assertNull(ch.readOutbound(), "NOTICE has no answer (docs/PROTOCOL.md §6)");
        assertTrue(ch.isActive(), "a malformed NOTICE does not cost the connection");
    }

    @Test
    void deletionsAndAClearOnAnotherDeviceReachTheListenersAndTheCounts() {
        EmbeddedChannel ch = connectAndSync(SyncAck.newBuilder().setVersion(10).build());
        ch.writeInbound(Frames.of(Command.PUSH, 0, Push.newBuilder().addMessages(message(1, 8))
                .addMessages(message(2, 8)).addMessages(message(3, 8)).build()));
        events.clear();

        ch.writeInbound(Frames.of(Command.NOTICE, 0, Notice.newBuilder().setType(NoticeType.NOTICE_DELETED)
                .setConversationId(C).addSeqs(1).addSeqs(2).setUid(7).setVersion(300).build()));
        ch.writeInbound(Frames.of(Command.NOTICE, 0, Notice.newBuilder().setType(NoticeType.NOTICE_CLEARED)
                .setConversationId(C).setSeq(3).setUid(7).setVersion(400).build()));

        assertEquals(List.of("unread 2/2", "unread 1/1", "deleted [1, 2]", "unread 0/0", "cleared 3"), events);
        assertEquals(3, delivery.conversationState(C).orElseThrow().clearedSeq());
    }

    @Test
    void afterAReconnectTheChangesOfHeldMessagesSinceTheLastKnownVersionAreAskedForAndReported() {
        EmbeddedChannel first = connectAndSync(SyncAck.newBuilder().setVersion(10).build());
        first.writeInbound(Frames.of(Command.PUSH, 0, Push.newBuilder().addMessages(message(1, 8))
                .addMessages(message(2, 8)).addMessages(message(3, 8)).build()));
        events.clear();

        first.close(); // offline: seq 2 is recalled, seq 1 deleted on another device, seq 4 sent
        timer.advanceTimeBy(100, TimeUnit.MILLISECONDS);
        timer.runScheduledPendingTasks();
        EmbeddedChannel ch = connector.last();
        Frame login = ch.readOutbound();
        ch.writeInbound(Frames.of(Command.LOGIN_ACK, login.requestId(),
                LoginAck.newBuilder().setUid(7).setDeviceId("dev-1").setGateId("gate").setHeartbeatSeconds(30).build()));
        // a message pushed before the SYNC answer must not move the catch-up past what happened offline
        ch.writeInbound(Frames.of(Command.PUSH, 0, Push.newBuilder().addMessages(message(5, 8)).build()));
        Frame sync = next(ch, Command.SYNC);
        ch.writeInbound(Frames.of(Command.SYNC_ACK, sync.requestId(), SyncAck.newBuilder().setVersion(20)
                .addConversations(ConversationInfo.newBuilder().setConversationId(C).setLastSeq(5).setReadSeq(0)
                        .setUnreadCount(3).setVersion(500)).setTotalUnread(3).build()));

        List<PullRequest> pulls = pulls(ch);
        PullRequest catchUp = pulls.stream().filter(p -> p.getSinceVersion() > 0).findFirst().orElseThrow();
        assertEquals(1003, catchUp.getSinceVersion(), "the newest version known before the login: seq 3's");
        assertTrue(pulls.stream().anyMatch(p -> p.getSinceVersion() == 0 && p.getFromSeq() == 4),
                "the missing seq 4 is pulled as usual: " + pulls);
        ch.writeInbound(Frames.of(Command.PULL_ACK, requestIdOf(ch, catchUp), PullAck.newBuilder().setConversationId(C)
                .addMessages(message(4, 8))
                .addMessages(message(2, 8).toBuilder().setStatus(MessageStatus.RECALLED).setVersion(2000)
                        .setContent(MessageContent.newBuilder().setType(MessageType.TEXT)))
                .addMessages(message(1, 8).toBuilder().setStatus(MessageStatus.DELETED).setVersion(2100)
                        .setContent(MessageContent.newBuilder().setType(MessageType.TEXT)))
                .build()));

        PullRequest gap = pulls.stream().filter(p -> p.getSinceVersion() == 0).findFirst().orElseThrow();
        ch.writeInbound(Frames.of(Command.PULL_ACK, requestIdOf(ch, gap), PullAck.newBuilder().setConversationId(C)
                .addMessages(message(4, 8)).build()));

        assertEquals(List.of("recalled 2", "deleted [1]"), events.stream()
                .filter(e -> e.startsWith("recalled") || e.startsWith("deleted")).toList(), "each once: " + events);
        assertEquals(List.of("message 4", "message 5"), events.stream().filter(e -> e.startsWith("message")).toList(),
                "the catch-up delivers nothing itself: new seqs come in order through the seq catch-up");
        assertTrue(pulls(ch).isEmpty(), "one page: has_more was false");
    }

    @Test
    void syncNowAppliesTheListSettingsAndCompletesAfterTheAnswer() throws Exception {
        EmbeddedChannel ch = connectAndSync(SyncAck.newBuilder().setVersion(10).addConversations(ConversationInfo
                .newBuilder().setConversationId(C).setVersion(100)).build());
        drain(ch);

        CompletableFuture<Void> synced = delivery.syncNow();
        Frame sync = next(ch, Command.SYNC);
        assertEquals(10, SyncRequest.parseFrom(sync.body()).getSinceVersion());
        assertFalse(synced.isDone());
        ch.writeInbound(Frames.of(Command.SYNC_ACK, sync.requestId(), SyncAck.newBuilder().setVersion(12)
                .addConversations(ConversationInfo.newBuilder().setConversationId(C).setVersion(200)
                        .setPinnedAt(1234).setMuted(true).setDeleted(true)).build()));

        synced.get(0, TimeUnit.SECONDS);
        ConversationState state = delivery.conversationState(C).orElseThrow();
        assertEquals(1234, state.pinnedAt());
        assertTrue(state.muted());
        assertTrue(state.hidden());
        assertTrue(pulls(ch).stream().noneMatch(p -> p.getSinceVersion() > 0), "no catch-up without a login");
    }

    // ---- the gate's side

    /** The PULLs the client sent since the last look. */
    private List<PullRequest> pulls(EmbeddedChannel ch) {
        ch.runPendingTasks();
        List<PullRequest> found = new ArrayList<>();
        Frame f;
        while ((f = ch.readOutbound()) != null) {
            if (f.is(Command.PULL)) {
                try {
                    PullRequest request = PullRequest.parseFrom(f.body());
                    found.add(request);
                    sentPulls.put(request, f.requestId());
                } catch (InvalidProtocolBufferException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return found;
    }

    private int requestIdOf(EmbeddedChannel ch, PullRequest request) {
        return sentPulls.get(request);
    }

    private EmbeddedChannel connectAndSync(SyncAck sync) {
        supervisor.connect(CREDS);
        EmbeddedChannel ch = connector.last();
        Frame login = ch.readOutbound();
        ch.writeInbound(Frames.of(Command.LOGIN_ACK, login.requestId(),
                LoginAck.newBuilder().setUid(7).setDeviceId("dev-1").setGateId("gate").setHeartbeatSeconds(30).build()));
        Frame request = next(ch, Command.SYNC);
        ch.writeInbound(Frames.of(Command.SYNC_ACK, request.requestId(), sync));
        return ch;
    }

    private void deliverTheCatchUpPull(EmbeddedChannel ch, long... seqs) {
        Frame pull = next(ch, Command.PULL);
        var ack = io.magpie.protocol.proto.PullAck.newBuilder().setConversationId(C);
        for (long s : seqs) {
            ack.addMessages(message(s, 8));
        }
        ch.writeInbound(Frames.of(Command.PULL_ACK, pull.requestId(), ack.build()));
    }

    private static Frame next(EmbeddedChannel ch, Command command) {
        ch.runPendingTasks();
        Frame f;
        while ((f = ch.readOutbound()) != null) {
            if (f.is(command)) {
                return f;
            }
        }
        throw new AssertionError("the client sent no " + command);
    }

    private static void drain(EmbeddedChannel ch) {
        ch.runPendingTasks();
        while (ch.readOutbound() != null) {
            // frames of the login and sync
        }
    }

    private static Frame notice(NoticeType type, long seq, long uid, long version) {
        return Frames.of(Command.NOTICE, 0, Notice.newBuilder().setType(type).setConversationId(C).setSeq(seq)
                .setUid(uid).setVersion(version).build());
    }

    private static Message message(long seq, long sender) {
        return Message.newBuilder().setConversationId(C).setSeq(seq).setSenderUid(sender).setMsgId(1000 + seq)
                .setVersion(1000 + seq)
                .setContent(MessageContent.newBuilder().setType(MessageType.TEXT).setText("m" + seq)).build();
    }
}
