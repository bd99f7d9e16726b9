package io.magpie.das;

import java.util.Objects;

/**
 * One row of table {@code message_reply}: the message {@code replyMsgId} quotes the message at {@code quotedSeq}
 * of the same conversation.
 */
public record ReplyLink(String conversationId, long quotedSeq, long replyMsgId) {

    public ReplyLink {
        Objects.requireNonNull(conversationId, "conversationId");
    }
}
