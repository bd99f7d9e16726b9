package io.magpie.protocol;

import java.util.Optional;

/**
 * Frame commands and their u16 codes. Codes are part of the wire contract (docs/PROTOCOL.md) and
 * never change meaning; codes from 4096 up are internal (router to gate) and refused from clients.
 */
public enum Command {
    LOGIN(1),
    LOGIN_ACK(2),
    PING(3),
    PONG(4),
    SEND(5),
    SEND_ACK(6),
    PUSH(7),
    PUSH_ACK(8),
    SYNC(9),
    SYNC_ACK(10),
    PULL(11),
    PULL_ACK(12),
    READ(13),
    READ_ACK(14),
    RECALL(15),
    RECALL_ACK(16),
    DELETE(17),
    DELETE_ACK(18),
    CLEAR(19),
    CLEAR_ACK(20),
    KICK(21),
    RECONNECT(22),
    ERROR(23),
    LOGOUT(24),
    NOTICE(25),
    TYPING(26),
    GROUP(27),
    GROUP_ACK(28),
    PRESENCE(29),
    PRESENCE_ACK(30),
    REACT(31),
    REACT_ACK(32),
    EDIT(33),
    EDIT_ACK(34),
    GATE_PUSH(4097),
    GATE_PUSH_ACK(4098),
    LINK_HELLO(4099),
    LINK_CHALLENGE(4100),
    LINK_PROOF(4101),
    LINK_READY(4102),
    /** Gate -> logic on {@code upstream}: a session of the envelope's uid started or ended (presence). */
    PRESENCE_EVENT(4103),
    /** Logic's admin API -> the conversation's writer on {@code upstream}: an operator's write (AdminCommand). */
    ADMIN_OP(4104);

    private static final Command[] BY_CODE = new Command[4105];

    static {
        for (Command c : values()) {
            BY_CODE[c.code] = c;
        }
    }

    private final int code;

    Command(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** True for router-to-gate commands that a client may never send or receive. */
    public boolean internal() {
        return code >= 4096;
    }

    public static Optional<Command> fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? Optional.ofNullable(BY_CODE[code]) : Optional.empty();
    }

    /** The command's name, or {@code UNKNOWN(code)} for codes this version does not know. */
    public static String nameOf(int code) {
        return fromCode(code).map(Enum::name).orElse("UNKNOWN(" + code + ")");
    }
}
