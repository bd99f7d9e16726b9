package io.magpie.logic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.das.FormerMember;
import io.magpie.das.GroupMember;
import io.magpie.das.GroupRoster;
import io.magpie.das.OwnHistory;
import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import io.magpie.protocol.Command;
import io.magpie.protocol.ConversationIds;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.proto.GroupAck;
import io.magpie.protocol.proto.GroupEvent;
import io.magpie.protocol.proto.GroupEventType;
import io.magpie.protocol.proto.GroupJoin;
import io.magpie.protocol.proto.GroupJoinPolicy;
import io.magpie.protocol.proto.GroupInvitePolicy;
import io.magpie.protocol.proto.GroupMute;
import io.magpie.protocol.proto.GroupMuteAll;
import io.magpie.protocol.proto.GroupNone;
import io.magpie.protocol.proto.GroupProfile;
import io.magpie.protocol.proto.GroupRequest;
import io.magpie.protocol.proto.GroupRole;
import io.magpie.protocol.proto.GroupSetRole;
import io.magpie.protocol.proto.GroupSettings;
import io.magpie.protocol.proto.GroupUid;
import io.magpie.protocol.proto.GroupUids;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.Notice;
import io.magpie.protocol.proto.NoticeType;
import io.magpie.protocol.proto.PullAck;
import io.magpie.protocol.proto.Push;
import io.magpie.protocol.proto.PushTarget;
import io.magpie.protocol.proto.PushTask;
import io.magpie.protocol.proto.SendAck;
import io.magpie.testkit.InfrastructureExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 10 on the real MariaDB: every group operation is a SYSTEM message at its seq in the group's
 * timeline, stored with the change, received by the members (those it removes included, those it
 * adds included), and refused with a clear code when the operator may not make it.
 */
@ExtendWith(InfrastructureExtension.class)
class GroupOpsIT {

    private static final int THRESHOLD = 200;
    private static WritePath path;
    private static SendBatchProcessor sends;
    private static GroupOpProcessor ops;
    private static GroupService service;
    private static PullHandler pulls;
    private static final AtomicInteger CLIENT_IDS = new AtomicInteger();

    @BeforeAll
    static void start(Infrastructure infra, TestIsolation iso) {
        path = new WritePath(infra, iso);
        MessageAssigner assigner = path.assigner();
        sends = path.processor(assigner, THRESHOLD);
        ops = path.groupOps(assigner, THRESHOLD, 10_000);
        service = path.groupService(path.idSource(), 10_000, THRESHOLD);
        Clock clock = Clock.systemUTC();
        pulls = new PullHandler(path.messages, path.conversations, path.groups,
                new OwnHistory(path.database.dataSource(), clock),
                new SyncCursor(clock, Duration.ofSeconds(5), Instant.EPOCH));
    }

    @AfterAll
    static void stop() {
        if (path != null) {
            path.close();
        }
    }

    @Test
    void creationStoresGroupCreatedAtSeqOneAndASendToAGroupNotYetCreatedTakesNoSeq() throws Exception {
        long[] u = path.accounts(2);
        long gid = path.idSource().nextId();
        List<OutgoingPush> early = sends.process(List.of(Sends.groupCommand(u[0], gid, "early-" + gid)));
        assertEquals(ErrorCode.NOT_FOUND.code(), WritePath.errors(early).get(0).getCode());

        GroupService fixedId = path.groupService(() -> gid, 10_000, THRESHOLD);
        fixedId.create(u[0], "dev", null, "first", List.of(u[1]));
        assertEquals(List.of("1:group-created-" + gid), path.rows(ConversationIds.group(gid)));
        GroupEvent created = event(path.messages.findRange(ConversationIds.group(gid), 1, 1, 1).get(0).content());
        assertEquals(GroupEventType.GROUP_CREATED, created.getType());
        assertEquals(List.of(u[1]), created.getTargetUidsList());

        // the writer that refused the early SEND numbers the next message 2, after the stored GROUP_CREATED
        List<OutgoingPush> next = sends.process(List.of(Sends.groupCommand(u[1], gid, "next-" + gid)));
        assertEquals(2, WritePath.acks(next).get(0).getSeq());
    }

