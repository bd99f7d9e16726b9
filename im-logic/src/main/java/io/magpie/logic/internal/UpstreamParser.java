package io.magpie.logic.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.proto.AdminCommand;
import io.magpie.protocol.proto.UpstreamEnvelope;

/**
 * Step 5a: turns one {@code upstream} record into a SEND for the write path, a SYNC/PULL for the
 * read path, a READ/RECALL/DELETE/CLEAR for the conversation-state
 * path, a GROUP change, an operator's write (ADMIN_OP), or a {@link Rejection} addressed to the sending connection. A record too broken to
 * answer (no envelope, no authenticated uid or reply address) yields {@link Unanswerable}. Never
 * throws on bad input. Stateless, thread-safe.
 */
public final class UpstreamParser {

    /** Outcome of parsing one record. */
    public sealed interface Parsed permits Send, Query, Action, Signal, GroupOp, Admin, Refused, Unanswerable {
    }

    /** A SEND that may go on to dedupe and storage. */
    public record Send(SendCommand command) implements Parsed {
    }

    /** A SYNC or PULL to answer. */
    public record Query(QueryCommand query) implements Parsed {
    }

    /** A READ, RECALL, DELETE or CLEAR to apply. */
    public record Action(ActionCommand action) implements Parsed {
    }

    /** A PRESENCE_EVENT, PRESENCE or TYPING for the {@link SignalProcessor}: transient, nothing stored. */
    public record Signal(UpstreamEnvelope envelope) implements Parsed {
    }

    /** A GROUP request: a change of a group, stored as a SYSTEM message in its timeline. */
    public record GroupOp(GroupCommand command) implements Parsed {
    }

    /** An operator's write from the admin API (ADMIN_OP): nobody to answer, the API reads the outcome from MySQL. */
    public record Admin(AdminCommand command) implements Parsed {
    }

    /** A request answered with an ERROR to its connection. */
    public record Refused(Rejection rejection) implements Parsed {
    }

    /** No envelope or no reply address: the reason is logged by the caller, nobody can be told. */
    public record Unanswerable(String reason) implements Parsed {
    }

    private final SendRequestParser sends;

    /** Default content limits, no word filter. */
    public UpstreamParser() {
        this(new SendRequestParser());
    }

    public UpstreamParser(SendRequestParser sends) {
        this.sends = sends;
    }
    private final QueryParser queries = new QueryParser();
    private final ActionParser actions = new ActionParser();
    private final GroupRequestParser groups = new GroupRequestParser();

    public Parsed parse(byte[] value) {
        UpstreamEnvelope env;
        try {
            env = UpstreamEnvelope.parseFrom(value == null ? new byte[0] : value);
        } catch (InvalidProtocolBufferException e) {
            return new Unanswerable("value is not an UpstreamEnvelope: " + e.getMessage());
        }
        if (env.getCommand() == Command.ADMIN_OP.code()) {
            try {
                return new Admin(AdminCommand.parseFrom(env.getBody()));
            } catch (InvalidProtocolBufferException e) {
                return new Unanswerable("body of ADMIN_OP is not an AdminCommand: " + e.getMessage());
            }
        }
        if (env.getUid() <= 0 || env.getGateId().isEmpty()) {
            return new Unanswerable("envelope has no authenticated uid (" + env.getUid() + ") or gate id ('"
                    + env.getGateId() + "')");
        }
        int command = env.getCommand();
        if (command == Command.SEND.code()) {
            SendRequestParser.Parsed p = sends.parse(env);
            return p instanceof SendRequestParser.Accepted a ? new Send(a.command())
                    : new Refused(((SendRequestParser.Refused) p).rejection());
        }
        if (command == Command.SYNC.code() || command == Command.PULL.code()) {
            QueryParser.Parsed p = queries.parse(env);
            return p instanceof QueryParser.Accepted a ? new Query(a.query())
                    : new Refused(((QueryParser.Refused) p).rejection());
        }
        if (command == Command.READ.code() || command == Command.RECALL.code() || command == Command.DELETE.code()
                || command == Command.CLEAR.code() || command == Command.REACT.code()
                || command == Command.EDIT.code()) {
            ActionParser.Parsed p = actions.parse(env);
            return p instanceof ActionParser.Accepted a ? new Action(a.command())
                    : new Refused(((ActionParser.Refused) p).rejection());
        }
        if (SignalProcessor.serves(command)) {
            return new Signal(env);
        }
        if (command == Command.GROUP.code()) {
            GroupRequestParser.Parsed p = groups.parse(env);
            return p instanceof GroupRequestParser.Accepted a ? new GroupOp(a.command())
                    : new Refused(((GroupRequestParser.Refused) p).rejection());
        }
        return new Refused(new Rejection(env, ErrorCode.NOT_SUPPORTED, Command.nameOf(command)
                + " is not served by this server; SEND, SYNC, PULL, READ, RECALL, DELETE, CLEAR, REACT, EDIT, TYPING,"
                + " PRESENCE and GROUP are"));
    }
}
