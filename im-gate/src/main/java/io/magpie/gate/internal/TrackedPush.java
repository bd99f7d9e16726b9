package io.magpie.gate.internal;

import io.magpie.protocol.Frame;
import java.util.List;
import java.util.Objects;

/**
 * A PUSH frame on its way to a client connection together with the messages it carries, parsed once
 * on the internal push path and shared by every connection it goes to. Written to a client channel
 * instead of the bare frame; the session stage's {@link PushAcks} part writes the frame on
 * and remembers it in the connection's {@link WaitAckTable}. Immutable; the frame must not change.
 *
 * @param frame the PUSH frame exactly as it is written (and resent)
 * @param keys  (conversation, seq) of each message in it, in order; not empty
 */
public record TrackedPush(Frame frame, List<MessageKey> keys) {

    public TrackedPush {
        Objects.requireNonNull(frame, "frame");
        keys = List.copyOf(keys);
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("a tracked PUSH names at least one message");
        }
    }
}
