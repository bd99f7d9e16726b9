package io.magpie.protocol;

import java.util.Objects;

/**
 * One protocol frame: the fixed header fields a router needs plus the body bytes, which are a
 * protobuf message chosen by {@link #command()} and are forwarded untouched by gates.
 *
 * <p>Wire layout (big-endian), {@value #HEADER_BYTES} bytes then the body:
 * magic u16 {@code 0x4D47}, version u8, flags u8, command u16, request id u32, body length u32.
 * Immutable; the body array is owned by the frame and must not be modified after construction.
 *
 * @param command   command code, see {@link Command}; unknown codes are kept so they can be refused
 *                  with an ERROR by whoever handles them
 * @param requestId correlates a response with its request; 0 for unsolicited server frames
 * @param flags     reserved bits, 0 in version 1
 * @param body      protobuf body, never null (empty for bodiless commands)
 */
public record Frame(int command, int requestId, int flags, byte[] body) {

    public static final int MAGIC = 0x4D47;
    public static final int VERSION = 1;
    public static final int HEADER_BYTES = 14;
    private static final byte[] EMPTY = new byte[0];

    public Frame {
        if (command < 0 || command > 0xFFFF) {
            throw new IllegalArgumentException("command " + command + " does not fit in u16");
        }
        if (flags < 0 || flags > 0xFF) {
            throw new IllegalArgumentException("flags " + flags + " do not fit in u8");
        }
        body = body == null ? EMPTY : body;
    }

    public Frame(Command command, int requestId, byte[] body) {
        this(command.code(), requestId, 0, body);
    }

    /** The known command, if this frame's code is one. */
    public java.util.Optional<Command> knownCommand() {
        return Command.fromCode(command);
    }

    public boolean is(Command c) {
        return command == c.code();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Frame f && f.command == command && f.requestId == requestId
                && f.flags == flags && java.util.Arrays.equals(f.body, body);
    }

    @Override
    public int hashCode() {
        return Objects.hash(command, requestId, flags, java.util.Arrays.hashCode(body));
    }

    @Override
    public String toString() {
        return "Frame[" + Command.nameOf(command) + ", requestId=" + Integer.toUnsignedString(requestId)
                + ", flags=" + flags + ", body=" + body.length + "B]";
    }
}