    @Test
    void anInviteAddsMembersAtItsSeqEveryoneReceivesItAndAResendIsAnsweredFromTheStoredMessage() throws Exception {
        long[] u = path.accounts(4);
        long gid = group(u[0], u[1]);
        List<OutgoingPush> pushes = ops.process(op(u[1], gid, "inv", b -> b.setInvite(uids(u[2], u[3]))));
        GroupAck ack = ack(pushes);
        assertEquals(2, ack.getSeq());
        Message m = pushed(pushes);
        assertEquals(MessageType.SYSTEM, m.getContent().getType());
        assertEquals(GroupEventType.MEMBERS_INVITED, m.getContent().getGroupEvent().getType());
        assertEquals(u[1], m.getContent().getGroupEvent().getOperatorUid());
        assertEquals(List.of(u[2], u[3]), m.getContent().getGroupEvent().getTargetUidsList());
        assertEquals(4, m.getContent().getGroupEvent().getMemberCount());
        assertEquals(Set.of(u[0], u[1], u[2], u[3]), targets(pushes));
        assertEquals(2, path.groups.member(gid, u[2]).orElseThrow().joinSeq());
        assertEquals(4, path.groups.find(gid).orElseThrow().memberCount());

        List<OutgoingPush> again = ops.process(op(u[1], gid, "inv", b -> b.setInvite(uids(u[2], u[3]))));
        assertEquals(ack, ack(again));
        assertEquals(2, path.rows(ConversationIds.group(gid)).size());

        // the new member sees from the invite on: a later message reaches them
        List<OutgoingPush> hello = sends.process(List.of(Sends.groupCommand(u[0], gid, "hello-" + gid)));
        assertEquals(3, WritePath.acks(hello).get(0).getSeq());
        assertTrue(targets(hello).contains(u[3]));
    }

    @Test
    void aKickedMemberReceivesTheKickThenNothingCannotSendAndPullsNothingAfterIt() throws Exception {
        long[] u = path.accounts(3);
        long gid = group(u[0], u[1], u[2]);
        List<OutgoingPush> kick = ops.process(op(u[0], gid, "kick", b -> b.setKick(uids(u[2]))));
        long kickSeq = ack(kick).getSeq();
        assertEquals(GroupEventType.MEMBERS_KICKED, pushed(kick).getContent().getGroupEvent().getType());
        assertTrue(targets(kick).contains(u[2]), "the kicked member gets the event that removes them");
        assertEquals(new FormerMember(gid, u[2], 1, kickSeq, 0).leftSeq(),
                path.groups.formerMember(gid, u[2]).orElseThrow().leftSeq());

        List<OutgoingPush> after = sends.process(List.of(Sends.groupCommand(u[1], gid, "after-" + gid)));
        assertFalse(targets(after).contains(u[2]));
        List<OutgoingPush> refused = sends.process(List.of(Sends.groupCommand(u[2], gid, "late-" + gid)));
        assertEquals(ErrorCode.FORBIDDEN.code(), WritePath.errors(refused).get(0).getCode());
        // the kicked member may not change the group either
        assertEquals(ErrorCode.FORBIDDEN.code(), error(ops.process(op(u[2], gid, "back",
                b -> b.setInvite(uids(u[2]))))).getCode());

        PullAck pulled = PullAck.parseFrom(pulls.answer(new QueryCommand.Pull(Sends.envelope(u[2], 9, 3,
                Command.PULL.code(), new byte[0]), ConversationIds.group(gid), 1, Long.MAX_VALUE, 50, false)).task().getBody());
        assertEquals(List.of(1L, kickSeq), pulled.getMessagesList().stream().map(Message::getSeq).toList());
    }

