package io.magpie.logic.internal;

import io.magpie.das.AccountRepository;
import io.magpie.das.Blocklist;
import io.magpie.das.FriendChange;
import io.magpie.das.FriendRequestRecord;
import io.magpie.das.Friendships;
import io.magpie.das.Friendships.Outcome;
import io.magpie.idgen.IdGenerator;
import io.magpie.protocol.LogIdentity;
import io.magpie.protocol.proto.NoticeType;
import io.magpie.registry.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.List;

/**
 * Friend requests and the friend list over HTTP (docs/PROTOCOL.md §9.13): validates, stores through
 * {@link Friendships}, then notifies both sides ({@link FriendNotices}): the other user gets the
 * specific notice ({@code NOTICE_FRIEND_REQUEST / _ACCEPTED / _REJECTED / _REMOVED / _REQUEST_CANCELLED}),
 * the acting user's devices get {@code NOTICE_FRIENDS_CHANGED} so they re-sync by version. A request
 * to a user who blocked the caller is refused (403 {@code BLOCKED}), one to a user the caller blocked
 * too (409 {@code UNBLOCK_FIRST}). The notices carry the app id of the caller's token ({@code callerApp}, null or
 * "" for none), which chooses the after-send hook's endpoint. Storage faults surface as
 * {@link io.magpie.registry.StorageException}.
 * Thread-safe; blocking (JDBC): runs on the HTTP server's threads.
 */
public final class FriendService {

    private static final Logger log = LoggerFactory.getLogger(FriendService.class);

    private final Friendships friendships;
    private final Blocklist blocks;
    private final AccountRepository accounts;
    private final IdGenerator requestIds;
    private final FriendNotices notices;

    /** @param requestIds new friend request ids (snowflake) */
    public FriendService(Friendships friendships, Blocklist blocks, AccountRepository accounts,
            IdGenerator requestIds, FriendNotices notices) {
        this.friendships = friendships;
        this.blocks = blocks;
        this.accounts = accounts;
        this.requestIds = requestIds;
        this.notices = notices;
    }

    /** A page of the friend list since a version. */
    public record FriendPage(List<FriendChange> changes, long version, boolean hasMore) {
    }

    /**
     * {@code caller} asks {@code to} to be friends.
     *
     * @return the request: PENDING (new, or the caller's earlier one with the new message) or ACCEPTED
     *         (the other user had asked the caller first: they are friends now)
     */
    public Outcome request(long caller, String callerApp, Long to, String message) throws ApiException {
        if (to == null || to <= 0) {
            throw ApiException.badRequest("toUid is required: the uid of the user to ask, a positive integer");
        }
        if (to == caller) {
            throw ApiException.badRequest("you cannot send a friend request to yourself (uid " + caller + ")");
        }
        String text = message == null ? "" : message;
        int codePoints = text.codePointCount(0, text.length());
        if (codePoints > Friendships.MAX_MESSAGE_CODE_POINTS) {
            throw ApiException.badRequest("message is " + codePoints + " characters, more than "
                    + Friendships.MAX_MESSAGE_CODE_POINTS + "; shorten it");
        }
        if (text.codePoints().anyMatch(cp -> Character.isISOControl(cp) && cp != '\n')) {
            throw ApiException.badRequest("message must not contain control characters other than line feeds");
        }
        if (accounts.findById(to).isEmpty()) {
            throw new ApiException(404, "NOT_FOUND", "there is no account with uid " + to);
        }
        if (blocks.blocked(caller, to)) {
            throw new ApiException(409, "UNBLOCK_FIRST", "you blocked uid " + to
                    + "; unblock them (DELETE /v1/blocks/" + to + ") before sending a friend request");
        }
        if (blocks.blocked(to, caller)) {
            throw new ApiException(403, "BLOCKED", "uid " + to + " blocked you; the friend request was not sent");
        }
        Outcome o = requestOnce(caller, to, text, 3);
        switch (o.status()) {
            case ALREADY_FRIENDS -> throw new ApiException(409, "ALREADY_FRIENDS", "uid " + to
                    + " is your friend already; nothing was sent");
            case CREATED, REFRESHED -> {
                notices.send(to, NoticeType.NOTICE_FRIEND_REQUEST, caller, callerApp, o.request(), 0);
                notices.send(caller, NoticeType.NOTICE_FRIENDS_CHANGED, caller, callerApp, o.request(), 0);
            }
            case ACCEPTED_THEIRS -> accepted(caller, callerApp, o);
            default -> throw new IllegalStateException("unexpected outcome of a friend request: " + o.status());
        }
        return o;
    }

