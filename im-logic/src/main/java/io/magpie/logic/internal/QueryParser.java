package io.magpie.logic.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.proto.PullRequest;
import io.magpie.protocol.proto.SyncRequest;
import io.magpie.protocol.proto.UpstreamEnvelope;

/**
 * Turns a SYNC or PULL envelope into a {@link QueryCommand} or a {@link Rejection}. A limit of 0 (or
 * less) asks for {@value #DEFAULT_LIMIT}; above {@value #MAX_LIMIT} it is lowered to that, and the
 * answer's {@code has_more} tells the client to ask again. Never throws on bad input. Stateless.
 */
public final class QueryParser {

    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 200;
    /** Longest conversation id (the column is sized for it). */
    public static final int MAX_CONVERSATION_ID_CHARS = 64;

    /** Outcome of parsing one query. */
    public sealed interface Parsed permits Accepted, Refused {
    }

    public record Accepted(QueryCommand query) implements Parsed {
    }

    public record Refused(Rejection rejection) implements Parsed {
    }

    /** @param env an envelope whose command is SYNC or PULL, with an authenticated uid and a reply address */
    public Parsed parse(UpstreamEnvelope env) {
        if (env.getCommand() == Command.SYNC.code()) {
            return sync(env);
        }
        if (env.getCommand() == Command.PULL.code()) {
            return pull(env);
        }
        throw new IllegalArgumentException(Command.nameOf(env.getCommand()) + " is not a query");
    }

    private static Parsed sync(UpstreamEnvelope env) {
        SyncRequest req;
        try {
            req = SyncRequest.parseFrom(env.getBody());
        } catch (InvalidProtocolBufferException e) {
            return refuse(env, "body of SYNC (" + env.getBody().size() + " bytes) is not a valid SyncRequest: "
                    + e.getMessage());
        }
        if (req.getSinceVersion() < 0) {
            return refuse(env, "since_version must be 0 (everything) or a version from a SYNC_ACK, got "
                    + req.getSinceVersion());
        }
        return new Accepted(new QueryCommand.Sync(env, req.getSinceVersion(), limit(req.getLimit())));
    }

    private static Parsed pull(UpstreamEnvelope env) {
        PullRequest req;
        try {
            req = PullRequest.parseFrom(env.getBody());
        } catch (InvalidProtocolBufferException e) {
            return refuse(env, "body of PULL (" + env.getBody().size() + " bytes) is not a valid PullRequest: "
                    + e.getMessage());
        }
        String conv = req.getConversationId();
        if (conv.isEmpty() || conv.length() > MAX_CONVERSATION_ID_CHARS) {
            return refuse(env, "conversation_id must be 1-" + MAX_CONVERSATION_ID_CHARS + " characters, got "
                    + conv.length());
        }
        long from = Math.max(1, req.getFromSeq());
        long to = req.getToSeq() == 0 ? Long.MAX_VALUE : req.getToSeq();
        if (to < from) {
            return refuse(env, "to_seq " + req.getToSeq() + " is below from_seq " + from
                    + "; use to_seq 0 for \"up to the newest\"");
        }
        if (req.getSinceVersion() < 0) {
            return refuse(env, "since_version must be 0 (a seq range) or a version from this conversation, got "
                    + req.getSinceVersion());
        }
        return new Accepted(new QueryCommand.Pull(env, conv, from, to, limit(req.getLimit()), req.getBackward(),
                req.getSinceVersion()));
    }

    static int limit(int asked) {
        return asked <= 0 ? DEFAULT_LIMIT : Math.min(asked, MAX_LIMIT);
    }

    private static Refused refuse(UpstreamEnvelope env, String message) {
        return new Refused(new Rejection(env, ErrorCode.BAD_REQUEST, message));
    }
}