    @Test
    void leaveRemovesTheMemberButTheOwnerMustTransferFirstAndTheNewOwnerCanDismiss() throws Exception {
        long[] u = path.accounts(3);
        long gid = group(u[0], u[1], u[2]);
        assertEquals(ErrorCode.OWNER_CANNOT_LEAVE.code(), error(ops.process(op(u[0], gid, "l0",
                b -> b.setLeave(GroupNone.getDefaultInstance())))).getCode());
        List<OutgoingPush> left = ops.process(op(u[2], gid, "l2", b -> b.setLeave(GroupNone.getDefaultInstance())));
        assertEquals(GroupEventType.MEMBER_LEFT, pushed(left).getContent().getGroupEvent().getType());
        assertTrue(targets(left).contains(u[2]));
        assertFalse(path.groups.member(gid, u[2]).isPresent());

        assertEquals(ErrorCode.NOT_OWNER.code(), error(ops.process(op(u[1], gid, "t1",
                b -> b.setTransferOwner(GroupUid.newBuilder().setUid(u[1]))))).getCode());
        List<OutgoingPush> moved = ops.process(op(u[0], gid, "t0",
                b -> b.setTransferOwner(GroupUid.newBuilder().setUid(u[1]))));
        assertEquals(GroupEventType.OWNER_TRANSFERRED, pushed(moved).getContent().getGroupEvent().getType());
        assertEquals(u[1], path.groups.find(gid).orElseThrow().ownerUid());
        assertEquals(GroupMember.ROLE_OWNER, path.groups.member(gid, u[1]).orElseThrow().role());
        assertEquals(GroupMember.ROLE_MEMBER, path.groups.member(gid, u[0]).orElseThrow().role());

        assertEquals(ErrorCode.NOT_OWNER.code(), error(ops.process(op(u[0], gid, "d0",
                b -> b.setDismiss(GroupNone.getDefaultInstance())))).getCode());
        List<OutgoingPush> dismissed = ops.process(op(u[1], gid, "d1",
                b -> b.setDismiss(GroupNone.getDefaultInstance())));
        assertEquals(GroupEventType.GROUP_DISMISSED, pushed(dismissed).getContent().getGroupEvent().getType());
        assertEquals(Set.of(u[0], u[1]), targets(dismissed));
        assertEquals(ErrorCode.NOT_FOUND.code(), WritePath.errors(sends.process(List.of(
                Sends.groupCommand(u[0], gid, "x-" + gid)))).get(0).getCode());
        assertEquals(ErrorCode.NOT_FOUND.code(), error(ops.process(op(u[1], gid, "d2",
                b -> b.setUpdate(GroupProfile.newBuilder().setName("again"))))).getCode());
    }

    @Test
    void onlyAdminsKickAndMuteOnlyTheOwnerSetsRolesAndAdminsMayNotTouchAdmins() throws Exception {
        long[] u = path.accounts(4);
        long gid = group(u[0], u[1], u[2], u[3]);
        assertEquals(ErrorCode.NOT_ADMIN.code(), error(ops.process(op(u[1], gid, "k1",
                b -> b.setKick(uids(u[2]))))).getCode());
        assertEquals(ErrorCode.NOT_ADMIN.code(), error(ops.process(op(u[1], gid, "m1",
                b -> b.setMuteMember(GroupMute.newBuilder().setUid(u[2]).setDurationMs(60_000))))).getCode());
        assertEquals(ErrorCode.NOT_OWNER.code(), error(ops.process(op(u[1], gid, "r1",
                b -> b.setSetRole(GroupSetRole.newBuilder().setUid(u[1]).setRole(GroupRole.GROUP_ROLE_ADMIN)))))
                .getCode());

        List<OutgoingPush> promoted = ops.process(op(u[0], gid, "r0",
                b -> b.setSetRole(GroupSetRole.newBuilder().setUid(u[1]).setRole(GroupRole.GROUP_ROLE_ADMIN))));
        GroupEvent e = pushed(promoted).getContent().getGroupEvent();
        assertEquals(GroupEventType.ROLE_CHANGED, e.getType());
        assertEquals(GroupRole.GROUP_ROLE_ADMIN, e.getRole());
        ops.process(op(u[0], gid, "r0b",
                b -> b.setSetRole(GroupSetRole.newBuilder().setUid(u[2]).setRole(GroupRole.GROUP_ROLE_ADMIN))));
        // an admin may not kick another admin, nor the owner
        assertEquals(ErrorCode.NOT_OWNER.code(), error(ops.process(op(u[1], gid, "k2",
                b -> b.setKick(uids(u[2]))))).getCode());
        assertEquals(ErrorCode.NOT_OWNER.code(), error(ops.process(op(u[1], gid, "k3",
                b -> b.setKick(uids(u[0]))))).getCode());
        List<OutgoingPush> kicked = ops.process(op(u[1], gid, "k4", b -> b.setKick(uids(u[3]))));
        assertEquals(List.of(u[3]), pushed(kicked).getContent().getGroupEvent().getTargetUidsList());
    }

