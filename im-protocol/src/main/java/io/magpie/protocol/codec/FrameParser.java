package io.magpie.protocol.codec;

import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;

/**
 * The frame grammar as an explicit state machine over a byte stream, free of any channel so it can
 * be tested byte by byte. {@link #next(ByteBuf)} returns a frame or {@code null} for "need more
 * bytes". The header is validated field by field as soon as each field has arrived, and the body
 * length is checked against the limit before anything is allocated. A violation throws a fatal
 * {@link ProtocolException} and moves the parser to a terminal corrupt state that discards all
 * further input: once framing is lost, nothing after it can be trusted.
 *
 * <p>Not thread-safe: one parser per connection.
 */
public final class FrameParser {

    private enum State { HEADER, BODY, CORRUPT }

    private final int maxBodyBytes;
    private State state = State.HEADER;
    private int command;
    private int requestId;
    private int flags;
    private int bodyLength;

    /** @param maxBodyBytes largest body accepted, in bytes (1 .. 64 MiB) */
    public FrameParser(int maxBodyBytes) {
        if (maxBodyBytes < 1 || maxBodyBytes > (64 << 20)) {
            throw new IllegalArgumentException("maxBodyBytes must be 1..67108864, got " + maxBodyBytes);
        }
        this.maxBodyBytes = maxBodyBytes;
    }

    public int maxBodyBytes() {
        return maxBodyBytes;
    }

    /** True once a violation was seen; every later byte is discarded. */
    public boolean corrupt() {
        return state == State.CORRUPT;
    }

    /** True between a complete header and the end of its body: the stream stopped mid-frame. */
    public boolean midFrame() {
        return state == State.BODY;
    }

    /**
     * Consumes bytes from {@code in} and returns the next complete frame, or {@code null} when more
     * bytes are needed.
     *
     * @throws ProtocolException (always fatal) on bad magic, unknown version or oversized body
     */
    public Frame next(ByteBuf in) {
        switch (state) {
            case CORRUPT:
                in.skipBytes(in.readableBytes());
                return null;
            case HEADER:
                if (!readHeader(in)) {
                    return null;
                }
                state = State.BODY;
                // fall through: the body may already be here
            case BODY:
                if (in.readableBytes() < bodyLength) {
                    return null;
                }
                byte[] body = new byte[bodyLength];
                in.readBytes(body);
                state = State.HEADER;
                return new Frame(command, requestId, flags, body);
            default:
                throw new IllegalStateException("unreachable state " + state);
        }
    }

    private boolean readHeader(ByteBuf in) {
        int start = in.readerIndex();
        int readable = in.readableBytes();
        // Validate what has arrived so far, so a peer speaking another protocol fails at once.
        if (readable >= 2) {
            int magic = in.getUnsignedShort(start);
            if (magic != Frame.MAGIC) {
                throw corruptBy(ErrorCode.BAD_MAGIC, String.format(
                        "frame starts with 0x%04X, expected magic 0x%04X; closing connection", magic, Frame.MAGIC), in);
            }
        }
        if (readable >= 3) {
            int version = in.getUnsignedByte(start + 2);
            if (version != Frame.VERSION) {
                throw corruptBy(ErrorCode.UNSUPPORTED_VERSION, "protocol version " + version
                        + " is not supported, this server speaks version " + Frame.VERSION + "; closing connection", in);
            }
        }
        if (readable < Frame.HEADER_BYTES) {
            return false;
        }
        long length = in.getUnsignedInt(start + 10);
        if (length > maxBodyBytes) {
            throw corruptBy(ErrorCode.FRAME_TOO_LARGE, "frame body length " + length
                    + " exceeds max-frame-bytes " + maxBodyBytes + "; closing connection", in);
        }
        flags = in.getUnsignedByte(start + 3);
        command = in.getUnsignedShort(start + 4);
        requestId = in.getInt(start + 6);
        bodyLength = (int) length;
        in.skipBytes(Frame.HEADER_BYTES);
        return true;
    }

    private ProtocolException corruptBy(ErrorCode code, String message, ByteBuf in) {
        state = State.CORRUPT;
        in.skipBytes(in.readableBytes());
        return new ProtocolException(code, message, true);
    }
}
