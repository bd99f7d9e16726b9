package io.magpie.logic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.das.Group;
import io.magpie.das.GroupRoster;
import io.magpie.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GroupAuthorizerTest {

    private final List<Long> loads = new ArrayList<>();
    private final GroupRosters rosters = new GroupRosters(gid -> {
        loads.add(gid);
        return switch ((int) gid) {
            case 10 -> Optional.of(new GroupRoster(group(10, false), Set.of(1L, 2L)));
            case 11 -> Optional.of(new GroupRoster(group(11, true), Set.of(1L)));
            default -> Optional.empty();
        };
    });
    private final GroupAuthorizer authorizer = new GroupAuthorizer(java.time.Clock.systemUTC());

    @Test
    void aMemberMaySendAndTheRosterIsReadOncePerBatch() {
        for (int i = 0; i < 5; i++) {
            assertEquals(Optional.empty(), check(Sends.groupCommand(1, 10, "m" + i)));
        }
        check(Sends.groupCommand(9, 10, "x"));
        check(Sends.groupCommand(1, 99, "y"));
        check(Sends.groupCommand(1, 99, "z"));

        assertEquals(List.of(10L, 99L), loads);
    }

    @Test
    void aNonMemberIsForbiddenAndAMissingOrDismissedGroupIsNotFound() {
        Rejection r = check(Sends.groupCommand(9, 10, "a")).orElseThrow();
        assertEquals(ErrorCode.FORBIDDEN, r.code());
        assertTrue(r.message().contains("not a member of group 10"), r.message());

        assertEquals(ErrorCode.NOT_FOUND, check(Sends.groupCommand(1, 99, "b")).orElseThrow().code());
        Rejection dismissed = check(Sends.groupCommand(1, 11, "c")).orElseThrow();
        assertEquals(ErrorCode.NOT_FOUND, dismissed.code());
        assertTrue(dismissed.message().contains("dismissed"), dismissed.message());
    }

    @Test
    void aPersonalMuteBindsAdminsTooWhileMuteAllSparesThem() {
        java.time.Clock clock = java.time.Clock.fixed(java.time.Instant.ofEpochMilli(1_000_000),
                java.time.ZoneOffset.UTC);
        GroupAuthorizer at = new GroupAuthorizer(clock);
        io.magpie.das.GroupDetails mutedAll = new io.magpie.das.GroupDetails("", "", 1, 1, 0, true);
        // uid 1 owner, 2 admin muted until later, 3 admin, 4 plain member
        GroupRoster roster = new GroupRoster(group(12, false), Set.of(1L, 2L, 3L, 4L), java.util.Map.of(), mutedAll,
                java.util.Map.of(1L, io.magpie.das.GroupMember.ROLE_OWNER, 2L, io.magpie.das.GroupMember.ROLE_ADMIN,
                        3L, io.magpie.das.GroupMember.ROLE_ADMIN), java.util.Map.of(2L, 2_000_000L));

        assertEquals(ErrorCode.MEMBER_MUTED, at.check(Sends.groupCommand(2, 12, "a"), Optional.of(roster))
                .orElseThrow().code());
        assertEquals(Optional.empty(), at.check(Sends.groupCommand(3, 12, "b"), Optional.of(roster)));
        assertEquals(Optional.empty(), at.check(Sends.groupCommand(1, 12, "c"), Optional.of(roster)));
        assertEquals(ErrorCode.GROUP_MUTED, at.check(Sends.groupCommand(4, 12, "d"), Optional.of(roster))
                .orElseThrow().code());
    }

    private Optional<Rejection> check(SendCommand c) {
        return authorizer.check(c, rosters.get(c.groupId()));
    }

    private static Group group(long gid, boolean dismissed) {
        return new Group(gid, "g", 1, 2, 0, 0, 1, false, 1, 1, dismissed);
    }
}
