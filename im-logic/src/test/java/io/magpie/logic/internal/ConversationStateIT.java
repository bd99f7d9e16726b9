package io.magpie.logic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import io.magpie.das.Conversation;
import io.magpie.das.MessageRecalls;
import io.magpie.das.MessageRecord;
import io.magpie.das.OwnHistory;
import io.magpie.das.ReadPositions;
import io.magpie.das.UnreadCounts;
import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import io.magpie.protocol.Command;
import io.magpie.protocol.ConversationIds;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.proto.ActionAck;
import io.magpie.protocol.proto.MessageActionRequest;
import io.magpie.protocol.proto.Notice;
import io.magpie.protocol.proto.NoticeType;
import io.magpie.protocol.proto.PullAck;
import io.magpie.protocol.proto.PushTarget;
import io.magpie.protocol.proto.PushTask;
import io.magpie.protocol.proto.ReadRequest;
import io.magpie.protocol.proto.SendAck;
import io.magpie.protocol.proto.UpstreamEnvelope;
import io.magpie.testkit.InfrastructureExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 9 on the real MariaDB: READ (acks, notices to the reader's other devices, one-to-one receipts,
 * clamping, never backwards), RECALL (who may, the window, the placeholder), DELETE for me and CLEAR, and unread counts that
 * equal a recount from the message table after random interleavings of sends, reads, recalls, deletes and
 * clears.
 */
@ExtendWith(InfrastructureExtension.class)
class ConversationStateIT {

    /** No hold-back window: the IT's versions are not snowflake ids. */
    private static final SyncCursor CURSOR = new SyncCursor(Clock.systemUTC(), Duration.ZERO, Instant.EPOCH);

    private static WritePath path;
    private static SendBatchProcessor sends;
    private static ReadProcessor reads;
    private static RecallProcessor recalls;
    private static UnreadCounts unread;
    private static ReadPositions positions;
    private static OwnHistory history;
    private static OwnHistoryProcessor own;

    @BeforeAll
    static void start(Infrastructure infra, TestIsolation iso) {
        path = new WritePath(infra, iso);
        sends = path.processor(null);
        positions = new ReadPositions(path.database.dataSource(), Clock.systemUTC());
        unread = new UnreadCounts(path.database.dataSource());
        reads = new ReadProcessor(positions, unread, path.idSource());
        recalls = recallProcessor(Duration.ofMinutes(2), Clock.systemUTC());
        history = new OwnHistory(path.database.dataSource(), Clock.systemUTC());
        own = new OwnHistoryProcessor(history, path.idSource());
    }

    @AfterAll
    static void stop() {
        if (path != null) {
            path.close();
        }
    }

    private static RecallProcessor recallProcessor(Duration window, Clock clock) {
        return new RecallProcessor(path.messages, new MessageRecalls(path.database.dataSource(), Clock.systemUTC()),
                path.groups, path.idSource(), window,
                clock);
    }

    @Test
    void aReadMovesForwardOnlyIsClampedReachesTheOtherDevicesAndThePeerAsAReceipt() throws Exception {
        long alice = path.uid();
        long bob = path.uid();
        String conv = ConversationIds.single(alice, bob);
        send(Sends.command(alice, bob, "a1"), Sends.command(alice, bob, "a2"), Sends.command(alice, bob, "a3"));
        assertEquals(3, unreadOf(bob, conv));
        assertEquals(3, unread.total(bob));
        assertEquals(0, unreadOf(alice, conv), "her own messages are read");

        List<OutgoingPush> out = reads.process(List.of(read(bob, 41, conv, 2)));

        ActionAck ack = only(out, Command.READ_ACK, ActionAck.class);
        assertEquals(conv, ack.getConversationId());
        assertEquals(row(bob, conv).version(), ack.getVersion());
        assertEquals(2, ack.getSeq());
        assertEquals(1, ack.getUnreadCount(), "a3 is left");
        assertEquals(3, ack.getLastSeq(), "the count covers up to seq 3");
        Notice own = notice(out, NoticeType.NOTICE_READ);
        assertEquals(2, own.getSeq());
        assertEquals(1, own.getUnreadCount());
        assertEquals(Set.of(bob), targets(out, NoticeType.NOTICE_READ));
        PushTarget ownTarget = task(out, NoticeType.NOTICE_READ).getTargets(0);
        assertEquals(41, ownTarget.getExcludeConnectionId(), "the device that read is not told");
        Notice receipt = notice(out, NoticeType.NOTICE_PEER_READ);
        assertEquals(2, receipt.getSeq());
        assertEquals(bob, receipt.getUid());
        assertEquals(Set.of(alice), targets(out, NoticeType.NOTICE_PEER_READ));
        assertEquals(1, unreadOf(bob, conv));
        assertEquals(2, row(alice, conv).peerReadSeq());
        assertTrue(row(alice, conv).version() > 0);

        List<OutgoingPush> backwards = reads.process(List.of(read(bob, 42, conv, 1)));
        assertEquals(2, row(bob, conv).readSeq(), "a read position never moves back");
        assertEquals(1, WritePath.withCommand(backwards, Command.READ_ACK).size());
        assertEquals(0, WritePath.withCommand(backwards, Command.NOTICE).size(), "nothing moved, nobody is told");

        ActionAck clamped = only(reads.process(List.of(read(bob, 41, conv, 99))), Command.READ_ACK, ActionAck.class);
        assertEquals(3, clamped.getSeq(), "the ack says where it was clamped to");
        assertEquals(0, clamped.getUnreadCount());
        assertEquals(3, row(bob, conv).readSeq(), "clamped to the last seq");
        assertEquals(0, unreadOf(bob, conv));
        assertEquals(0, unread.total(bob));
    }

