package io.magpie.logic.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.magpie.protocol.ConversationIds;
import io.magpie.protocol.ErrorCode;
import io.magpie.logic.ContentLimits;
import io.magpie.logic.WordFilterConfig;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.SendRequest;
import io.magpie.protocol.proto.UpstreamEnvelope;

/**
 * Step 5a for SEND: turns the body of an authenticated envelope into a {@link SendCommand} or a
 * {@link Rejection} addressed to the sending connection: the addressing, the content against its type's
 * definition ({@link ContentValidator}), then the sensitive-word filter, which refuses the message or masks the
 * words in the command it passes on. Never throws on bad input. Thread-safe.
 */
public final class SendRequestParser {

    /** Longest client message id (the column is sized for it). */
    public static final int MAX_CLIENT_MSG_ID_CHARS = 64;

    /** Outcome of parsing one SEND. */
    public sealed interface Parsed permits Accepted, Refused {
    }

    /** A SEND that may go on to dedupe and storage. */
    public record Accepted(SendCommand command) implements Parsed {
    }

    /** A request answered with an ERROR to its connection. */
    public record Refused(Rejection rejection) implements Parsed {
    }

    private final ContentValidator content;
    private final WordFilter words;

    /** Default content limits, no word filter. */
    public SendRequestParser() {
        this(new ContentValidator(ContentLimits.defaults()), null);
    }

    /** @param words the sensitive-word filter, or null for none */
    public SendRequestParser(ContentValidator content, WordFilter words) {
        this.content = content;
        this.words = words;
    }

    /** @param env an envelope whose command is SEND, with an authenticated uid and a reply address */
    public Parsed parse(UpstreamEnvelope env) {
        SendRequest req;
        try {
            req = SendRequest.parseFrom(env.getBody());
        } catch (InvalidProtocolBufferException e) {
            return refuse(env, ErrorCode.BAD_REQUEST, "body of SEND (" + env.getBody().size()
                    + " bytes) is not a valid SendRequest: " + e.getMessage());
        }
        String badId = clientMsgIdProblem(req.getClientMsgId());
        if (badId != null) {
            return refuse(env, ErrorCode.BAD_REQUEST, badId + "; the message was not sent");
        }
        ConversationType type = req.getConversationType();
        if (type != ConversationType.SINGLE && type != ConversationType.GROUP) {
            return refuse(env, ErrorCode.BAD_REQUEST, "conversation_type must be SINGLE or GROUP, got " + type);
        }
        if (req.getTargetId() <= 0) {
            return refuse(env, ErrorCode.BAD_REQUEST, "target_id must be a positive " + (type == ConversationType.GROUP
                    ? "group id" : "uid") + ", got " + req.getTargetId());
        }
        if (type == ConversationType.SINGLE && req.getTargetId() == env.getUid()) {
            return refuse(env, ErrorCode.BAD_REQUEST, "target_id " + req.getTargetId()
                    + " is the sender itself; a one-to-one message needs another user");
        }
        if (!req.hasContent()) {
            return refuse(env, ErrorCode.BAD_REQUEST, "content is required; the message was not sent");
        }
        String badContent = content.problem(req.getContent());
        if (badContent != null) {
            return refuse(env, ErrorCode.BAD_REQUEST, badContent + "; the message was not sent");
        }
        if (type != ConversationType.GROUP && (req.getContent().getMentionedUidsCount() > 0
                || req.getContent().getMentionAll())) {
            return refuse(env, ErrorCode.BAD_REQUEST, "content.mentioned_uids and content.mention_all are for group"
                    + " conversations only, not " + type + "; the message was not sent");
        }
        String conversationId = ConversationIds.of(type, env.getUid(), req.getTargetId());
        if (!env.getConversationId().isEmpty() && !env.getConversationId().equals(conversationId)) {
            // the record sits on the partition of another conversation: storing it here could give that
            // conversation a second writer, so refuse instead of breaking the seq order
            return refuse(env, ErrorCode.INTERNAL, "the gate routed this SEND as conversation '"
                    + env.getConversationId() + "' but it belongs to '" + conversationId + "'; it was not sent");
        }
        boolean masked = false;
        String text = req.getContent().getText();
        if (words != null && !text.isEmpty()) {
            if (words.action() == WordFilterConfig.Action.REJECT) {
                int[] hit = words.firstMatch(text);
                if (hit != null) {
                    return refuse(env, ErrorCode.CONTENT_REJECTED, "content.text contains a word the operator's"
                            + " filter list refuses (characters " + hit[0] + "-" + (hit[1] - 1) + "); the message"
                            + " was not sent: change the text");
                }
            } else {
                String clean = words.masked(text);
                if (!clean.equals(text)) {
                    masked = true;
                    MessageContent c = req.getContent().toBuilder().setText(clean).build();
                    req = req.toBuilder().setContent(c).build();
                }
            }
        }
        return new Accepted(new SendCommand(env, req, conversationId, type, req.getTargetId(),
                SendCommand.NO_PARTITION, masked));
    }

    /**
     * Why {@code clientMsgId} is not a valid client message id (SEND and GROUP share them), or null. The unit
     * is the Unicode code point, the unit of the database column (VARCHAR(64), utf8mb4): an emoji counts once
     * although Java stores it as two chars.
     */
    static String clientMsgIdProblem(String clientMsgId) {
        int codePoints = clientMsgId.codePointCount(0, clientMsgId.length());
        if (codePoints < 1 || codePoints > MAX_CLIENT_MSG_ID_CHARS) {
            return "client_msg_id must be 1-" + MAX_CLIENT_MSG_ID_CHARS + " Unicode code points, got " + codePoints;
        }
        // the column's collation compares with trailing spaces ignored (PAD SPACE): "c-1 " would be taken for "c-1"
        if (clientMsgId.endsWith(" ")) {
            return "client_msg_id must not end with a space (U+0020), got '" + clientMsgId + "'";
        }
        return null;
    }

    private static Refused refuse(UpstreamEnvelope env, ErrorCode code, String message) {
        return new Refused(new Rejection(env, code, message));
    }
}
