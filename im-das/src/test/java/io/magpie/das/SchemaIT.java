package io.magpie.das;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.engines.Infrastructure;
import io.magpie.testkit.InfrastructureExtension;
import io.magpie.engines.TestIsolation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(InfrastructureExtension.class)
class SchemaIT {

    private static final Map<String, List<String>> COLUMNS = Map.ofEntries(
            Map.entry("account", List.of("uid", "username", "password_hash", "nickname", "created_at", "updated_at",
                    "read_receipts", "dm_policy")),
            Map.entry("friend", List.of("owner_uid", "friend_uid", "remark", "version", "deleted", "created_at", "updated_at")),
            Map.entry("friend_request", List.of("request_id", "from_uid", "to_uid", "message", "state", "pair_low", "pair_high",
                    "created_at", "updated_at")),
            Map.entry("user_block", List.of("owner_uid", "blocked_uid", "created_at")),
            Map.entry("user_restriction", List.of("uid", "kind", "until_at", "reason", "created_at")),
            Map.entry("presence_setting", List.of("uid", "status_text", "hidden", "last_seen_at", "updated_at")),
            Map.entry("device_token", List.of("uid", "device_id", "platform", "provider", "token", "updated_at")),
            Map.entry("message", List.of("msg_id", "conversation_id", "conversation_type", "seq", "version", "sender_uid",
                    "sender_device_id", "client_msg_id", "msg_type", "content", "status", "server_time", "reactions",
                    "edited_at")),
            Map.entry("message_reply", List.of("conversation_id", "quoted_seq", "reply_msg_id")),
            Map.entry("message_reaction", List.of("conversation_id", "seq", "uid", "emoji", "reacted_at")),
            Map.entry("message_edit", List.of("msg_id", "replaced_version", "previous_content", "edited_at")),
            Map.entry("conversation", List.of("owner_uid", "conversation_id", "conversation_type", "peer_id", "version",
                    "sort_key", "last_seq", "last_msg_id", "read_seq", "peer_read_seq", "cleared_seq", "muted",
                    "deleted", "updated_at", "mention_seq")),
            Map.entry("im_group", List.of("group_id", "name", "owner_uid", "member_count", "last_seq", "last_msg_id",
                    "version", "large", "created_at", "updated_at", "dismissed", "avatar_url", "announcement",
                    "invite_policy", "join_policy", "max_members", "mute_all")),
            Map.entry("group_member", List.of("group_id", "uid", "role", "join_seq", "read_seq", "cleared_seq", "muted",
                    "joined_at", "mute_until")),
            Map.entry("group_former_member", List.of("group_id", "uid", "join_seq", "left_seq", "left_at")),
            Map.entry("group_join_request", List.of("group_id", "uid", "message", "created_at")),
            Map.entry("id_segment", List.of("biz_tag", "max_id", "step", "updated_at")),
            Map.entry("media_object", List.of("media_id", "uploader_uid", "conversation_id", "mime_type", "size_bytes",
                    "width", "height", "file_name", "blob_key", "thumb_key", "created_at", "deleted_at")));

    @Test
    void migrationsCreateEveryTableOfTheStorageModel(Infrastructure infra) throws SQLException {
        TestIsolation isolation = infra.isolate("schema");
        try (Database database = Database.open(new MysqlConfig(isolation.jdbcUrl(), infra.mysqlUser(),
                infra.mysqlPassword(), 2));
             Connection connection = database.dataSource().getConnection()) {
            Map<String, Set<String>> columns = new HashMap<>();
            Map<String, String> engines = new HashMap<>();
            try (PreparedStatement statement = connection.prepareStatement("SELECT c.table_name, c.column_name,"
                    + " t.engine, t.table_collation FROM information_schema.columns c JOIN information_schema.tables t"
                    + " ON t.table_schema = c.table_schema AND t.table_name = c.table_name"
                    + " WHERE c.table_schema = DATABASE()");
                 ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    columns.computeIfAbsent(rs.getString(1), t -> new HashSet<>()).add(rs.getString(2));
                    engines.put(rs.getString(1), rs.getString(3) + "/" + rs.getString(4));
                }
            }
            COLUMNS.forEach((table, expected) -> {
                assertTrue(columns.containsKey(table), "table " + table + " exists");
                assertEquals(Set.copyOf(expected), columns.get(table), "columns of " + table);
                assertTrue(engines.get(table).startsWith("InnoDB/utf8mb4"), table + " is " + engines.get(table));
            });
        }
    }

    @Test
    void uniqueKeysAndIndexesExist(Infrastructure infra) throws SQLException {
        TestIsolation isolation = infra.isolate("schema_keys");
        try (Database database = Database.open(new MysqlConfig(isolation.jdbcUrl(), infra.mysqlUser(),
                infra.mysqlPassword(), 2));
             Connection connection = database.dataSource().getConnection()) {
            Map<String, String> indexes = new HashMap<>(); // table.index -> "unique:col1,col2"
            try (PreparedStatement statement = connection.prepareStatement("SELECT table_name, index_name, non_unique,"
                    + " GROUP_CONCAT(column_name ORDER BY seq_in_index) FROM information_schema.statistics"
                    + " WHERE table_schema = DATABASE() GROUP BY table_name, index_name, non_unique");
                 ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    indexes.put(rs.getString(1) + "." + rs.getString(2),
                            (rs.getInt(3) == 0 ? "unique:" : "index:") + rs.getString(4));
                }
            }
            assertEquals("unique:msg_id", indexes.get("message.PRIMARY"));
            assertEquals("unique:conversation_id,seq", indexes.get("message.uk_message_conversation_seq"));
            assertEquals("unique:sender_uid,client_msg_id", indexes.get("message.uk_message_sender_client_msg"));
            assertEquals("index:conversation_id,version", indexes.get("message.idx_message_conversation_version"));
            assertEquals("unique:owner_uid,conversation_id", indexes.get("conversation.PRIMARY"));
            assertEquals("index:owner_uid,version", indexes.get("conversation.idx_conversation_owner_version"));
            assertEquals("unique:username", indexes.get("account.uk_account_username"));
            assertEquals("unique:uid,device_id", indexes.get("device_token.PRIMARY"));
            assertEquals("unique:group_id,uid", indexes.get("group_member.PRIMARY"));
            assertEquals("index:uid", indexes.get("group_member.idx_group_member_uid"));
            assertEquals("unique:biz_tag", indexes.get("id_segment.PRIMARY"));
            assertEquals("index:owner_uid,version", indexes.get("friend.idx_friend_owner_version"));
            assertEquals("unique:pair_low,pair_high", indexes.get("friend_request.uk_friend_request_pending"),
                    "at most one pending request per pair");
            assertEquals("unique:owner_uid,blocked_uid", indexes.get("user_block.PRIMARY"));
        }
    }

    @Test
    void reopeningAMigratedDatabaseChangesNothing(Infrastructure infra) throws SQLException {
        TestIsolation isolation = infra.isolate("schema_again");
        MysqlConfig config = new MysqlConfig(isolation.jdbcUrl(), infra.mysqlUser(), infra.mysqlPassword(), 2);
        Database.open(config).close();
        try (Database database = Database.open(config);
             Connection connection = database.dataSource().getConnection()) {
            assertEquals(1, TestMessages.count(connection,
                    "SELECT COUNT(*) FROM flyway_schema_history WHERE success = 1 AND version = '1'"));
        }
    }
}