    /**
     * One transaction; tried again (up to {@code attempts} in all) when MySQL rolled it back for a retryable
     * reason: two first requests of one pair crossing each other can deadlock, and the retry sees the other's.
     */
    private Outcome requestOnce(long caller, long to, String text, int attempts) {
        for (int attempt = 1; ; attempt++) {
            try {
                return friendships.request(requestIds.nextId(), caller, to, text);
            } catch (StorageException e) {
                if (!e.retryable() || attempt >= attempts) {
                    throw e;
                }
                LogIdentity.user(log.atInfo(), caller)
                        .log("[uid {}] friend request to uid {} rolled back ({}); trying again, attempt {} of {}",
                        caller, to, e.getMessage(), attempt + 1, attempts);
            }
        }
    }

    /** The recipient {@code caller} accepts or rejects request {@code requestId}. */
    public Outcome answer(long caller, String callerApp, long requestId, boolean accept) throws ApiException {
        Outcome o = friendships.answer(requestId, caller, accept);
        switch (o.status()) {
            case NOT_FOUND -> throw noRequest(requestId, "sent to you");
            case NOT_PENDING -> throw notPending(o.request());
            case DONE -> {
                if (accept) {
                    accepted(caller, callerApp, o);
                } else {
                    FriendRequestRecord r = o.request();
                    notices.send(r.fromUid(), NoticeType.NOTICE_FRIEND_REJECTED, caller, callerApp, r, 0);
                    notices.send(caller, NoticeType.NOTICE_FRIENDS_CHANGED, caller, callerApp, r, 0);
                }
            }
            default -> throw new IllegalStateException("unexpected outcome of an answer: " + o.status());
        }
        return o;
    }

    /** The sender {@code caller} withdraws their pending request {@code requestId}. */
    public Outcome cancel(long caller, String callerApp, long requestId) throws ApiException {
        Outcome o = friendships.cancel(requestId, caller);
        switch (o.status()) {
            case NOT_FOUND -> throw noRequest(requestId, "sent by you");
            case NOT_PENDING -> throw notPending(o.request());
            case DONE -> {
                notices.send(o.request().toUid(), NoticeType.NOTICE_FRIEND_REQUEST_CANCELLED, caller, callerApp,
                        o.request(), 0);
                notices.send(caller, NoticeType.NOTICE_FRIENDS_CHANGED, caller, callerApp, o.request(), 0);
            }
            default -> throw new IllegalStateException("unexpected outcome of a cancel: " + o.status());
        }
        return o;
    }

    /** {@code caller} ends the friendship with {@code friend}; returns the caller's new friend-list version. */
    public long remove(long caller, String callerApp, long friend) throws ApiException {
        Outcome o = friendships.remove(caller, friend);
        if (o.status() == Friendships.Status.NOT_FRIENDS) {
            throw new ApiException(404, "NOT_FRIEND", "uid " + friend + " is not your friend; nothing was removed");
        }
        notices.send(friend, NoticeType.NOTICE_FRIEND_REMOVED, caller, callerApp, null, o.toVersion());
        notices.send(caller, NoticeType.NOTICE_FRIENDS_CHANGED, caller, callerApp, null, o.fromVersion());
        return o.fromVersion();
    }

    /** Rows of the caller's friend list changed after {@code sinceVersion} (removals included). */
    public FriendPage changes(long caller, long sinceVersion, int limit) {
        List<FriendChange> rows = friendships.changesSince(caller, sinceVersion, limit + 1);
        boolean more = rows.size() > limit;
        List<FriendChange> page = more ? rows.subList(0, limit) : rows;
        long version = page.isEmpty() ? sinceVersion : page.get(page.size() - 1).version();
        return new FriendPage(List.copyOf(page), version, more);
    }

    /** The caller's pending requests, incoming and outgoing, newest first. */
    public List<FriendRequestRecord> pending(long caller) {
        return friendships.pending(caller);
    }

    /** Both sides learn of an accepted request (by its recipient, or by a crossing request). */
    private void accepted(long caller, String callerApp, Outcome o) {
        FriendRequestRecord r = o.request();
        long other = r.peerOf(caller);
        long otherVersion = other == r.fromUid() ? o.fromVersion() : o.toVersion();
        long callerVersion = other == r.fromUid() ? o.toVersion() : o.fromVersion();
        notices.send(other, NoticeType.NOTICE_FRIEND_ACCEPTED, caller, callerApp, r, otherVersion);
        notices.send(caller, NoticeType.NOTICE_FRIENDS_CHANGED, caller, callerApp, r, callerVersion);
    }

    private static ApiException noRequest(long requestId, String whose) {
        return new ApiException(404, "NOT_FOUND", "there is no friend request " + requestId + " " + whose);
    }

    private static ApiException notPending(FriendRequestRecord r) {
        return new ApiException(409, "NOT_PENDING", "friend request " + r.requestId() + " is "
                + r.state() + " already; nothing changed");
    }
}
