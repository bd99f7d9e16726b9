package io.magpie.das;

import java.util.Objects;

/**
 * (sender uid, client message id): unique per message; a resent SEND carries the same key and
 * gets the original message back.
 */
public record SenderClientKey(long senderUid, String clientMsgId) {

    public SenderClientKey {
        Objects.requireNonNull(clientMsgId, "clientMsgId");
    }
}
