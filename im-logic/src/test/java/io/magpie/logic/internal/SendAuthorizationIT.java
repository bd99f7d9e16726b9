package io.magpie.logic.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.protocol.Command;
import io.magpie.protocol.ConversationIds;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.proto.PushTarget;
import io.magpie.protocol.proto.PushTask;
import io.magpie.protocol.proto.SendAck;
import io.magpie.engines.Infrastructure;
import io.magpie.testkit.InfrastructureExtension;
import io.magpie.engines.TestIsolation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 8 point 2 on the real MariaDB and Redis: a SEND is authorised against what is stored (a reused
 * client msg id never reaches another conversation), and a group message reaches exactly the members
 * at its seq, including one who joins while it is being stored.
 */
@ExtendWith(InfrastructureExtension.class)
class SendAuthorizationIT {

    private static WritePath path;
    private static SendBatchProcessor processor;

    @BeforeAll
    static void start(Infrastructure infra, TestIsolation iso) {
        path = new WritePath(infra, iso);
        processor = path.processor(null);
    }

    @AfterAll
    static void stop() {
        if (path != null) {
            path.close();
        }
    }

    @Test
    void aClientMsgIdReusedForAnotherConversationIsRefusedPushesNothingAndTheRestOfTheBatchIsStored() throws Exception {
        long alice = path.uid();
        long bob = path.uid();
        long carol = path.uid();
        long dave = path.uid();
        long eve = path.uid();
        long own = path.group(alice);
        long others = path.group(carol, dave);
        List<OutgoingPush> first = processor.process(List.of(Sends.command(alice, bob, "x"),
                Sends.groupCommand(alice, own, "z")));
        SendAck original = WritePath.acks(first).get(0);

        List<OutgoingPush> pushes = processor.process(List.of(
                Sends.groupCommand(alice, others, "x"),   // a one-to-one id replayed into a group she is not in
                Sends.command(alice, carol, "x"),         // the same id to another peer
                Sends.command(alice, bob, "z"),           // a group id replayed as one-to-one
                Sends.groupCommand(alice, own, "x"),      // a one-to-one id replayed into her own group
                Sends.command(alice, bob, "x"),           // a true resend
                Sends.command(eve, bob, "e1")));          // another user's new message in the same batch

        List<io.magpie.protocol.proto.Error> errors = WritePath.errors(pushes);
        assertEquals(4, errors.size(), errors.toString());
        for (io.magpie.protocol.proto.Error e : errors) {
            assertEquals(ErrorCode.CLIENT_MSG_ID_REUSED.code(), e.getCode(), e.getMessage());
            assertFalse(e.getRetryable());
            assertTrue(e.getMessage().contains("fresh client_msg_id"), e.getMessage());
        }
        List<SendAck> acks = WritePath.acks(pushes);
        assertEquals(2, acks.size(), acks.toString());
        SendAck resent = acks.stream().filter(a -> a.getClientMsgId().equals("x")).findFirst().orElseThrow();
        assertEquals(original.getMsgId(), resent.getMsgId());
        assertEquals(ConversationIds.single(alice, bob), resent.getConversationId());
        SendAck fresh = acks.stream().filter(a -> a.getClientMsgId().equals("e1")).findFirst().orElseThrow();
        assertEquals(1, fresh.getSeq(), "the rest of the batch is stored as one batch, not dropped");

        List<PushTask> messagePushes = WritePath.withCommand(pushes, Command.PUSH);
        Set<String> pushedTo = messagePushes.stream().map(PushTask::getConversationId).collect(Collectors.toSet());
        assertEquals(Set.of(ConversationIds.single(alice, bob), ConversationIds.single(bob, eve)), pushedTo);
        Set<Long> targets = messagePushes.stream().flatMap(t -> t.getTargetsList().stream())
                .map(PushTarget::getUid).collect(Collectors.toSet());
        assertFalse(targets.contains(carol) || targets.contains(dave), "nobody of the other conversations: " + targets);
        assertEquals(List.of(), path.rows(ConversationIds.group(others)));
        assertEquals(List.of(), path.rows(ConversationIds.single(alice, carol)));
        assertEquals(List.of("1:x"), path.rows(ConversationIds.single(alice, bob)));
        assertEquals(List.of("1:z"), path.rows(ConversationIds.group(own)));
    }