    @Test
    void aMutedMemberAndEveryPlainMemberOfAMutedGroupCannotSendWhileAdminsStillSpeak() throws Exception {
        long[] u = path.accounts(3);
        long gid = group(u[0], u[1], u[2]);
        List<OutgoingPush> muted = ops.process(op(u[0], gid, "mute",
                b -> b.setMuteMember(GroupMute.newBuilder().setUid(u[1]).setDurationMs(3_600_000))));
        GroupEvent e = pushed(muted).getContent().getGroupEvent();
        assertEquals(GroupEventType.MEMBER_MUTED, e.getType());
        assertTrue(e.getMuteUntil() > System.currentTimeMillis());
        assertEquals(ErrorCode.MEMBER_MUTED.code(), WritePath.errors(sends.process(List.of(
                Sends.groupCommand(u[1], gid, "m-" + gid)))).get(0).getCode());
        assertEquals(1, WritePath.acks(sends.process(List.of(Sends.groupCommand(u[2], gid, "ok-" + gid)))).size());

        ops.process(op(u[0], gid, "unmute", b -> b.setUnmuteMember(GroupUid.newBuilder().setUid(u[1]))));
        assertEquals(1, WritePath.acks(sends.process(List.of(Sends.groupCommand(u[1], gid, "m2-" + gid)))).size());

        List<OutgoingPush> all = ops.process(op(u[0], gid, "all",
                b -> b.setMuteAll(GroupMuteAll.newBuilder().setMuted(true))));
        assertTrue(pushed(all).getContent().getGroupEvent().getMuteAll());
        assertEquals(ErrorCode.GROUP_MUTED.code(), WritePath.errors(sends.process(List.of(
                Sends.groupCommand(u[2], gid, "all-" + gid)))).get(0).getCode());
        assertEquals(1, WritePath.acks(sends.process(List.of(Sends.groupCommand(u[0], gid, "own-" + gid)))).size());
    }

    @Test
    void invitesFollowThePolicyTheCapAndTheBlocklist() throws Exception {
        long[] u = path.accounts(5);
        long gid = group(u[0], u[1]);
        ops.process(op(u[0], gid, "s1", b -> b.setSettings(GroupSettings.newBuilder()
                .setInvitePolicy(GroupInvitePolicy.INVITE_ADMINS).setMaxMembers(3))));
        assertEquals(ErrorCode.NOT_ADMIN.code(), error(ops.process(op(u[1], gid, "i1",
                b -> b.setInvite(uids(u[2]))))).getCode());
        assertEquals(ErrorCode.GROUP_FULL.code(), error(ops.process(op(u[0], gid, "i2",
                b -> b.setInvite(uids(u[2], u[3]))))).getCode());
        try (Connection c = path.database.dataSource().getConnection();
             PreparedStatement s = c.prepareStatement(
                     "INSERT INTO user_block (owner_uid, blocked_uid, created_at) VALUES (?, ?, 0)")) {
            s.setLong(1, u[4]);
            s.setLong(2, u[0]);
            s.executeUpdate();
        }
        assertEquals(ErrorCode.BLOCKED_BY_USER.code(), error(ops.process(op(u[0], gid, "i3",
                b -> b.setInvite(uids(u[4]))))).getCode());
        assertEquals(ErrorCode.NOT_FOUND.code(), error(ops.process(op(u[0], gid, "i4",
                b -> b.setInvite(uids(999_999_999L))))).getCode());
        assertEquals(2, path.groups.find(gid).orElseThrow().memberCount(), "a refused invite adds nobody");
    }

