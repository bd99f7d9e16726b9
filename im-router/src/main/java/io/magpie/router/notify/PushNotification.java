package io.magpie.router.notify;

import io.magpie.protocol.LogIdentity;
import java.util.Objects;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * One push notification for one device of an offline user: what a {@link PushNotifier} delivers.
 * Built by the notifier worker from an {@code OfflineTask} and a registered push token. Immutable.
 *
 * @param uid            the recipient
 * @param deviceId       the recipient's device the token belongs to
 * @param provider       the provider the token was registered for (lower case)
 * @param token          the provider's address of the device
 * @param conversationId the conversation of the message
 * @param msgId          the message id
 * @param seq            the message's seq in its conversation
 * @param senderUid      who sent the message
 * @param preview        short text to show (may be empty)
 * @param mentioned      the message mentions the recipient (@ or @all): say so ("mentioned you")
 */
public record PushNotification(long uid, String deviceId, String provider, String token, String conversationId,
        long msgId, long seq, long senderUid, String preview, boolean mentioned) {

    /** A notification of a message that mentions nobody. */
    public PushNotification(long uid, String deviceId, String provider, String token, String conversationId,
            long msgId, long seq, long senderUid, String preview) {
        this(uid, deviceId, provider, token, conversationId, msgId, seq, senderUid, preview, false);
    }

    public PushNotification {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(conversationId, "conversationId");
        preview = preview == null ? "" : preview;
    }

    /** Log prefix naming the recipient and the message. */
    public String who() {
        return "[uid=" + uid + " device=" + deviceId + " conv=" + conversationId + " seq=" + seq + "]";
    }

    /** {@code event} with the recipient and the conversation as the JSON log's identity fields. */
    public LoggingEventBuilder identify(LoggingEventBuilder event) {
        return LogIdentity.sender(event, uid, deviceId, conversationId);
    }
}
