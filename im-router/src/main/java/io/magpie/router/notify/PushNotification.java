package io.magpie.router.notify;

import io.magpie.protocol.LogIdentity;
import java.util.Objects;
import java.util.OptionalInt;
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
 * @param priority       {@link Priority#NORMAL} for a message the user should see now, {@link Priority#SILENT}
 *                       for a background update that shows nothing
 * @param badge          the number the app icon should show (the user's unread total), or empty for "leave
 *                       the badge as it is"
 * @param mentioned      the message mentions the recipient (@ or @all): say so ("mentioned you")
 */
public record PushNotification(long uid, String deviceId, String provider, String token, String conversationId,
        long msgId, long seq, long senderUid, String preview, Priority priority, OptionalInt badge,
        boolean mentioned) {

    /** How urgently the device should be woken, and whether the user sees anything. */
    public enum Priority {
        /** Shown to the user at once (APNs priority 10, FCM android priority HIGH). */
        NORMAL,
        /** Wakes the app in the background, shows nothing (APNs priority 5, FCM android priority NORMAL). */
        SILENT
    }

    public PushNotification {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(conversationId, "conversationId");
        preview = preview == null ? "" : preview;
        priority = priority == null ? Priority.NORMAL : priority;
        badge = badge == null ? OptionalInt.empty() : badge;
    }

    /** A {@link Priority#NORMAL} notification without badge of a message that mentions nobody. */
    public PushNotification(long uid, String deviceId, String provider, String token, String conversationId,
            long msgId, long seq, long senderUid, String preview) {
        this(uid, deviceId, provider, token, conversationId, msgId, seq, senderUid, preview, false);
    }

    /** A {@link Priority#NORMAL} notification without badge. */
    public PushNotification(long uid, String deviceId, String provider, String token, String conversationId,
            long msgId, long seq, long senderUid, String preview, boolean mentioned) {
        this(uid, deviceId, provider, token, conversationId, msgId, seq, senderUid, preview, Priority.NORMAL,
                OptionalInt.empty(), mentioned);
    }

    /** A notification of a message that mentions nobody. */
    public PushNotification(long uid, String deviceId, String provider, String token, String conversationId,
            long msgId, long seq, long senderUid, String preview, Priority priority, OptionalInt badge) {
        this(uid, deviceId, provider, token, conversationId, msgId, seq, senderUid, preview, priority, badge, false);
    }

    /**
     * What a provider uses to replace an undelivered older notification with this one (APNs
     * {@code apns-collapse-id}, FCM {@code android.collapse_key}): the conversation, so a device that was
     * off while ten messages of one chat came in is shown the newest, not ten.
     */
    public String collapseKey() {
        return conversationId;
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
