package io.magpie.das;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import io.magpie.testkit.InfrastructureExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Presence settings (V8) and the block reads presence and typing use, on the real schema. */
@ExtendWith(InfrastructureExtension.class)
class PresenceSettingsIT {

    private static Database database;
    private static PresenceSettings settings;
    private static Relations relations;

    @BeforeAll
    static void open(Infrastructure infra, TestIsolation isolation) {
        database = Database.open(new MysqlConfig(isolation.jdbcUrl(), infra.mysqlUser(), infra.mysqlPassword(), 2));
        settings = new PresenceSettings(database.dataSource(), Clock.systemUTC());
        relations = new Relations(database.dataSource());
    }

    @AfterAll
    static void close() {
        database.close();
    }

    @Test
    void aUserWithoutARowIsVisibleWithoutStatusAndWithoutLastSeen() {
        assertEquals(PresenceSettings.Setting.NONE, settings.read(1001));
        assertEquals(Map.of(1001L, PresenceSettings.Setting.NONE, 1002L, PresenceSettings.Setting.NONE),
                settings.read(List.of(1001L, 1002L)));
    }

    @Test
    void statusAndHiddenAreStoredAndTheLastSeenTimeOnlyMovesForward() {
        settings.recordLastSeen(2001, 5_000);
        settings.update(2001, "on the train 🚆", true);
        assertEquals(new PresenceSettings.Setting("on the train 🚆", true, 5_000), settings.read(2001));
        settings.recordLastSeen(2001, 4_000);
        assertEquals(5_000, settings.read(2001).lastSeenMillis(), "a late, older offline event does not win");
        settings.recordLastSeen(2001, 6_000);
        settings.update(2001, "", false);
        assertEquals(new PresenceSettings.Setting("", false, 6_000), settings.read(2001));
    }

    @Test
    void aStatusTextCountsCodePointsNotCharsAndIsCappedAtOneHundred() {
        String hundredEmoji = "😀".repeat(100); // 200 Java chars
        settings.update(3001, hundredEmoji, false);
        assertEquals(hundredEmoji, settings.read(3001).statusText());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> settings.update(3001, "x".repeat(101), false));
        assertTrue(e.getMessage().contains("101 code points; at most 100"), e.getMessage());
    }

    @Test
    void blockedAmongReadsWhomTheUserBlockedAndBlockersAmongWhoBlockedThem() throws Exception {
        try (Connection c = database.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO user_block (owner_uid, blocked_uid, created_at) VALUES (?, ?, 0)")) {
            for (long[] pair : new long[][] {{4001, 4002}, {4001, 4003}, {4004, 4001}}) {
                ps.setLong(1, pair[0]);
                ps.setLong(2, pair[1]);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        assertEquals(Set.of(4002L, 4003L), relations.blockedAmong(4001, List.of(4002L, 4003L, 4004L, 4005L)));
        assertEquals(Set.of(4004L), relations.blockersAmong(4001, List.of(4002L, 4003L, 4004L, 4005L)));
        assertEquals(Set.of(), relations.blockedAmong(4001, List.of()));
    }
}
