package io.magpie.das;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.engines.Infrastructure;
import io.magpie.testkit.InfrastructureExtension;
import io.magpie.engines.TestIsolation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Push tokens and mute flags as the notifier reads them, on the real schema. */
@ExtendWith(InfrastructureExtension.class)
class DeviceTokenRepositoryIT {

    private static Database database;
    private static DeviceTokenRepository tokens;
    private static MuteSettings mutes;

    @BeforeAll
    static void open(Infrastructure infra, TestIsolation isolation) {
        database = Database.open(new MysqlConfig(isolation.jdbcUrl(), infra.mysqlUser(), infra.mysqlPassword(), 2));
        tokens = new DeviceTokenRepository(database.dataSource());
        mutes = new MuteSettings(database.dataSource());
    }

    @AfterAll
    static void close() {
        database.close();
    }

    @Test
    void aDeviceHasOneTokenAndRegisteringAgainReplacesIt() {
        tokens.upsert(new DeviceToken(11, "phone", "IOS", "apns", "old", 1));
        tokens.upsert(new DeviceToken(11, "desk", "DESKTOP", "webhook", "d-1", 2));
        tokens.upsert(new DeviceToken(11, "phone", "ANDROID", "fcm", "new", 3));

        assertEquals(List.of(new DeviceToken(11, "desk", "DESKTOP", "webhook", "d-1", 2),
                new DeviceToken(11, "phone", "ANDROID", "fcm", "new", 3)), tokens.findByUid(11));
        assertTrue(tokens.delete(11, "desk"));
        assertFalse(tokens.delete(11, "desk"));
        assertEquals(List.of("phone"), tokens.findByUid(11).stream().map(DeviceToken::deviceId).toList());
    }

    @Test
    void aDeadTokenIsRemovedOnlyWhileTheDeviceStillHasIt() {
        tokens.upsert(new DeviceToken(12, "phone", "IOS", "apns", "dead-1", 1));
        tokens.upsert(new DeviceToken(12, "tablet", "IOS", "apns", "live-1", 1));

        assertFalse(tokens.deleteIfUnchanged(12, "phone", "apns", "another"), "a newer token of the device stays");
        assertFalse(tokens.deleteIfUnchanged(12, "phone", "fcm", "dead-1"), "same string, other provider: stays");
        assertTrue(tokens.deleteIfUnchanged(12, "phone", "apns", "dead-1"));
        assertFalse(tokens.deleteIfUnchanged(12, "phone", "apns", "dead-1"));
        assertEquals(List.of("tablet"), tokens.findByUid(12).stream().map(DeviceToken::deviceId).toList());
    }

    @Test
    void everyRequestedUserIsAKeyEvenWithoutTokensAndLongListsAreSplit() {
        List<Long> uids = new ArrayList<>();
        for (long uid = 20_000; uid < 20_000 + DeviceTokenRepository.MAX_UIDS_PER_QUERY + 10; uid++) {
            uids.add(uid);
        }
        tokens.upsert(new DeviceToken(20_001, "a", "WEB", "webhook", "t1", 1));
        tokens.upsert(new DeviceToken(20_505, "b", "WEB", "webhook", "t2", 1));

        Map<Long, List<DeviceToken>> found = tokens.findByUids(uids);

        assertEquals(uids.size(), found.size());
        assertEquals("t1", found.get(20_001L).get(0).token());
        assertEquals("t2", found.get(20_505L).get(0).token());
        assertEquals(List.of(), found.get(20_000L));
    }

    @Test
    void aConversationIsMutedByTheUsersRowOrForAGroupByTheMemberRow() throws SQLException {
        execute("INSERT INTO conversation (owner_uid, conversation_id, conversation_type, peer_id, muted, updated_at)"
                + " VALUES (31, 's_31_32', 1, 32, TRUE, 0), (32, 's_31_32', 1, 31, FALSE, 0),"
                + " (31, 'g_900', 2, 900, TRUE, 0)");
        execute("INSERT INTO group_member (group_id, uid, muted, joined_at) VALUES (901, 31, TRUE, 0),"
                + " (901, 32, FALSE, 0)");

        assertTrue(mutes.muted(31, "s_31_32"));
        assertFalse(mutes.muted(32, "s_31_32"));
        assertTrue(mutes.muted(31, "g_900"), "the conversation row of a group");
        assertTrue(mutes.muted(31, "g_901"), "the group member row");
        assertFalse(mutes.muted(32, "g_901"));
        assertFalse(mutes.muted(33, "s_33_34"), "no row: not muted");
        assertFalse(mutes.muted(33, "g_notanumber"));
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = database.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.executeUpdate();
        }
    }
}
