package io.magpie.logic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.das.PresenceSettings.Setting;
import io.magpie.protocol.Command;
import io.magpie.protocol.proto.Notice;
import io.magpie.protocol.proto.NoticeType;
import io.magpie.protocol.proto.Platform;
import io.magpie.protocol.proto.PresenceState;
import io.magpie.protocol.proto.PushTarget;
import io.magpie.registry.Route;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What watchers see of a user (docs/PROTOCOL.md §9.14), and how an announcement is cut into push tasks. */
class PresenceStatesTest {

    private static Route route(String device, String platform, long connection) {
        return new Route(7, device, platform, "gate-a", connection, 1_000);
    }

    @Test
    void onlineCountsDevicesAndListsEachPlatformOnceAscending() {
        PresenceState s = PresenceStates.of(7, List.of(route("web", "WEB", 1), route("p1", "ANDROID", 2),
                route("p2", "ANDROID", 3)), new Setting("hi", false, 123));
        assertTrue(s.getOnline());
        assertEquals(3, s.getDeviceCount());
        assertEquals(List.of(Platform.ANDROID, Platform.WEB), s.getPlatformsList());
        assertEquals(0, s.getLastSeen(), "no last seen while online");
        assertEquals("hi", s.getStatusText());
    }

    @Test
    void offlineCarriesTheLastSeenTime() {
        PresenceState s = PresenceStates.of(7, List.of(), new Setting("", false, 123));
        assertFalse(s.getOnline());
        assertEquals(0, s.getDeviceCount());
        assertEquals(123, s.getLastSeen());
    }

    @Test
    void aHiddenUserReadsAsOfflineWithoutLastSeenButKeepsTheStatusText() {
        PresenceState s = PresenceStates.of(7, List.of(route("p1", "IOS", 1)), new Setting("away", true, 123));
        assertEquals(PresenceState.newBuilder().setUid(7).setStatusText("away").build(), s);
    }

    @Test
    void aBlockerShowsNothingButTheUid() {
        assertEquals(PresenceState.newBuilder().setUid(7).build(), PresenceStates.blocked(7));
    }

    @Test
    void aPlatformThisVersionDoesNotKnowCountsAsOnlineWithPlatformUnspecified() {
        PresenceState s = PresenceStates.of(7, List.of(route("x", "WATCH", 1)), Setting.NONE);
        assertTrue(s.getOnline());
        assertEquals(List.of(Platform.PLATFORM_UNSPECIFIED), s.getPlatformsList());
    }

    @Test
    void fiveThousandWatchersAreTenTasksOfFiveHundredNamingEachWatcherOnceInOrderOnOneKey() {
        Set<Long> watchers = new LinkedHashSet<>();
        for (long uid = 1000; uid < 6000; uid++) {
            watchers.add(uid);
        }
        PresenceState state = PresenceState.newBuilder().setUid(7).setOnline(true).build();
        List<OutgoingPush> tasks = PresenceAnnouncer.tasks(7, state, watchers, 500);
        assertEquals(10, tasks.size());
        Set<Long> named = new HashSet<>();
        for (OutgoingPush p : tasks) {
            assertEquals("p_7", p.key(), "one user's announcements stay in order on one partition");
            assertEquals(Command.NOTICE.code(), p.task().getCommand());
            assertFalse(p.task().getOfflineNotify(), "presence never becomes a push notification");
            assertEquals(500, p.task().getTargetsCount());
            for (PushTarget t : p.task().getTargetsList()) {
                assertTrue(named.add(t.getUid()), "named twice: " + t.getUid());
            }
        }
        assertEquals(watchers, named);
        Notice notice = parse(tasks.get(0));
        assertEquals(NoticeType.NOTICE_PRESENCE, notice.getType());
        assertEquals(7, notice.getUid());
        assertEquals(state, notice.getPresence());
    }

    @Test
    void aPartialLastChunkAndNoWatchersAtAll() {
        PresenceState state = PresenceState.newBuilder().setUid(7).build();
        List<OutgoingPush> tasks = PresenceAnnouncer.tasks(7, state, new LinkedHashSet<>(List.of(1L, 2L, 3L)), 2);
        assertEquals(List.of(2, 1), tasks.stream().map(t -> t.task().getTargetsCount()).toList());
        assertTrue(PresenceAnnouncer.tasks(7, state, Set.of(), 500).isEmpty());
    }

    private static Notice parse(OutgoingPush p) {
        try {
            return Notice.parseFrom(p.task().getBody());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}