    @Test
    void readsOfOneBatchAreMergedAndAReadOfAConversationWithoutARowIsNotFound() throws Exception {
        long alice = path.uid();
        long bob = path.uid();
        long carol = path.uid();
        String conv = ConversationIds.single(alice, bob);
        send(Sends.command(alice, bob, "m1"), Sends.command(alice, bob, "m2"));
        long group = path.group(alice, bob);

        List<OutgoingPush> out = reads.process(List.of(read(bob, 1, conv, 1), read(bob, 2, conv, 2),
                read(carol, 3, ConversationIds.group(group), 1)));

        assertEquals(2, WritePath.withCommand(out, Command.READ_ACK).size(), "each request is answered");
        List<io.magpie.protocol.proto.Error> errors = WritePath.errors(out);
        assertEquals(1, errors.size());
        assertEquals(ErrorCode.NOT_FOUND.code(), errors.get(0).getCode());
        assertEquals(2, row(bob, conv).readSeq());
        assertEquals(1, WritePath.withCommand(out, Command.NOTICE).stream()
                .filter(t -> parse(t, Notice.class).getType() == NoticeType.NOTICE_PEER_READ).count());
    }

    @Test
    void receiptsHiddenByEitherSideAreNeitherSentNorStored() throws Exception {
        long alice = account();
        long bob = account();
        String conv = ConversationIds.single(alice, bob);
        send(Sends.command(alice, bob, "h1"));
        assertTrue(positions.setReceipts(bob, false, path.idSource().nextId()));

        List<OutgoingPush> out = reads.process(List.of(read(bob, 5, conv, 1)));

        assertEquals(0, row(alice, conv).peerReadSeq());
        assertEquals(Set.of(NoticeType.NOTICE_READ), WritePath.withCommand(out, Command.NOTICE).stream()
                .map(t -> parse(t, Notice.class).getType()).collect(Collectors.toSet()));
        assertTrue(positions.setReceipts(bob, true, path.idSource().nextId()));
        send(Sends.command(alice, bob, "h2"));
        reads.process(List.of(read(bob, 5, conv, 2)));
        assertEquals(2, row(alice, conv).peerReadSeq(), "back on: the next read is a receipt again");
    }

