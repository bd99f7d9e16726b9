package io.magpie.logic.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.magpie.das.OwnHistory;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.proto.ClearRequest;
import io.magpie.protocol.proto.EditRequest;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.ReactRequest;
import io.magpie.protocol.proto.MessageActionRequest;
import io.magpie.protocol.proto.ReadRequest;
import io.magpie.protocol.proto.UpstreamEnvelope;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Turns a READ, RECALL, DELETE or CLEAR envelope into an {@link ActionCommand} or a {@link Rejection}
 * ({@code BAD_REQUEST}: unreadable body, a conversation id the server never issues or that is not the
 * caller's one-to-one conversation, a seq below 1, a CLEAR seq below 0, more than
 * {@value OwnHistory#MAX_SEQS} seqs in a DELETE). Never throws on bad input. Stateless.
 */
public final class ActionParser {

    private static final Map<Command, String> BODIES = Map.of(Command.READ, "ReadRequest", Command.RECALL,
            "MessageActionRequest", Command.DELETE, "MessageActionRequest", Command.CLEAR, "ClearRequest",
            Command.REACT, "ReactRequest", Command.EDIT, "EditRequest");
    /** Longest reaction emoji, in code points (a flag or a family sequence fits; the column holds 32). */
    static final int MAX_EMOJI_CHARS = 32;

    /** Outcome of parsing one request. */
    public sealed interface Parsed permits Accepted, Refused {
    }

    public record Accepted(ActionCommand command) implements Parsed {
    }

    public record Refused(Rejection rejection) implements Parsed {
    }

    /** @param env an envelope whose command is READ, RECALL, DELETE or CLEAR, with an authenticated uid and a reply address */
    public Parsed parse(UpstreamEnvelope env) {
        Command command = Command.fromCode(env.getCommand()).orElseThrow(() -> new IllegalArgumentException(
                Command.nameOf(env.getCommand()) + " is not an action this parser knows"));
        String conversationId;
        TreeSet<Long> seqs = new TreeSet<>();
        long seq;
        String emoji = null;
        MessageContent content = null;
        try {
            switch (command) {
                case READ -> {
                    ReadRequest req = ReadRequest.parseFrom(env.getBody());
                    conversationId = req.getConversationId();
                    seq = req.getReadSeq();
                }
                case RECALL, DELETE -> {
                    MessageActionRequest req = MessageActionRequest.parseFrom(env.getBody());
                    conversationId = req.getConversationId();
                    seq = req.getSeq();
                    seqs.add(seq);
                    seqs.addAll(command == Command.DELETE ? req.getMoreSeqsList() : List.of());
                }
                case CLEAR -> {
                    ClearRequest req = ClearRequest.parseFrom(env.getBody());
                    conversationId = req.getConversationId();
                    seq = req.getUpToSeq();
                }
                case REACT -> {
                    ReactRequest req = ReactRequest.parseFrom(env.getBody());
                    conversationId = req.getConversationId();
                    seq = req.getSeq();
                    emoji = req.getRemove() ? null : req.getEmoji();
                    if (emoji != null) {
                        String bad = emojiProblem(emoji);
                        if (bad != null) {
                            return refuse(env, bad + "; nothing changed");
                        }
                    }
                }
                case EDIT -> {
                    EditRequest req = EditRequest.parseFrom(env.getBody());
                    conversationId = req.getConversationId();
                    seq = req.getSeq();
                    if (!req.hasContent()) {
                        return refuse(env, "content is required in an EDIT; nothing changed");
                    }
                    content = req.getContent();
                }
                default -> throw new IllegalArgumentException(command + " is not an action this parser knows");
            }
        } catch (InvalidProtocolBufferException e) {
            return refuse(env, "body of " + command + " (" + env.getBody().size() + " bytes) is not a valid "
                    + BODIES.get(command) + ": " + e.getMessage());
        }
        Optional<ConversationRef> ref = ConversationRef.parse(conversationId);
        if (ref.isEmpty()) {
            return refuse(env, "conversation_id '" + JsonBodies.abbreviate(conversationId)
                    + "' is not s_<uid>_<uid> or g_<group id>");
        }
        if (ref.get() instanceof ConversationRef.Single single && !single.hasMember(env.getUid())) {
            return refuse(env, "conversation_id " + conversationId + " is not a conversation of uid " + env.getUid());
        }
        if (command == Command.CLEAR) {
            return seq < 0 ? refuse(env, "up_to_seq must be 0 (up to the newest) or a message seq, got " + seq)
                    : new Accepted(new ActionCommand.Clear(env, ref.get(), seq));
        }
        long lowest = seqs.isEmpty() ? seq : seqs.first();
        if (lowest < 1) {
            return refuse(env, (command == Command.READ ? "read_seq" : "seq") + " must be a message seq (1 or more),"
                    + " got " + lowest);
        }
        return switch (command) {
            case READ -> new Accepted(new ActionCommand.Read(env, ref.get(), seq));
            case RECALL -> new Accepted(new ActionCommand.Recall(env, ref.get(), seq));
            case REACT -> new Accepted(new ActionCommand.React(env, ref.get(), seq, emoji));
            case EDIT -> new Accepted(new ActionCommand.Edit(env, ref.get(), seq, content));
            default -> seqs.size() > OwnHistory.MAX_SEQS
                    ? refuse(env, "a DELETE names at most " + OwnHistory.MAX_SEQS + " messages (seq and more_seqs), got "
                            + seqs.size() + "; send several")
                    : new Accepted(new ActionCommand.Delete(env, ref.get(), seqs));
        };
    }

    /** Why {@code emoji} is not a reaction: 1-32 code points, no white space or control characters; or null. */
    static String emojiProblem(String emoji) {
        int n = emoji.codePointCount(0, emoji.length());
        if (n < 1 || n > MAX_EMOJI_CHARS) {
            return "emoji must be 1-" + MAX_EMOJI_CHARS + " Unicode code points (or set remove), got " + n;
        }
        boolean bad = emoji.codePoints().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c)
                || Character.isSpaceChar(c));
        return bad ? "emoji must not contain white space or control characters, got '" + emoji + "'" : null;
    }

    private static Refused refuse(UpstreamEnvelope env, String message) {
        return new Refused(new Rejection(env, ErrorCode.BAD_REQUEST, message));
    }
}
