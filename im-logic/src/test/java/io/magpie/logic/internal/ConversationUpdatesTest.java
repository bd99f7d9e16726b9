package io.magpie.logic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.magpie.das.ConversationUpdate;
import io.magpie.das.Group;
import io.magpie.das.GroupProgress;
import io.magpie.das.GroupRoster;
import io.magpie.das.MessageRecord;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConversationUpdatesTest {

    @Test
    void aMessageMovesTheRowsOfBothMembers() {
        List<ConversationUpdate> rows = ConversationUpdates.of(List.of(message(500, "s_1_2", 7, 1)));

        assertEquals(List.of(
                new ConversationUpdate(1, "s_1_2", 1, 2, 7, 500, 500, 7),
                new ConversationUpdate(2, "s_1_2", 1, 1, 7, 500, 500, ConversationUpdate.KEEP_READ_SEQ)), rows);
    }

    @Test
    void aBatchWritesEachRowOnceWithTheNewestMessage() {
        List<ConversationUpdate> rows = ConversationUpdates.of(List.of(
                message(500, "s_1_2", 7, 1),
                message(501, "s_1_2", 8, 2),
                message(502, "s_1_2", 9, 1),
                message(503, "s_1_3", 1, 3)));

        assertEquals(List.of(
                // uid 1 read up to its own latest message (9)
                new ConversationUpdate(1, "s_1_2", 1, 2, 9, 502, 502, 9),
                // uid 2 read up to its own message 8, not beyond
                new ConversationUpdate(2, "s_1_2", 1, 1, 9, 502, 502, 8),
                new ConversationUpdate(3, "s_1_3", 1, 1, 1, 503, 503, 1),
                new ConversationUpdate(1, "s_1_3", 1, 3, 1, 503, 503, ConversationUpdate.KEEP_READ_SEQ)), rows);
    }

    @Test
    void aSmallGroupMessageMovesEveryMembersRowAndTheGroup() {
        ConversationUpdates.Plan plan = ConversationUpdates.plan(List.of(
                groupMessage(600, 9, 1, 2), groupMessage(601, 9, 2, 3)), gid -> roster(gid, 1, 2, 3), 3);

        assertEquals(List.of(
                new ConversationUpdate(1, "g_9", 2, 9, 2, 601, 601, ConversationUpdate.KEEP_READ_SEQ),
                new ConversationUpdate(2, "g_9", 2, 9, 2, 601, 601, 1),
                new ConversationUpdate(3, "g_9", 2, 9, 2, 601, 601, 2)), plan.rows());
        assertEquals(List.of(new GroupProgress(9, 2, 601, false)), plan.groups());
    }

    @Test
    void aLargeGroupMessageMovesOnlyTheSendersReadPositionAndTheGroupRow() {
        ConversationUpdates.Plan plan = ConversationUpdates.plan(List.of(
                groupMessage(700, 9, 1, 2), groupMessage(701, 9, 2, 2)), gid -> roster(gid, 1, 2, 3), 2);

        assertEquals(List.of(new ConversationUpdate(2, "g_9", 2, 9, 2, 701, 701, 2)), plan.rows());
        assertEquals(List.of(new GroupProgress(9, 2, 701, true)), plan.groups());
    }

    @Test
    void aThresholdOfZeroSendsEveryGroupByReadDiffusion() {
        ConversationUpdates.Plan plan = ConversationUpdates.plan(List.of(groupMessage(800, 4, 1, 5),
                message(801, "s_1_2", 3, 1)), gid -> roster(gid, 5), 0);

        assertEquals(3, plan.rows().size()); // the sender's group row, and both one-to-one rows
        assertEquals(List.of(new GroupProgress(4, 1, 800, true)), plan.groups());
    }

    private static GroupRoster roster(long gid, long... uids) {
        Set<Long> members = new LinkedHashSet<>();
        for (long uid : uids) {
            members.add(uid);
        }
        return new GroupRoster(new Group(gid, "g", uids[0], uids.length, 0, 0, 1, false, 1, 1, false), members);
    }

    private static MessageRecord groupMessage(long msgId, long gid, long seq, long sender) {
        return new MessageRecord(msgId, "g_" + gid, 2, seq, msgId, sender, "d", "c" + msgId, 1, new byte[0], 0, 1);
    }

    private static MessageRecord message(long msgId, String conv, long seq, long sender) {
        return new MessageRecord(msgId, conv, 1, seq, msgId, sender, "d", "c" + msgId, 1, new byte[0], 0, 1);
    }
}
