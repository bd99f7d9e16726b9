package io.magpie.protocol;

import java.util.Optional;

/**
 * Codes carried in ERROR frames (and in the HTTP APIs' JSON errors). The numeric codes are part of
 * the wire contract; {@link #retryable()} tells a client whether sending the same request again
 * can succeed.
 */
public enum ErrorCode {
    /** The frame did not start with the magic bytes; the connection is closed. */
    BAD_MAGIC(1001, false),
    /** The header's version is not one this server speaks; the connection is closed. */
    UNSUPPORTED_VERSION(1002, false),
    /** The body length exceeds the server's maximum frame size; the connection is closed. */
    FRAME_TOO_LARGE(1003, false),
    /** The command code is not known to this server; the connection stays open. */
    UNKNOWN_COMMAND(1004, false),
    /** The body is not a valid protobuf message for the command, or a field is out of range. */
    BAD_REQUEST(1005, false),
    /** A command that is not allowed in the connection's state (anything before LOGIN, LOGIN twice). */
    WRONG_STATE(1006, false),
    /** The command is known but this server does not serve it yet. */
    NOT_SUPPORTED(1007, false),
    /** The login token is missing, malformed, forged or expired; the connection is closed. */
    INVALID_TOKEN(2001, false),
    /** No LOGIN arrived within the login deadline; the connection is closed. */
    LOGIN_TIMEOUT(2002, false),
    /** The sender may not write to this conversation (not a member, blocked, muted). */
    FORBIDDEN(2003, false),
    /** The target user or group does not exist. */
    NOT_FOUND(2004, false),
    /**
     * The sender already used this client message id for a message of another conversation (or of
     * the other conversation type); nothing was sent: use a fresh id for a new message.
     */
    CLIENT_MSG_ID_REUSED(2005, false),
    /** RECALL of a message older than the recall window by someone who is not a group owner or admin. */
    RECALL_WINDOW_PASSED(2006, false),
    /** SEND to a user who blocked the sender; nothing was stored or pushed (docs/PROTOCOL.md §9.13). */
    BLOCKED(2007, false),
    /**
     * SEND to a user who accepts one-to-one messages from friends only, by a sender who is not their
     * friend; nothing was stored or pushed: send a friend request first (docs/PROTOCOL.md §9.13).
     */
    NOT_FRIEND(2008, false),
    /** The group change needs an admin or the owner (kick, mute, approve, profile, settings; invite per setting). */
    NOT_ADMIN(2010, false),
    /** The group change needs the owner (roles, transfer, dismiss, kicking or muting an admin). */
    NOT_OWNER(2011, false),
    /** An admin muted the sender in this group until a time (the message says when). */
    MEMBER_MUTED(2012, false),
    /** The group is muted: only admins and the owner may send. */
    GROUP_MUTED(2013, false),
    /** The group would pass its member cap; nobody was added. */
    GROUP_FULL(2014, false),
    /** A user to add blocked the one adding them; nobody was added. */
    BLOCKED_BY_USER(2015, false),
    /** The group takes no join requests (join policy closed), or there is no such request to approve. */
    JOIN_NOT_ALLOWED(2016, false),
    /** The owner may not leave: transfer the ownership first, or dismiss the group. */
    OWNER_CANNOT_LEAVE(2017, false),
    /**
     * LOGIN on a gate that serves other apps than the token's (or a token without an app id on a gate that
     * serves specific apps); the connection is closed. Ask the LSB for a gate with the token's app id.
     */
    APP_NOT_SERVED(2018, false),
    /**
     * An operator muted the sender everywhere (admin API), until a time or until lifted (the message says
     * which); nothing was stored or pushed.
     */
    MUTED(2019, false),
    /** The message contains a word on the operator's sensitive-word list (filter action reject); nothing was sent. */
    CONTENT_REJECTED(2020, false),
    /**
     * The operator's before-send hook refused the message (the message carries the hook's code and reason);
     * nothing was stored or pushed.
     */
    HOOK_REJECTED(2021, false),
    /** A SEND with mention_all by a group member who is neither an admin nor the owner; nothing was sent. */
    MENTION_ALL_NOT_ALLOWED(2030, false),
    /** A REACT with a new emoji on a message that carries the most distinct emoji allowed; nothing changed. */
    REACTION_LIMIT(2031, false),
    /** An EDIT of your message later than the edit window after it was sent; nothing changed. */
    EDIT_WINDOW_PASSED(2032, false),
    /**
     * A SEND with mention_all over its group's hourly @all budget (each @all costs the group's member count);
     * nothing was sent. Not resent by the SDKs: {@code retry_after_ms} says when the group's hour renews.
     */
    MENTION_ALL_LIMITED(2033, false),
    /** The client sends faster than its allowance; slow down and resend. */
    RATE_LIMITED(3001, true),
    /** The server could not accept the request now (bus or storage unavailable); resend later. */
    SERVER_BUSY(3002, true),
    /** An unexpected server fault; the request may be resent with the same client message id. */
    INTERNAL(3003, true),
    /**
     * The client did not read what the server sent fast enough (its output passed the gate's limit or
     * stayed blocked too long); the connection is closed. Reconnect, then SYNC and PULL: storage has
     * every message.
     */
    SLOW_CONSUMER(3004, true);

    private final int code;
    private final boolean retryable;

    ErrorCode(int code, boolean retryable) {
        this.code = code;
        this.retryable = retryable;
    }

    public int code() {
        return code;
    }

    public boolean retryable() {
        return retryable;
    }

    public static Optional<ErrorCode> fromCode(int code) {
        for (ErrorCode c : values()) {
            if (c.code == code) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
