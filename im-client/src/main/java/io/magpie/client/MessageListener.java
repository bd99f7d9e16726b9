package io.magpie.client;

import io.magpie.protocol.proto.Kick;
import io.magpie.protocol.proto.Message;
import java.util.List;

/**
 * Receives what the server sends a {@link MagpieClient}. Every method has an empty default, so
 * implement only what you need.
 *
 * <p>Threading: callbacks run on the client's Netty event loop (state changes may also run on the
 * thread that caused them). They must return quickly and never block: hand work to your own executor.
 * A PUSH is acknowledged to the server once its messages were delivered (after {@link #onMessage} returned)
 * or held back behind a gap being pulled; an exception thrown by a listener is logged and does not cause a
 * redelivery.
 */
public interface MessageListener {

    /**
     * A message delivered to this device: each (conversation, seq) once per client state, in seq order per
     * conversation (a recall/delete update of a delivered seq comes again, with its new status). Messages
     * this device sent are not delivered back.
     */
    default void onMessage(Message message) {
    }

    /**
     * The server ended this session (reason DUPLICATE_DEVICE: this device logged in elsewhere; TOKEN_REVOKED:
     * log in again; ADMIN). The client does not reconnect on its own; call {@code connect} when appropriate.
     */
    default void onKicked(Kick kick) {
    }

    /** The client moved to {@code state}; {@link #onConnectionStateChanged(ConnectionState, MagpieException)} says why. */
    default void onConnectionStateChanged(ConnectionState state) {
    }

    /**
     * The client moved to {@code state}, with the failure that caused it. The default calls
     * {@link #onConnectionStateChanged(ConnectionState)}: override one of the two.
     *
     * @param cause null when nothing failed (connect, login, disconnect, logout, close); otherwise why the
     *              client left {@link ConnectionState#CONNECTED} or stopped trying. {@code RECONNECTING}: the
     *              gate's ERROR that preceded its close (a {@link MagpieErrorException}, e.g. {@code
     *              SLOW_CONSUMER}: this device did not read fast enough; the client reconnects through the LSB
     *              and then SYNCs and PULLs what it missed, nothing is lost) or a {@link ConnectionLostException}
     *              for a plain drop. {@code DISCONNECTED}: the failure of the first connect, or the refusal that
     *              ended reconnecting (e.g. {@code INVALID_TOKEN}). {@code KICKED}: see {@link #onKicked}
     */
    default void onConnectionStateChanged(ConnectionState state, MagpieException cause) {
        onConnectionStateChanged(state);
    }

    /**
     * A failure not tied to a request future: an ERROR frame the server sent unsolicited, or the reason
     * reconnecting stopped (e.g. the token expired: log in again and call {@code connect}).
     */
    default void onError(MagpieException error) {
    }

    /**
     * The client refreshed its access token on its own (before a reconnect): {@code credentials} hold the
     * new refresh token. Store it in place of the old one if you keep credentials across restarts; the
     * old one is spent, and presenting it again ends this device's session.
     */
    default void onCredentialsRefreshed(Credentials credentials) {
    }

    /**
     * Another device of this user read {@code conversationId} up to and including {@code readSeq} ({@code
     * NOTICE_READ}); {@link #onUnreadChanged} follows when the count moved. Not called for this device's own
     * {@link MagpieClient#markRead}.
     */
    default void onRead(String conversationId, long readSeq) {
    }

    /**
     * A read receipt ({@code NOTICE_PEER_READ}): in the one-to-one {@code conversationId}, {@code peerUid} has
     * read up to and including {@code readSeq}. Not sent while either side hides read receipts.
     */
    default void onPeerRead(String conversationId, long peerUid, long readSeq) {
    }

    /**
     * A message was recalled by another device or user ({@code NOTICE_RECALLED}; after a reconnect, a recall this
     * device missed while offline, found by the catch-up PULL or a SYNC showing the newest held message as a
     * placeholder; or a placeholder that replaces a message delivered before): replace what the app shows for it.
     * A NOTICE may also name a message this device has not received yet; that one arrives later through {@link
     * #onMessage} as its placeholder. Reported once per (conversation, seq). Not called for this device's own
     * {@link MagpieClient#recall}.
     */
    default void onRecalled(RecalledMessage recalled) {
    }

    /**
     * A message changed after it was delivered: someone reacted to it or took a reaction back ({@code
     * NOTICE_REACTED}), or its sender edited it ({@code NOTICE_EDITED}; {@code edited_at} > 0), on another device or
     * by another user; after a reconnect, a change this device missed, found by the catch-up PULL. {@code message}
     * is the whole message as it now is (content, {@code reactions}, {@code version}): replace what the app holds
     * for its (conversation, seq). Not called for this device's own {@link MagpieClient#react} or
     * {@link MagpieClient#edit}, whose acks carry the result (docs/PROTOCOL.md §9.21, §9.22).
     */
    default void onChanged(Message message) {
    }

    /**
     * This user deleted messages for themselves on another device ({@code NOTICE_DELETED}), or did so while this
     * device was offline (found by the catch-up PULL after a reconnect): remove {@code seqs} from what the app
     * shows (they come back from PULL and history as placeholders with status DELETED). Each (conversation, seq)
     * is reported once; only seqs this device holds are reported after a reconnect (later ones arrive as their
     * placeholder through {@link #onMessage}). Not called for this device's own {@link MagpieClient#deleteForMe}.
     *
     * @param seqs ascending, at least one
     */
    default void onDeleted(String conversationId, List<Long> seqs) {
    }

    /**
     * This user cleared the history of {@code conversationId} up to and including {@code clearedSeq} on another
     * device ({@code NOTICE_CLEARED}), or while this device was offline (a SYNC row's {@code cleared_seq} rose
     * above what this device holds): remove those messages from what the app shows. Not called for this device's
     * own {@link MagpieClient#clearHistory}.
     */
    default void onCleared(String conversationId, long clearedSeq) {
    }

    /**
     * The unread count of {@code conversationId}, or the total over all conversations (muted ones excluded),
     * changed: after a SYNC, a message of someone else, a read on any device, a recall. {@code conversationId}
     * is null (and {@code unreadCount} 0) when only the total changed.
     */
    default void onUnreadChanged(String conversationId, long unreadCount, long totalUnread) {
    }

    /**
     * An operator's broadcast to every online user (NOTICE_SYSTEM_BROADCAST, docs/PROTOCOL.md §9.18): show
     * {@code notice}'s title and text as coming from the service. Never stored: it is not in SYNC or PULL.
     * SYSTEM messages to you or your groups arrive as messages ({@link #onMessage}) with content.system_notice.
     */
    default void onSystemBroadcast(io.magpie.protocol.proto.SystemNotice notice) {
    }
}
