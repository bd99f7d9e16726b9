package io.magpie.das;

import java.util.Arrays;
import java.util.Objects;

/**
 * One row of table {@code message}. {@code content} is the protobuf {@code MessageContent} bytes;
 * the array is not copied, so callers must not change it after handing it over.
 *
 * @param msgId            global snowflake id
 * @param conversationId   {@code s_<a>_<b>} or {@code g_<groupId>}, at most 64 characters
 * @param conversationType protocol {@code ConversationType} number (1 single, 2 group)
 * @param seq              position in the conversation: 1, 2, 3... without holes
 * @param version          conversation-scoped version; moves on recall / delete / edit
 * @param senderUid        authenticated sender
 * @param senderDeviceId   sender's device
 * @param clientMsgId      the sender's id for this message, unique per sender, at most 64 characters
 * @param msgType          protocol {@code MessageType} number
 * @param content          protobuf {@code MessageContent} bytes
 * @param status           {@link #STATUS_NORMAL}, {@link #STATUS_RECALLED} or {@link #STATUS_DELETED}
 * @param serverTime       when the server accepted it (ms since the epoch)
 * @param reactions        protobuf {@code ReactionCounts} bytes, its reactions per emoji; empty = none
 * @param editedAt         when the sender last edited it (ms since the epoch), 0 = never
 */
public record MessageRecord(long msgId, String conversationId, int conversationType, long seq, long version,
                            long senderUid, String senderDeviceId, String clientMsgId, int msgType,
                            byte[] content, int status, long serverTime, byte[] reactions, long editedAt) {

    private static final byte[] NONE = new byte[0];

    /** A message without reactions that was never edited (a new one). */
    public MessageRecord(long msgId, String conversationId, int conversationType, long seq, long version,
            long senderUid, String senderDeviceId, String clientMsgId, int msgType, byte[] content, int status,
            long serverTime) {
        this(msgId, conversationId, conversationType, seq, version, senderUid, senderDeviceId, clientMsgId, msgType,
                content, status, serverTime, NONE, 0);
    }

    public static final int STATUS_NORMAL = 0;
    public static final int STATUS_RECALLED = 1;
    public static final int STATUS_DELETED = 2;

    public MessageRecord {
        Objects.requireNonNull(conversationId, "conversationId");
        Objects.requireNonNull(clientMsgId, "clientMsgId");
        Objects.requireNonNull(content, "content");
        senderDeviceId = senderDeviceId == null ? "" : senderDeviceId;
        reactions = reactions == null ? NONE : reactions;
    }

    /** The key that makes a resent message idempotent. */
    public SenderClientKey senderClientKey() {
        return new SenderClientKey(senderUid, clientMsgId);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MessageRecord m
                && msgId == m.msgId && conversationType == m.conversationType && seq == m.seq
                && version == m.version && senderUid == m.senderUid && msgType == m.msgType
                && status == m.status && serverTime == m.serverTime
                && conversationId.equals(m.conversationId) && senderDeviceId.equals(m.senderDeviceId)
                && clientMsgId.equals(m.clientMsgId) && Arrays.equals(content, m.content)
                && editedAt == m.editedAt && Arrays.equals(reactions, m.reactions);
    }

    @Override
    public int hashCode() {
        return Objects.hash(msgId, conversationId, seq, senderUid, clientMsgId) * 31 + Arrays.hashCode(content);
    }

    @Override
    public String toString() {
        return "MessageRecord[msgId=" + msgId + ", conversationId=" + conversationId + ", seq=" + seq
                + ", version=" + version + ", senderUid=" + senderUid + ", senderDeviceId=" + senderDeviceId
                + ", clientMsgId=" + clientMsgId + ", msgType=" + msgType + ", content=" + content.length
                + " bytes, status=" + status + ", serverTime=" + serverTime + ", reactions=" + reactions.length
                + " bytes, editedAt=" + editedAt + "]";
    }
}
