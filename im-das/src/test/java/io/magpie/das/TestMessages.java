package io.magpie.das;

import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Builders and probes shared by the storage tests. */
final class TestMessages {

    private TestMessages() {
    }

    /** A text message of a one-to-one conversation s_{sender}_{sender+1}. */
    static MessageRecord text(long msgId, String conversationId, long seq, long senderUid, String clientMsgId) {
        byte[] content = MessageContent.newBuilder().setType(MessageType.TEXT).setText("message " + seq).build()
                .toByteArray();
        int type = conversationId.startsWith("g_") ? ConversationType.GROUP_VALUE : ConversationType.SINGLE_VALUE;
        return new MessageRecord(msgId, conversationId, type, seq, seq, senderUid, "device-" + senderUid,
                clientMsgId, MessageType.TEXT_VALUE, content, MessageRecord.STATUS_NORMAL, 1_700_000_000_000L + seq);
    }

    /** How many INSERT statements this session has run (MySQL / MariaDB status Com_insert). */
    static long insertStatements(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SHOW SESSION STATUS LIKE 'Com_insert'")) {
            rs.next();
            return rs.getLong(2);
        }
    }

    static long count(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