    @Test
    void aReplayIsPushedToTheStoredMessagesMembersAtItsSeqNotToWhoJoinedLater() throws Exception {
        long alice = path.uid();
        long bob = path.uid();
        long carol = path.uid();
        long group = path.group(alice, bob);
        processor.process(List.of(Sends.groupCommand(alice, group, "m1")));
        path.groups.addMembers(group, List.of(carol), 100, System.currentTimeMillis());

        List<OutgoingPush> replay = processor.process(List.of(Sends.groupCommand(alice, group, "m1")));
        List<OutgoingPush> next = processor.process(List.of(Sends.groupCommand(alice, group, "m2")));

        assertEquals(1, WritePath.acks(replay).get(0).getSeq());
        assertEquals(Set.of(alice, bob), targets(replay), "carol joined at seq 2: message 1 is not hers");
        assertEquals(Set.of(alice, bob, carol), targets(next));
    }

    @Test
    void aMemberWhoJoinsWhileASendWaitsForTheGroupIsInTheRosterOfTheMessageAtTheirJoinSeq() throws Exception {
        long alice = path.uid();
        long bob = path.uid();
        long carol = path.uid();
        long group = path.group(alice, bob);
        String conversation = ConversationIds.group(group);
        CompletableFuture<List<OutgoingPush>> send;
        try (Connection join = path.database.dataSource().getConnection()) {
            // carol's join, as GroupRepository.addMembers does it: lock the group row, then insert her
            join.setAutoCommit(false);
            long lastSeq;
            try (PreparedStatement s = join.prepareStatement(
                    "SELECT last_seq FROM im_group WHERE group_id = ? FOR UPDATE")) {
                s.setLong(1, group);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    lastSeq = rs.getLong(1);
                }
            }
            send = CompletableFuture.supplyAsync(() -> {
                try {
                    return processor.process(List.of(Sends.groupCommand(alice, group, "during-join")));
                } catch (BatchRetryException e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(Duration.ofSeconds(30)).until(SendAuthorizationIT::aTransactionWaitsForALock);
            try (PreparedStatement s = join.prepareStatement("INSERT INTO group_member (group_id, uid, role,"
                    + " join_seq, read_seq, cleared_seq, muted, joined_at) VALUES (?, ?, 0, ?, ?, ?, FALSE, ?)")) {
                s.setLong(1, group);
                s.setLong(2, carol);
                s.setLong(3, lastSeq + 1);
                s.setLong(4, lastSeq);
                s.setLong(5, lastSeq);
                s.setLong(6, System.currentTimeMillis());
                s.executeUpdate();
            }
            try (PreparedStatement s = join.prepareStatement(
                    "UPDATE im_group SET member_count = member_count + 1 WHERE group_id = ?")) {
                s.setLong(1, group);
                s.executeUpdate();
            }
            join.commit();
        }
        List<OutgoingPush> pushes = send.get(60, TimeUnit.SECONDS);

        assertEquals(1, WritePath.acks(pushes).get(0).getSeq(), "carol joined at seq 1");
        assertEquals(Set.of(alice, bob, carol), targets(pushes), "the member who joined at this seq gets it");
        assertEquals(1, lastSeqOf(carol, conversation), "and her conversation row shows it");
    }

    private static Set<Long> targets(List<OutgoingPush> pushes) {
        return WritePath.withCommand(pushes, Command.PUSH).stream().flatMap(t -> t.getTargetsList().stream())
                .map(PushTarget::getUid).collect(Collectors.toSet());
    }

    private static boolean aTransactionWaitsForALock() throws Exception {
        try (Connection c = path.database.dataSource().getConnection();
             PreparedStatement s = c.prepareStatement(
                     "SELECT COUNT(*) FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT'");
             ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getInt(1) > 0;
        }
    }

    private static long lastSeqOf(long owner, String conversation) throws Exception {
        try (Connection c = path.database.dataSource().getConnection();
             PreparedStatement s = c.prepareStatement(
                     "SELECT last_seq FROM conversation WHERE owner_uid = ? AND conversation_id = ?")) {
            s.setLong(1, owner);
            s.setString(2, conversation);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }
}
