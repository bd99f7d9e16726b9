package io.magpie.gate.internal;

import java.util.Objects;

/**
 * One message as PUSH and PUSH_ACK name it: its conversation and its seq there. A client dedupes by
 * this pair, and the wait-ACK table is keyed by it. Immutable.
 */
public record MessageKey(String conversationId, long seq) {

    public MessageKey {
        Objects.requireNonNull(conversationId, "conversationId");
    }
}
