package io.magpie.logic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.proto.GroupMute;
import io.magpie.protocol.proto.GroupNone;
import io.magpie.protocol.proto.GroupProfile;
import io.magpie.protocol.proto.GroupRequest;
import io.magpie.protocol.proto.GroupRole;
import io.magpie.protocol.proto.GroupSetRole;
import io.magpie.protocol.proto.GroupSettings;
import io.magpie.protocol.proto.GroupUids;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class GroupRequestParserTest {

    private final GroupRequestParser parser = new GroupRequestParser();

    @Test
    void aWellFormedRequestBecomesACommandOfTheAuthenticatedUid() {
        GroupCommand c = accepted(base().setLeave(GroupNone.getDefaultInstance()));
        assertEquals(5, c.operatorUid());
        assertEquals("g_77", c.conversationId());
        assertEquals(GroupRequest.OpCase.LEAVE, c.op());
    }

    @Test
    void batchesAreAtMostFiveHundredDistinctUids() {
        accepted(base().setInvite(uids(500)));
        assertTrue(problem(base().setInvite(uids(501))).contains("1-500 users"));
        assertTrue(problem(base().setKick(GroupUids.newBuilder().addUids(3).addUids(3))).contains("twice"));
        assertTrue(problem(base().setInvite(GroupUids.getDefaultInstance())).contains("1-500 users"));
    }

    @Test
    void everyFieldOutOfRangeIsNamed() {
        assertTrue(problem(GroupRequest.newBuilder().setClientMsgId("c").setLeave(GroupNone.getDefaultInstance()))
                .contains("group_id"));
        assertTrue(problem(GroupRequest.newBuilder().setGroupId(77).setLeave(GroupNone.getDefaultInstance()))
                .contains("client_msg_id"));
        assertTrue(problem(base()).contains("names no op"));
        assertTrue(problem(base().setSetRole(GroupSetRole.newBuilder().setUid(3).setRole(GroupRole.GROUP_ROLE_OWNER)))
                .contains("transfer_owner"));
        assertTrue(problem(base().setMuteMember(GroupMute.newBuilder().setUid(3))).contains("duration_ms"));
        assertTrue(problem(base().setUpdate(GroupProfile.getDefaultInstance())).contains("no field"));
        assertTrue(problem(base().setUpdate(GroupProfile.newBuilder().setAnnouncement("x".repeat(2049))))
                .contains("at most 2048"));
        assertTrue(problem(base().setSettings(GroupSettings.getDefaultInstance())).contains("no setting"));
    }

    private static GroupRequest.Builder base() {
        return GroupRequest.newBuilder().setGroupId(77).setClientMsgId("c-1");
    }

    private static GroupUids uids(int n) {
        return GroupUids.newBuilder().addAllUids(LongStream.rangeClosed(1, n).boxed().toList()).build();
    }

    private GroupCommand accepted(GroupRequest.Builder request) {
        return assertInstanceOf(GroupRequestParser.Accepted.class, parse(request)).command();
    }

    private String problem(GroupRequest.Builder request) {
        GroupRequestParser.Refused refused = assertInstanceOf(GroupRequestParser.Refused.class, parse(request));
        assertEquals(ErrorCode.BAD_REQUEST, refused.rejection().code());
        return refused.rejection().message();
    }

    private GroupRequestParser.Parsed parse(GroupRequest.Builder request) {
        return parser.parse(Sends.envelope(5, 7, 1, Command.GROUP.code(), request.build().toByteArray()));
    }
}
