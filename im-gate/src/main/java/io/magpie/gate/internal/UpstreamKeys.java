package io.magpie.gate.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.magpie.protocol.Command;
import io.magpie.protocol.ConversationIds;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.ProtocolException;
import io.magpie.protocol.proto.ClearRequest;
import io.magpie.protocol.proto.EditRequest;
import io.magpie.protocol.proto.ReactRequest;
import io.magpie.protocol.proto.GroupRequest;
import io.magpie.protocol.proto.MessageActionRequest;
import io.magpie.protocol.proto.PresenceRequest;
import io.magpie.protocol.proto.PullRequest;
import io.magpie.protocol.proto.ReadRequest;
import io.magpie.protocol.proto.SendRequest;
import io.magpie.protocol.proto.SyncRequest;
import io.magpie.protocol.proto.TypingRequest;
import java.util.EnumSet;
import java.util.Set;

/**
 * Derives the Kafka key and the conversation id of a client request from the authenticated uid and
 * as little of the body as needed (ARCHITECTURE §2 step 4). The body itself is forwarded untouched.
 * Stateless.
 */
public final class UpstreamKeys {

    /** Commands the gate forwards to logic. */
    public static final Set<Command> FORWARDED = EnumSet.of(Command.SEND, Command.SYNC, Command.PULL, Command.READ,
            Command.RECALL, Command.DELETE, Command.CLEAR, Command.TYPING, Command.PRESENCE, Command.GROUP,
            Command.REACT, Command.EDIT);

    /**
     * @param partitionKey   the Kafka key: the conversation id, or {@code u_<uid>} for requests that
     *                       are about the user rather than one conversation
     * @param conversationId the conversation the request is about, empty when none
     */
    public record Key(String partitionKey, String conversationId) {
    }

    private UpstreamKeys() {
    }

    /**
     * @throws ProtocolException BAD_REQUEST (not fatal) when the body is not the command's message or
     *                           names no valid conversation for {@code uid}
     */
    public static Key of(Frame frame, long uid) {
        Command command = frame.knownCommand().orElseThrow(
                () -> new IllegalArgumentException("not a forwarded command: " + Command.nameOf(frame.command())));
        try {
            return switch (command) {
                case SEND -> {
                    SendRequest send = SendRequest.parseFrom(frame.body());
                    String conversationId = ConversationIds.of(send.getConversationType(), uid, send.getTargetId());
                    yield new Key(conversationId, conversationId);
                }
                case SYNC -> {
                    SyncRequest.parseFrom(frame.body());
                    yield userKey(uid);
                }
                case PULL -> named(PullRequest.parseFrom(frame.body()).getConversationId(), uid);
                case READ -> named(ReadRequest.parseFrom(frame.body()).getConversationId(), uid);
                case RECALL, DELETE -> named(MessageActionRequest.parseFrom(frame.body()).getConversationId(), uid);
                case CLEAR -> named(ClearRequest.parseFrom(frame.body()).getConversationId(), uid);
                // keyed by the conversation: its writer changes the message in order with its SENDs and RECALLs
                case REACT -> named(ReactRequest.parseFrom(frame.body()).getConversationId(), uid);
                case EDIT -> named(EditRequest.parseFrom(frame.body()).getConversationId(), uid);
                case TYPING -> {
                    String conversationId = TypingRequest.parseFrom(frame.body()).getConversationId();
                    if (conversationId.isEmpty()) {
                        throw new ProtocolException(ErrorCode.BAD_REQUEST, "TYPING needs a conversation_id", false);
                    }
                    yield named(conversationId, uid);
                }
                case PRESENCE -> {
                    PresenceRequest.parseFrom(frame.body());
                    yield userKey(uid);
                }
                case GROUP -> {
                    // keyed like a group SEND: the group's writer applies the change in order with its messages
                    long groupId = GroupRequest.parseFrom(frame.body()).getGroupId();
                    if (groupId <= 0) {
                        throw new ProtocolException(ErrorCode.BAD_REQUEST, "group_id must be a positive group id,"
                                + " got " + groupId, false);
                    }
                    String conversationId = ConversationIds.group(groupId);
                    yield new Key(conversationId, conversationId);
                }
                default -> throw new IllegalArgumentException("not a forwarded command: " + command);
            };
        } catch (InvalidProtocolBufferException e) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "body of " + command + " (" + frame.body().length
                    + " bytes) is not a valid protobuf message: " + e.getMessage(), false, e);
        }
    }

    private static Key userKey(long uid) {
        return new Key("u_" + uid, "");
    }

    /** A conversation id the client named: checked for shape (and membership for one-to-one). */
    private static Key named(String conversationId, long uid) {
        if (conversationId.isEmpty()) {
            return userKey(uid);
        }
        if (!wellFormedFor(conversationId, uid)) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "conversation_id '" + abbreviate(conversationId)
                    + "' is neither s_<uid>_<uid> with you as a member nor g_<group id>", false);
        }
        return new Key(conversationId, conversationId);
    }

    private static boolean wellFormedFor(String conversationId, long uid) {
        try {
            if (ConversationIds.isGroup(conversationId)) {
                long groupId = ConversationIds.groupIdOf(conversationId);
                return groupId > 0 && conversationId.equals(ConversationIds.group(groupId));
            }
            long peer = ConversationIds.peerOf(conversationId, uid);
            // Only the canonical spelling, so one conversation never hashes to two partitions.
            return peer > 0 && conversationId.equals(ConversationIds.single(uid, peer));
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            // Not an id at all: the caller answers BAD_REQUEST naming the value.
            return false;
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
