package io.magpie.logic.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.proto.MessageActionRequest;
import io.magpie.protocol.proto.ReadRequest;
import io.magpie.protocol.proto.UpstreamEnvelope;
import java.util.Optional;

/**
 * Turns a READ or RECALL envelope into an {@link ActionCommand} or a {@link Rejection}
 * ({@code BAD_REQUEST}: unreadable body, a conversation id the server never issues or that is not the
 * caller's one-to-one conversation, a seq below 1). Never throws on bad input. Stateless.
 */
public final class ActionParser {

    /** Outcome of parsing one request. */
    public sealed interface Parsed permits Accepted, Refused {
    }

    public record Accepted(ActionCommand command) implements Parsed {
    }

    public record Refused(Rejection rejection) implements Parsed {
    }

    /** @param env an envelope whose command is READ or RECALL, with an authenticated uid and a reply address */
    public Parsed parse(UpstreamEnvelope env) {
        String name = Command.nameOf(env.getCommand());
        String conversationId;
        long seq;
        try {
            if (env.getCommand() == Command.READ.code()) {
                ReadRequest req = ReadRequest.parseFrom(env.getBody());
                conversationId = req.getConversationId();
                seq = req.getReadSeq();
            } else if (env.getCommand() == Command.RECALL.code()) {
                MessageActionRequest req = MessageActionRequest.parseFrom(env.getBody());
                conversationId = req.getConversationId();
                seq = req.getSeq();
            } else {
                throw new IllegalArgumentException(name + " is not an action this parser knows");
            }
        } catch (InvalidProtocolBufferException e) {
            return refuse(env, "body of " + name + " (" + env.getBody().size() + " bytes) is not a valid "
                    + (env.getCommand() == Command.READ.code() ? "ReadRequest" : "MessageActionRequest") + ": "
                    + e.getMessage());
        }
        Optional<ConversationRef> ref = ConversationRef.parse(conversationId);
        if (ref.isEmpty()) {
            return refuse(env, "conversation_id '" + JsonBodies.abbreviate(conversationId)
                    + "' is not s_<uid>_<uid> or g_<group id>");
        }
        if (ref.get() instanceof ConversationRef.Single single && !single.hasMember(env.getUid())) {
            return refuse(env, "conversation_id " + conversationId + " is not a conversation of uid " + env.getUid());
        }
        if (seq < 1) {
            return refuse(env, (env.getCommand() == Command.READ.code() ? "read_seq" : "seq")
                    + " must be a message seq (1 or more), got " + seq);
        }
        return new Accepted(env.getCommand() == Command.READ.code()
                ? new ActionCommand.Read(env, ref.get(), seq)
                : new ActionCommand.Recall(env, ref.get(), seq));
    }

    private static Refused refuse(UpstreamEnvelope env, String message) {
        return new Refused(new Rejection(env, ErrorCode.BAD_REQUEST, message));
    }
}