    @Test
    void joinRequestsAwaitAnAdminUnlessTheGroupIsFreeOrClosed() throws Exception {
        long[] u = path.accounts(5);
        long gid = group(u[0], u[1]);
        List<OutgoingPush> asked = ops.process(op(u[2], gid, "j2", b -> b.setJoin(GroupJoin.newBuilder()
                .setMessage("let me in"))));
        assertTrue(ack(asked).getPending());
        Notice notice = Notice.parseFrom(WritePath.withCommand(asked, Command.NOTICE).get(0).getBody());
        assertEquals(NoticeType.NOTICE_GROUP_JOIN_REQUEST, notice.getType());
        assertEquals("let me in", notice.getJoinMessage());
        assertEquals(Set.of(u[0]), targets(asked), "the admins and the owner hear of the request");
        assertEquals(ErrorCode.NOT_ADMIN.code(), error(ops.process(op(u[1], gid, "a1",
                b -> b.setApproveJoin(GroupUid.newBuilder().setUid(u[2]))))).getCode());
        List<OutgoingPush> approved = ops.process(op(u[0], gid, "a0",
                b -> b.setApproveJoin(GroupUid.newBuilder().setUid(u[2]))));
        GroupEvent joined = pushed(approved).getContent().getGroupEvent();
        assertEquals(GroupEventType.MEMBER_JOINED, joined.getType());
        assertEquals(List.of(u[2]), joined.getTargetUidsList());
        assertTrue(targets(approved).contains(u[2]));

        ops.process(op(u[3], gid, "j3", b -> b.setJoin(GroupJoin.getDefaultInstance())));
        List<OutgoingPush> rejected = ops.process(op(u[0], gid, "x0",
                b -> b.setRejectJoin(GroupUid.newBuilder().setUid(u[3]))));
        assertEquals(0, ack(rejected).getSeq());
        assertEquals(Set.of(u[3]), targets(rejected));
        assertEquals(ErrorCode.JOIN_NOT_ALLOWED.code(), error(ops.process(op(u[0], gid, "x1",
                b -> b.setApproveJoin(GroupUid.newBuilder().setUid(u[3]))))).getCode());

        ops.process(op(u[0], gid, "free", b -> b.setSettings(GroupSettings.newBuilder()
                .setJoinPolicy(GroupJoinPolicy.JOIN_FREE))));
        assertTrue(ack(ops.process(op(u[3], gid, "j3b", b -> b.setJoin(GroupJoin.getDefaultInstance()))))
                .getSeq() > 0);
        ops.process(op(u[0], gid, "closed", b -> b.setSettings(GroupSettings.newBuilder()
                .setJoinPolicy(GroupJoinPolicy.JOIN_CLOSED))));
        assertEquals(ErrorCode.JOIN_NOT_ALLOWED.code(), error(ops.process(op(u[4], gid, "j4",
                b -> b.setJoin(GroupJoin.getDefaultInstance())))).getCode());
    }