    @Test
    void aSenderRecallsWithinTheWindowEveryDeviceIsToldAndTheContentIsGone() throws Exception {
        long alice = path.uid();
        long bob = path.uid();
        String conv = ConversationIds.single(alice, bob);
        send(Sends.command(alice, bob, "r1"), Sends.command(alice, bob, "r2"));
        long bobVersion = row(bob, conv).version();

        List<OutgoingPush> refused = recalls.process(List.of(recall(bob, conv, 1)));
        assertEquals(ErrorCode.FORBIDDEN.code(), WritePath.errors(refused).get(0).getCode());
        List<OutgoingPush> missing = recalls.process(List.of(recall(alice, conv, 9)));
        assertEquals(ErrorCode.NOT_FOUND.code(), WritePath.errors(missing).get(0).getCode());

        List<OutgoingPush> out = recalls.process(List.of(recall(alice, conv, 1)));

        ActionAck ack = only(out, Command.RECALL_ACK, ActionAck.class);
        MessageRecord stored = path.messages.findRange(conv, 1, 1, 1).get(0);
        assertEquals(MessageRecord.STATUS_RECALLED, stored.status());
        assertEquals(ack.getVersion(), stored.version());
        assertEquals(io.magpie.protocol.proto.MessageContent.newBuilder()
                .setType(io.magpie.protocol.proto.MessageType.TEXT).build(),
                io.magpie.protocol.proto.MessageContent.parseFrom(stored.content()), "only the type is left");
        Notice notice = notice(out, NoticeType.NOTICE_RECALLED);
        assertEquals(1, notice.getSeq());
        assertEquals(alice, notice.getUid());
        assertEquals(alice, notice.getSenderUid());
        assertEquals(stored.msgId(), notice.getMsgId());
        assertEquals(Set.of(alice, bob), targets(out, NoticeType.NOTICE_RECALLED));
        assertTrue(row(bob, conv).version() > bobVersion, "the peer's devices learn of it by SYNC too");
        assertEquals(1, unreadOf(bob, conv), "a recalled message is no longer unread");

        List<OutgoingPush> again = recalls.process(List.of(recall(alice, conv, 1)));
        assertEquals(ack.getVersion(), only(again, Command.RECALL_ACK, ActionAck.class).getVersion());
        assertEquals(0, WritePath.withCommand(again, Command.NOTICE).size());

        Clock later = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(3));
        List<OutgoingPush> late = recallProcessor(Duration.ofMinutes(2), later).process(List.of(recall(alice, conv, 2)));
        assertEquals(ErrorCode.RECALL_WINDOW_PASSED.code(), WritePath.errors(late).get(0).getCode());
        assertEquals(MessageRecord.STATUS_NORMAL, path.messages.findRange(conv, 2, 2, 1).get(0).status());
    }

    @Test
    void aGroupOwnerRecallsAnyMessageAtAnyTimeAMemberOnlyTheirOwn() throws Exception {
        long owner = path.uid();
        long member = path.uid();
        long other = path.uid();
        long group = path.group(owner, member, other);
        String conv = ConversationIds.group(group);
        send(Sends.groupCommand(member, group, "g1"), Sends.groupCommand(member, group, "g2"));
        Clock later = Clock.fixed(Instant.now().plus(Duration.ofDays(1)), ZoneOffset.UTC);
        RecallProcessor tomorrow = recallProcessor(Duration.ofMinutes(2), later);

        assertEquals(ErrorCode.FORBIDDEN.code(),
                WritePath.errors(recalls.process(List.of(recall(other, conv, 1)))).get(0).getCode());
        List<OutgoingPush> out = tomorrow.process(List.of(recall(owner, conv, 1)));

        assertEquals(1, WritePath.withCommand(out, Command.RECALL_ACK).size());
        assertEquals(Set.of(owner, member, other), targets(out, NoticeType.NOTICE_RECALLED));
        assertEquals(1, unreadOf(other, conv));
        assertEquals(ErrorCode.FORBIDDEN.code(), WritePath.errors(recalls.process(List.of(recall(
                path.uid(), conv, 2)))).get(0).getCode(), "not a member");
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "large-group threshold {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {200, 0})
    void unreadCountsEqualARecountAfterRandomInterleavingsOfSendsReadsRecallsDeletesClearsJoinsAndARedisFlush(int threshold)
            throws Exception {
        // 200: the group's rows move per message (write diffusion); 0: only the group row does (read diffusion)
        SendBatchProcessor sends = path.processor(path.idSource(), null, threshold);
        Random random = new Random(20261203L + threshold);
        long[] users = {path.uid(), path.uid(), path.uid()};
        long joiner = path.uid();
        long group = path.group(users[0], users[1], users[2]);
        List<String> conversations = List.of(ConversationIds.single(users[0], users[1]),
                ConversationIds.single(users[1], users[2]), ConversationIds.single(users[0], users[2]),
                ConversationIds.group(group));
        int sent = 0;
        for (int step = 0; step < 360; step++) {
            if (step == 300) {
                flushRedis(); // counts read nothing from Redis: losing it mid-stream changes none
            }
            if (step == 150) {
                path.groups.addMembers(group, List.of(joiner), 100, System.currentTimeMillis());
                users = new long[] {users[0], users[1], users[2], joiner};
            }
            long user = users[random.nextInt(users.length)];
            int op = random.nextInt(10);
            if (op < 5) {
                List<SendCommand> batch = new ArrayList<>();
                for (int i = 1 + random.nextInt(3); i > 0; i--) {
                    long u = users[random.nextInt(users.length)];
                    batch.add(random.nextBoolean() || u == joiner ? Sends.groupCommand(u, group, "p" + threshold + "_" + sent++)
                            : Sends.command(u, users[(indexOf(users, u) + 1) % 3], "p" + threshold + "_" + sent++));
                }
                assertEquals(batch.size(), WritePath.acks(sends.process(batch)).size(), "every send is stored");
            } else if (op < 8) {
                String conv = conversations.get(random.nextInt(conversations.size()));
                if (member(user, conv, joiner, users)) {
                    reads.process(List.of(read(user, 1, conv, 1 + random.nextInt(40))));
                }
            } else {
                String conv = conversations.get(random.nextInt(conversations.size()));
                long max = path.messages.maxSeq(conv);
                if (max > 0 && op == 8) {
                    MessageRecord m = path.messages.findRange(conv, 1 + random.nextInt((int) max), max, 1).get(0);
                    recalls.process(List.of(recall(m.senderUid(), conv, m.seq())));
                } else if (max > 0 && member(user, conv, joiner, users)) {
                    own.process(random.nextInt(4) == 0 ? clear(user, conv, random.nextInt((int) max))
                            : delete(user, conv, 1 + random.nextInt((int) max), 1 + random.nextInt((int) max)));
                }
            }
        }
        assertEquals(4, users.length, "the joiner joined half way");
        for (long user : users) {
            long total = 0;
            for (String conv : conversations) {
                // as SYNC sees it: a read-diffusion group's last seq comes from the group row
                Conversation c = path.conversations.syncSince(user, 0, 1000).stream()
                        .filter(r -> r.conversationId().equals(conv)).findFirst().orElse(null);
                if (c == null) {
                    continue;
                }
                long expected = recount(user, conv, Math.max(c.readSeq(), c.clearedSeq()));
                assertEquals(expected, unread.of(List.of(c)).get(conv), "unread of " + user + " in " + conv);
                total += expected;
            }
            assertEquals(total, unread.total(user), "total unread of " + user);
        }
    }

    @Test
    void deleteHidesMessagesForTheCallerOnlyOnAllTheirDevicesAndUnreadFollows() throws Exception {
        long alice = path.uid();
        long bob = path.uid();
        String conv = ConversationIds.single(alice, bob);
        send(Sends.command(alice, bob, "d1"), Sends.command(alice, bob, "d2"), Sends.command(alice, bob, "d3"));
        PullHandler pull = new PullHandler(path.messages, path.conversations, path.groups, history, CURSOR);

        List<OutgoingPush> out = own.process(delete(bob, conv, 2, 3, 99));

        ActionAck ack = only(out, Command.DELETE_ACK, ActionAck.class);
        assertEquals(row(bob, conv).version(), ack.getVersion());
        Notice notice = notice(out, NoticeType.NOTICE_DELETED);
        assertEquals(List.of(2L, 3L), notice.getSeqsList(), "unknown seq 99 ignored");
        assertEquals(Set.of(bob), targets(out, NoticeType.NOTICE_DELETED));
        assertEquals(1, unreadOf(bob, conv));
        PullAck bobs = PullAck.parseFrom(pull.answer(new QueryCommand.Pull(Sends.envelope(bob, 5, 13,
                Command.PULL.code(), new byte[0]), conv, 1, Long.MAX_VALUE, 10, false)).task().getBody());
        assertEquals(List.of(io.magpie.protocol.proto.MessageStatus.NORMAL, io.magpie.protocol.proto.MessageStatus.DELETED,
                io.magpie.protocol.proto.MessageStatus.DELETED), bobs.getMessagesList().stream()
                .map(io.magpie.protocol.proto.Message::getStatus).toList(), "seqs stay gapless");
        assertEquals("", bobs.getMessages(1).getContent().getText());
        PullAck alices = PullAck.parseFrom(pull.answer(new QueryCommand.Pull(Sends.envelope(alice, 5, 13,
                Command.PULL.code(), new byte[0]), conv, 1, Long.MAX_VALUE, 10, false)).task().getBody());
        assertTrue(alices.getMessagesList().stream().allMatch(m -> m.getStatus()
                == io.magpie.protocol.proto.MessageStatus.NORMAL), "others are unaffected");

        List<OutgoingPush> again = own.process(delete(bob, conv, 2));
        assertEquals(1, WritePath.withCommand(again, Command.DELETE_ACK).size());
        assertEquals(0, WritePath.withCommand(again, Command.NOTICE).size(), "nothing changed");
        long stranger = path.uid();
        assertEquals(ErrorCode.NOT_FOUND.code(), WritePath.errors(own.process(delete(stranger, ConversationIds.group(
                path.group(alice)), 1))).get(0).getCode());
    }

    @Test
    void clearHidesHistoryUpToASeqForTheCaller() throws Exception {
        long alice = path.uid();
        long bob = path.uid();
        String conv = ConversationIds.single(alice, bob);
        send(Sends.command(alice, bob, "c1"), Sends.command(alice, bob, "c2"), Sends.command(alice, bob, "c3"));
        PullHandler pull = new PullHandler(path.messages, path.conversations, path.groups, history, CURSOR);

        List<OutgoingPush> out = own.process(clear(bob, conv, 2));

        assertEquals(1, WritePath.withCommand(out, Command.CLEAR_ACK).size());
        assertEquals(2, notice(out, NoticeType.NOTICE_CLEARED).getSeq());
        assertEquals(2, row(bob, conv).clearedSeq());
        assertEquals(1, unreadOf(bob, conv));
        PullAck bobs = PullAck.parseFrom(pull.answer(new QueryCommand.Pull(Sends.envelope(bob, 5, 13,
                Command.PULL.code(), new byte[0]), conv, 1, Long.MAX_VALUE, 10, false)).task().getBody());
        assertEquals(List.of(3L), seqs(bobs));
        own.process(clear(bob, conv, 0));
        assertEquals(3, row(bob, conv).clearedSeq(), "0 clears up to the newest");
        assertEquals(0, unreadOf(bob, conv));
        assertEquals(0, row(alice, conv).clearedSeq(), "others are unaffected");
        own.process(clear(bob, conv, 1));
        assertEquals(3, row(bob, conv).clearedSeq(), "never lowered");
    }

    @Test
    void aDeviceCatchesUpOnChangesByVersionNewRecalledAndItsOwnDeletionsPageByPage() throws Exception {
        long alice = path.uid();
        long bob = path.uid();
        String conv = ConversationIds.single(alice, bob);
        send(Sends.command(alice, bob, "v1"), Sends.command(alice, bob, "v2"), Sends.command(alice, bob, "v3"));
        PullHandler pull = new PullHandler(path.messages, path.conversations, path.groups, history, CURSOR);
        long cursor = changes(pull, bob, conv, 0, 10).getMessagesList().stream()
                .mapToLong(io.magpie.protocol.proto.Message::getVersion).max().orElseThrow();

        recalls.process(List.of(recall(alice, conv, 1)));
        own.process(delete(bob, conv, 2, 3));
        send(Sends.command(alice, bob, "v4"));

        PullAck all = changes(pull, bob, conv, cursor, 10);
        assertEquals(List.of("1:RECALLED", "2:DELETED", "3:DELETED", "4:NORMAL"), all.getMessagesList().stream()
                .map(m -> m.getSeq() + ":" + m.getStatus()).toList());
        assertFalse(all.getHasMore());
        assertEquals(all.getMessagesList().stream().mapToLong(io.magpie.protocol.proto.Message::getVersion).max()
                .orElseThrow(), all.getVersion(), "the next cursor (no hold-back window here)");
        List<String> paged = new ArrayList<>();
        long at = cursor;
        for (int round = 0; round < 10; round++) {
            PullAck page = changes(pull, bob, conv, at, 1);
            page.getMessagesList().forEach(m -> paged.add(m.getSeq() + ":" + m.getStatus()));
            at = page.getVersion();
            if (!page.getHasMore()) {
                break;
            }
        }
        assertEquals(List.of("1:RECALLED", "2:DELETED", "3:DELETED", "4:NORMAL"), paged,
                "one DELETE's seqs share a version and come in one page");
        List<String> replay = changes(pull, bob, conv, cursor - 1, 10).getMessagesList().stream()
                .map(m -> m.getSeq() + ":" + m.getStatus()).toList();
        assertEquals(replay.stream().distinct().toList(), replay, "each change once per answer, a deletion"
                + " with the deletion's version only");
        assertEquals(List.of("1:RECALLED", "4:NORMAL"), changes(pull, alice, conv, cursor, 10).getMessagesList()
                .stream().map(m -> m.getSeq() + ":" + m.getStatus()).toList(), "her view has no deletion of his");
    }

    private static PullAck changes(PullHandler handler, long uid, String conv, long sinceVersion, int limit)
            throws Exception {
        UpstreamEnvelope env = Sends.envelope(uid, 5, 13, Command.PULL.code(), new byte[0]);
        return PullAck.parseFrom(handler.answer(new QueryCommand.Pull(env, conv, 1, Long.MAX_VALUE, limit, false,
                sinceVersion)).task().getBody());
    }

    @Test
    void historyPagesBackwardsFromTheNewestAndShowsRecalledMessagesAsPlaceholders() throws Exception {
        long alice = path.uid();
        long bob = path.uid();
        String conv = ConversationIds.single(alice, bob);
        send(Sends.command(alice, bob, "b1"), Sends.command(bob, alice, "b2"), Sends.command(alice, bob, "b3"),
                Sends.command(alice, bob, "b4"), Sends.command(bob, alice, "b5"));
        recalls.process(List.of(recall(alice, conv, 3)));
        PullHandler pull = new PullHandler(path.messages, path.conversations, path.groups, history, CURSOR);

        PullAck newest = pull(pull, bob, conv, Long.MAX_VALUE);
        PullAck older = pull(pull, bob, conv, 3);
        PullAck oldest = pull(pull, bob, conv, 1);

        assertEquals(List.of(4L, 5L), seqs(newest));
        assertTrue(newest.getHasMore());
        assertEquals(List.of(2L, 3L), seqs(older));
        assertTrue(older.getHasMore());
        assertEquals(io.magpie.protocol.proto.MessageStatus.RECALLED, older.getMessages(1).getStatus());
        assertFalse(older.getMessages(1).getContent().hasMedia() || !older.getMessages(1).getContent().getText()
                .isEmpty(), "no content left");
        assertEquals(List.of(1L), seqs(oldest));
        assertFalse(oldest.getHasMore());
    }

    private static PullAck pull(PullHandler handler, long uid, String conv, long toSeq) throws Exception {
        UpstreamEnvelope env = Sends.envelope(uid, 5, 13, Command.PULL.code(), new byte[0]);
        return PullAck.parseFrom(handler.answer(new QueryCommand.Pull(env, conv, 1, toSeq, 2, true)).task().getBody());
    }

    private static List<Long> seqs(PullAck ack) {
        return ack.getMessagesList().stream().map(io.magpie.protocol.proto.Message::getSeq).toList();
    }

    /** Deletes every key of this test's Redis prefix, as a FLUSHALL would. */
    private static void flushRedis() {
        var redis = path.redis.strings().sync();
        io.lettuce.core.ScanArgs match = io.lettuce.core.ScanArgs.Builder.matches(path.redis.keys().prefix() + "*")
                .limit(500);
        io.lettuce.core.KeyScanCursor<String> cursor = redis.scan(match);
        while (true) {
            if (!cursor.getKeys().isEmpty()) {
                redis.del(cursor.getKeys().toArray(String[]::new));
            }
            if (cursor.isFinished()) {
                break;
            }
            cursor = redis.scan(cursor, match);
        }
    }

    private static boolean member(long user, String conv, long joiner, long[] users) {
        if (ConversationIds.isGroup(conv)) {
            return user != joiner || users.length == 4;
        }
        return conv.contains("_" + user + "_") || conv.endsWith("_" + user);
    }

    /** Messages of others above the floor, not recalled, not deleted by the owner: counted from the tables. */
    private static long recount(long owner, String conv, long floor) throws Exception {
        try (Connection c = path.database.dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM message m WHERE m.conversation_id = ?"
                     + " AND m.seq > ? AND m.status = 0 AND m.sender_uid <> ? AND NOT EXISTS (SELECT 1 FROM"
                     + " message_hidden h WHERE h.owner_uid = ? AND h.conversation_id = m.conversation_id"
                     + " AND h.seq = m.seq)")) {
            s.setString(1, conv);
            s.setLong(2, floor);
            s.setLong(3, owner);
            s.setLong(4, owner);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static int indexOf(long[] users, long u) {
        for (int i = 0; i < users.length; i++) {
            if (users[i] == u) {
                return i;
            }
        }
        throw new IllegalArgumentException("no user " + u);
    }

    private static final java.util.concurrent.atomic.AtomicLong ACCOUNTS = new java.util.concurrent.atomic.AtomicLong();

    /** A uid with an account row (read-receipt settings live there). */
    private static long account() throws Exception {
        long uid = path.uid();
        try (Connection c = path.database.dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("INSERT INTO account (uid, username, password_hash, created_at,"
                     + " updated_at) VALUES (?, ?, 'x', 0, 0)")) {
            s.setLong(1, uid);
            s.setString(2, "state" + uid + "_" + ACCOUNTS.incrementAndGet());
            s.executeUpdate();
        }
        return uid;
    }

    private static void send(SendCommand... commands) throws Exception {
        List<SendAck> acks = WritePath.acks(sends.process(List.of(commands)));
        assertEquals(commands.length, acks.size(), "every send is stored");
    }

    private static long unreadOf(long owner, String conv) {
        return unread.of(List.of(row(owner, conv))).get(conv);
    }

    private static Conversation row(long owner, String conv) {
        return path.conversations.syncSince(owner, 0, 1000).stream().filter(c -> c.conversationId().equals(conv))
                .findFirst().orElseThrow(() -> new AssertionError("no row of " + owner + " for " + conv));
    }

    private static ActionCommand.Read read(long uid, long connectionId, String conv, long seq) {
        UpstreamEnvelope env = Sends.envelope(uid, connectionId, 9, Command.READ.code(),
                ReadRequest.newBuilder().setConversationId(conv).setReadSeq(seq).build().toByteArray());
        return new ActionCommand.Read(env, ConversationRef.parse(conv).orElseThrow(), seq);
    }

    private static ActionCommand.Delete delete(long uid, String conv, long... seqs) {
        Set<Long> all = new java.util.TreeSet<>();
        for (long seq : seqs) {
            all.add(seq);
        }
        return new ActionCommand.Delete(Sends.envelope(uid, 3, 12, Command.DELETE.code(), new byte[0]),
                ConversationRef.parse(conv).orElseThrow(), all);
    }

    private static ActionCommand.Clear clear(long uid, String conv, long upTo) {
        return new ActionCommand.Clear(Sends.envelope(uid, 3, 14, Command.CLEAR.code(), new byte[0]),
                ConversationRef.parse(conv).orElseThrow(), upTo);
    }

    private static ActionCommand.Recall recall(long uid, String conv, long seq) {
        UpstreamEnvelope env = Sends.envelope(uid, 3, 11, Command.RECALL.code(),
                MessageActionRequest.newBuilder().setConversationId(conv).setSeq(seq).build().toByteArray());
        return new ActionCommand.Recall(env, ConversationRef.parse(conv).orElseThrow(), seq);
    }

    private static PushTask task(List<OutgoingPush> out, NoticeType type) {
        List<PushTask> found = WritePath.withCommand(out, Command.NOTICE).stream()
                .filter(t -> parse(t, Notice.class).getType() == type).toList();
        assertEquals(1, found.size(), "one " + type + " notice in " + out);
        return found.get(0);
    }

    private static Notice notice(List<OutgoingPush> out, NoticeType type) {
        return parse(task(out, type), Notice.class);
    }

    private static Set<Long> targets(List<OutgoingPush> out, NoticeType type) {
        return task(out, type).getTargetsList().stream().map(PushTarget::getUid).collect(Collectors.toSet());
    }

    private static <T> T only(List<OutgoingPush> out, Command command, Class<T> type) {
        List<PushTask> found = WritePath.withCommand(out, command);
        assertEquals(1, found.size(), command + " in " + out);
        assertFalse(found.get(0).getTargetsList().isEmpty());
        return parse(found.get(0), type);
    }

    @SuppressWarnings("unchecked")
    private static <T> T parse(PushTask t, Class<T> type) {
        try {
            if (type == Notice.class) {
                return (T) Notice.parseFrom(t.getBody());
            }
            if (type == ActionAck.class) {
                return (T) ActionAck.parseFrom(t.getBody());
            }
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalArgumentException(type.getName());
    }
}
