package io.magpie.logic.internal;

import io.magpie.das.ConversationRepository;
import io.magpie.das.DeviceToken;
import io.magpie.das.DeviceTokenRepository;
import io.magpie.das.GroupRepository;
import io.magpie.das.ReadPositions;
import io.magpie.idgen.IdGenerator;
import io.magpie.protocol.auth.TokenClaims;
import io.magpie.protocol.proto.ConversationType;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;

/**
 * A user's settings over HTTP: the push token of the calling device (where the notifier sends
 * push notifications while the device is offline) and the mute flag of a conversation (muted
 * conversations are not notified; the change reaches the user's other devices by SYNC, since it
 * raises the row's user-scoped version), its pin (sort first) and hide (out of the list until its next
 * message) flags the same way, and whether the user's read receipts are shared. Storage faults surface as {@link io.magpie.registry.StorageException}.
 * Thread-safe; blocking (JDBC): runs on the HTTP server's threads.
 */
public final class SettingsService {

    public static final Set<String> PROVIDERS = Set.of("webhook", "apns", "fcm");
    public static final int TOKEN_MAX = 512;

    private final DeviceTokenRepository deviceTokens;
    private final ConversationRepository conversations;
    private final GroupRepository groups;
    private final ReadPositions readPositions;
    private final IdGenerator versions;
    private final Clock clock;

    /** @param versions snowflake ids: the user-scoped version a mute change stamps on the row */
    public SettingsService(DeviceTokenRepository deviceTokens, ConversationRepository conversations,
            GroupRepository groups, ReadPositions readPositions, IdGenerator versions, Clock clock) {
        this.deviceTokens = deviceTokens;
        this.conversations = conversations;
        this.groups = groups;
        this.readPositions = readPositions;
        this.versions = versions;
        this.clock = clock;
    }

    /** Registers (or replaces) the push token of the caller's own device. */
    public void registerPushToken(TokenClaims caller, String deviceId, String provider, String token)
            throws ApiException {
        if (!caller.deviceId().equals(deviceId)) {
            throw new ApiException(403, "FORBIDDEN", "a device registers its own push token: this login token is"
                    + " for device '" + caller.deviceId() + "', not '" + JsonBodies.abbreviate(deviceId) + "'");
        }
        if (provider == null || !PROVIDERS.contains(provider)) {
            throw ApiException.badRequest("provider must be one of webhook, apns, fcm, got "
                    + (provider == null ? "none" : "'" + JsonBodies.abbreviate(provider) + "'"));
        }
        if (token == null || token.isBlank() || token.length() > TOKEN_MAX
                || token.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.badRequest("token must be 1-" + TOKEN_MAX + " characters without control characters,"
                    + " got " + (token == null ? "none" : token.length() + " characters"));
        }
        deviceTokens.upsert(new DeviceToken(caller.uid(), deviceId, caller.platform().name(), provider, token,
                clock.millis()));
    }

    /** Mutes or unmutes one of the caller's conversations. */
    public void mute(long caller, String conversationId, Boolean muted) throws ApiException {
        if (muted == null) {
            throw ApiException.badRequest("muted is required: true or false");
        }
        set(caller, conversationId, ConversationRepository.Setting.MUTED, muted ? 1 : 0);
    }

    /** Pins (sort key: now) or unpins one of the caller's conversations. */
    public void pin(long caller, String conversationId, Boolean pinned) throws ApiException {
        if (pinned == null) {
            throw ApiException.badRequest("pinned is required: true or false");
        }
        set(caller, conversationId, ConversationRepository.Setting.PINNED_AT, pinned ? clock.millis() : 0);
    }

    /** Hides one of the caller's conversations from their list (until its next message) or shows it again. */
    public void hide(long caller, String conversationId, Boolean hidden) throws ApiException {
        if (hidden == null) {
            throw ApiException.badRequest("hidden is required: true or false");
        }
        set(caller, conversationId, ConversationRepository.Setting.HIDDEN, hidden ? 1 : 0);
    }

    private void set(long caller, String conversationId, ConversationRepository.Setting setting, long value)
            throws ApiException {
        Optional<ConversationRef> ref = ConversationRef.parse(conversationId);
        if (ref.isEmpty()) {
            throw ApiException.badRequest("conversationId '" + JsonBodies.abbreviate(conversationId)
                    + "' is not s_<uid>_<uid> or g_<group id>");
        }
        if (ref.get() instanceof ConversationRef.Single single) {
            if (!single.hasMember(caller)) {
                throw notMember(caller, conversationId);
            }
            conversations.set(caller, conversationId, ConversationType.SINGLE_VALUE, single.peerOf(caller), setting,
                    value, versions.nextId());
        } else {
            long gid = ((ConversationRef.Group) ref.get()).groupId();
            if (groups.member(gid, caller).isEmpty()) {
                throw notMember(caller, conversationId);
            }
            conversations.set(caller, conversationId, ConversationType.GROUP_VALUE, gid, setting, value,
                    versions.nextId());
        }
    }

    /**
     * Turns the caller's read receipts on or off: off, their reads send no receipt and they see none
     * ({@code peer_read_seq} is cleared on both sides of their one-to-one conversations).
     */
    public void setReadReceipts(long caller, Boolean enabled) throws ApiException {
        if (enabled == null) {
            throw ApiException.badRequest("enabled is required: true or false");
        }
        if (!readPositions.setReceipts(caller, enabled, versions.nextId())) {
            throw new ApiException(404, "NOT_FOUND", "there is no account with uid " + caller);
        }
    }

    private static ApiException notMember(long caller, String conversationId) {
        return new ApiException(403, "FORBIDDEN", "uid " + caller + " is not a member of " + conversationId);
    }
}