    @Test
    void theProfileChangesAndItsMessageCarriesOnlyTheFieldsChanged() throws Exception {
        long[] u = path.accounts(2);
        long gid = group(u[0], u[1]);
        assertEquals(ErrorCode.NOT_ADMIN.code(), error(ops.process(op(u[1], gid, "p1",
                b -> b.setUpdate(GroupProfile.newBuilder().setName("mine"))))).getCode());
        List<OutgoingPush> updated = ops.process(op(u[0], gid, "p0", b -> b.setUpdate(GroupProfile.newBuilder()
                .setName("Birds").setAnnouncement("no cats"))));
        GroupEvent e = pushed(updated).getContent().getGroupEvent();
        assertEquals(GroupEventType.PROFILE_UPDATED, e.getType());
        assertEquals("Birds", e.getName());
        assertEquals("no cats", e.getAnnouncement());
        assertFalse(e.hasAvatarUrl());
        assertEquals("Birds", path.groups.find(gid).orElseThrow().name());
        assertEquals("no cats", path.groups.details(gid).orElseThrow().announcement());
        GroupRoster roster = path.groups.roster(gid).orElseThrow();
        assertEquals(List.of("1:group-created-" + gid, "2:p0-" + gid), path.rows(ConversationIds.group(gid)),
                "refused changes store nothing; the stored one is the timeline's next seq");
        assertEquals(2, roster.group().lastSeq());
    }

    // ---- helpers ----

    private static long group(long owner, long... others) throws ApiException {
        return service.create(owner, "dev-" + owner, null, "g", Arrays.stream(others).boxed().toList())
                .group().groupId();
    }

    private static GroupUids uids(long... uids) {
        return GroupUids.newBuilder().addAllUids(Arrays.stream(uids).boxed().toList()).build();
    }

    private static GroupCommand op(long uid, long gid, String clientMsgId, UnaryOperator<GroupRequest.Builder> op) {
        GroupRequest req = op.apply(GroupRequest.newBuilder().setGroupId(gid).setClientMsgId(clientMsgId + "-" + gid))
                .build();
        GroupRequestParser.Parsed parsed = new GroupRequestParser().parse(Sends.envelope(uid, 7,
                CLIENT_IDS.incrementAndGet(), Command.GROUP.code(), req.toByteArray()));
        if (parsed instanceof GroupRequestParser.Refused r) {
            throw new AssertionError("the test's request did not parse: " + r.rejection().message());
        }
        return ((GroupRequestParser.Accepted) parsed).command();
    }

    private static GroupAck ack(List<OutgoingPush> pushes) throws Exception {
        List<PushTask> acks = WritePath.withCommand(pushes, Command.GROUP_ACK);
        assertEquals(1, acks.size(), () -> "expected one GROUP_ACK, got " + WritePath.errors(pushes));
        return GroupAck.parseFrom(acks.get(0).getBody());
    }

    private static io.magpie.protocol.proto.Error error(List<OutgoingPush> pushes) {
        List<io.magpie.protocol.proto.Error> errors = WritePath.errors(pushes);
        assertEquals(1, errors.size(), "expected one ERROR");
        assertFalse(errors.get(0).getMessage().isBlank());
        return errors.get(0);
    }

    private static Message pushed(List<OutgoingPush> pushes) throws Exception {
        List<PushTask> tasks = WritePath.withCommand(pushes, Command.PUSH);
        assertEquals(1, tasks.size(), () -> "expected one PUSH, got errors " + WritePath.errors(pushes));
        return Push.parseFrom(tasks.get(0).getBody()).getMessages(0);
    }

    /** The uids the PUSH (or NOTICE) tasks address. */
    static Set<Long> targets(List<OutgoingPush> pushes) {
        return pushes.stream().map(OutgoingPush::task)
                .filter(t -> t.getCommand() == Command.PUSH.code() || t.getCommand() == Command.NOTICE.code())
                .flatMap(t -> t.getTargetsList().stream()).map(PushTarget::getUid).collect(Collectors.toSet());
    }

    private static GroupEvent event(byte[] content) throws Exception {
        return io.magpie.protocol.proto.MessageContent.parseFrom(content).getGroupEvent();
    }
}
