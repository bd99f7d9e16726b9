package io.magpie.logic.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.magpie.protocol.Command;
import io.magpie.protocol.ConversationIds;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.SendRequest;
import io.magpie.protocol.proto.UpstreamEnvelope;

/**
 * Step 5a: turns one {@code upstream} record into a {@link SendCommand} or a {@link Rejection}
 * addressed to the sending connection. A record too broken to answer (no envelope, no reply
 * address) yields {@link Parsed.Unanswerable}. Never throws on bad input. Stateless, thread-safe.
 */
public final class SendRequestParser {

    /** Longest client message id (the column is sized for it). */
    public static final int MAX_CLIENT_MSG_ID_CHARS = 64;

    /** Outcome of parsing one record. */
    public sealed interface Parsed permits Accepted, Refused, Unanswerable {
    }

    /** A SEND that may go on to dedupe and storage. */
    public record Accepted(SendCommand command) implements Parsed {
    }

    /** A request answered with an ERROR to its connection. */
    public record Refused(Rejection rejection) implements Parsed {
    }

    /** No envelope or no reply address: the reason is logged by the caller, nobody can be told. */
    public record Unanswerable(String reason) implements Parsed {
    }

    public Parsed parse(byte[] value) {
        UpstreamEnvelope env;
        try {
            env = UpstreamEnvelope.parseFrom(value == null ? new byte[0] : value);
        } catch (InvalidProtocolBufferException e) {
            return new Unanswerable("value is not an UpstreamEnvelope: " + e.getMessage());
        }
        if (env.getUid() <= 0 || env.getGateId().isEmpty()) {
            return new Unanswerable("envelope has no authenticated uid (" + env.getUid() + ") or gate id ('"
                    + env.getGateId() + "')");
        }
        if (env.getCommand() != Command.SEND.code()) {
            return refuse(env, ErrorCode.NOT_SUPPORTED, Command.nameOf(env.getCommand())
                    + " is not served by this server yet; only SEND is");
        }
        SendRequest req;
        try {
            req = SendRequest.parseFrom(env.getBody());
        } catch (InvalidProtocolBufferException e) {
            return refuse(env, ErrorCode.BAD_REQUEST, "body of SEND (" + env.getBody().size()
                    + " bytes) is not a valid SendRequest: " + e.getMessage());
        }
        String clientMsgId = req.getClientMsgId();
        if (clientMsgId.isEmpty() || clientMsgId.length() > MAX_CLIENT_MSG_ID_CHARS) {
            return refuse(env, ErrorCode.BAD_REQUEST, "client_msg_id must be 1-" + MAX_CLIENT_MSG_ID_CHARS
                    + " characters, got " + clientMsgId.length() + "; the message was not sent");
        }
        if (req.getConversationType() == ConversationType.GROUP) {
            return refuse(env, ErrorCode.NOT_SUPPORTED, "group messages are not served by this server yet");
        }
        if (req.getConversationType() != ConversationType.SINGLE) {
            return refuse(env, ErrorCode.BAD_REQUEST, "conversation_type must be SINGLE or GROUP, got "
                    + req.getConversationType());
        }
        if (req.getTargetId() <= 0) {
            return refuse(env, ErrorCode.BAD_REQUEST, "target_id must be a positive uid, got " + req.getTargetId());
        }
        if (req.getTargetId() == env.getUid()) {
            return refuse(env, ErrorCode.BAD_REQUEST, "target_id " + req.getTargetId()
                    + " is the sender itself; a one-to-one message needs another user");
        }
        if (!req.hasContent() || req.getContent().getType() == MessageType.MESSAGE_TYPE_UNSPECIFIED
                || req.getContent().getType() == MessageType.UNRECOGNIZED) {
            return refuse(env, ErrorCode.BAD_REQUEST, "content.type must be one of TEXT, EMOJI, IMAGE, FILE,"
                    + " AUDIO, VIDEO, CUSTOM");
        }
        String conversationId = ConversationIds.single(env.getUid(), req.getTargetId());
        if (!env.getConversationId().isEmpty() && !env.getConversationId().equals(conversationId)) {
            // the record sits on the partition of another conversation: storing it here could give that
            // conversation a second writer, so refuse instead of breaking the seq order
            return refuse(env, ErrorCode.INTERNAL, "the gate routed this SEND as conversation '"
                    + env.getConversationId() + "' but it belongs to '" + conversationId + "'; it was not sent");
        }
        return new Accepted(new SendCommand(env, req, conversationId, req.getTargetId()));
    }

    private static Refused refuse(UpstreamEnvelope env, ErrorCode code, String message) {
        return new Refused(new Rejection(env, code, message));
    }
}
