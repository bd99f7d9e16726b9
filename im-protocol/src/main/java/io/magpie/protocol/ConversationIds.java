package io.magpie.protocol;

import io.magpie.protocol.proto.ConversationType;

/**
 * Conversation ids. A one-to-one conversation is {@code s_<smaller uid>_<larger uid>} so both
 * members name it the same; a group conversation is {@code g_<group id>}. Derived on the server
 * from the authenticated uid, never taken from a client.
 */
public final class ConversationIds {

    private ConversationIds() {
    }

    public static String single(long a, long b) {
        return "s_" + Math.min(a, b) + "_" + Math.max(a, b);
    }

    public static String group(long groupId) {
        return "g_" + groupId;
    }

    /**
     * The conversation a user writes to.
     *
     * @throws ProtocolException BAD_REQUEST for an unspecified type or a non-positive target
     */
    public static String of(ConversationType type, long selfUid, long targetId) {
        if (targetId <= 0) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST,
                    "target_id must be a positive uid or group id, got " + targetId, false);
        }
        return switch (type) {
            case SINGLE -> single(selfUid, targetId);
            case GROUP -> group(targetId);
            default -> throw new ProtocolException(ErrorCode.BAD_REQUEST,
                    "conversation_type must be SINGLE or GROUP, got " + type, false);
        };
    }

    public static boolean isGroup(String conversationId) {
        return conversationId.startsWith("g_");
    }

    /**
     * The group id of a {@code g_} conversation.
     *
     * @throws IllegalArgumentException if {@code conversationId} is not {@code g_<group id>}
     */
    public static long groupIdOf(String conversationId) {
        if (!isGroup(conversationId)) {
            throw new IllegalArgumentException(conversationId + " is not a group conversation");
        }
        return idIn(conversationId, conversationId.substring(2));
    }

    /**
     * The other member of a one-to-one conversation, seen from {@code self}.
     *
     * @throws IllegalArgumentException if {@code conversationId} is not {@code s_<uid>_<uid>} or
     *                                  {@code self} is not one of its members
     */
    public static long peerOf(String conversationId, long self) {
        if (!conversationId.startsWith("s_")) {
            throw new IllegalArgumentException(conversationId + " is not a one-to-one conversation");
        }
        int sep = conversationId.indexOf('_', 2);
        if (sep < 0) {
            throw new IllegalArgumentException(conversationId + " is not of the form s_<uid>_<uid>");
        }
        long a = idIn(conversationId, conversationId.substring(2, sep));
        long b = idIn(conversationId, conversationId.substring(sep + 1));
        if (a != self && b != self) {
            throw new IllegalArgumentException("uid " + self + " is not a member of " + conversationId);
        }
        return a == self ? b : a;
    }

    private static long idIn(String conversationId, String digits) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + digits + "' in conversation id " + conversationId
                    + " is not a decimal id", e);
        }
    }
}
