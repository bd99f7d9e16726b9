package io.magpie.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.magpie.client.internal.ApiJson;
import io.magpie.client.internal.FriendsJson;
import io.magpie.client.internal.HttpJsonClient;
import io.magpie.protocol.proto.FriendRequest;
import io.magpie.protocol.proto.Notice;
import io.magpie.protocol.proto.NoticeType;
import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Friends, friend requests, the blocklist and the direct message policy of the logged-in user
 * (docs/PROTOCOL.md §9.13), from {@link MagpieClient#friends()}. Calls go to the account API with the client's
 * current credentials and fail with {@link MagpieApiException} (e.g. 403 {@code BLOCKED}, 409
 * {@code ALREADY_FRIENDS}, 404 {@code NOT_FOUND}); {@link IllegalStateException} before {@code connect}.
 *
 * <p>The friend list is kept locally and synced by version: {@link #sync()} fetches the rows changed since the
 * version held (removals included) until the server has no more. The client syncs on its own after each login
 * once the list was synced, and when a friend NOTICE says the list moved past the version held; notices are
 * hints, the version sync is the truth. A SEND refused because of friends or blocks fails with {@link
 * MagpieErrorException} {@code BLOCKED} (2007) or {@code NOT_FRIEND} (2008).
 *
 * <p>Thread-safe; syncs run one after another.
 */
public final class Friends {

    private static final Logger log = LoggerFactory.getLogger(Friends.class);
    private static final String SERVICE = "account API";
    /** Rows asked per friend-list page. */
    private static final int PAGE = 200;

    private final ClientConfig config;
    private final Supplier<Credentials> credentials;
    private final List<FriendListener> listeners = new CopyOnWriteArrayList<>();
    private final FriendsJson json = new FriendsJson(new ObjectMapper());
    private final Map<Long, Boolean> friends = new LinkedHashMap<>();
    private long version;
    private boolean synced;
    private CompletableFuture<Set<Long>> syncChain = CompletableFuture.completedFuture(Set.of());
    private HttpJsonClient http;

    /** @param credentials the client's current credentials, null before its first connect */
    Friends(ClientConfig config, Supplier<Credentials> credentials) {
        this.config = config;
        this.credentials = credentials;
    }

    public void addListener(FriendListener listener) {
        listeners.add(listener);
    }

    public void removeListener(FriendListener listener) {
        listeners.remove(listener);
    }

    /** The friends as of the last sync, ascending; empty before the first {@link #sync()}. */
    public synchronized Set<Long> list() {
        Set<Long> out = new TreeSet<>();
        friends.forEach((uid, current) -> {
            if (current) {
                out.add(uid);
            }
        });
        return Collections.unmodifiableSet(out);
    }

    /** The friend-list version held locally (0 before the first sync). */
    public synchronized long version() {
        return version;
    }

    /**
     * Brings the local list up to the server's: rows changed since {@link #version()}, page by page.
     *
     * @return the friends after the sync
     */
    public CompletableFuture<Set<Long>> sync() {
        synchronized (this) {
            syncChain = syncChain.handle((ignored, previousFailure) -> null).thenCompose(x -> syncFrom());
            return syncChain;
        }
    }

    /** Sends {@code uid} a friend request; an answer with state ACCEPTED means they had asked first. */
    public CompletableFuture<FriendRequestInfo> request(long uid, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("toUid", uid);
        body.put("message", message == null ? "" : message);
        return call(c -> api().post(SERVICE, uri("/v1/friends/requests"), c.token(), body, json::request))
                .thenCompose(this::syncIfAccepted);
    }

    /** The pending requests to and from this user. */
    public CompletableFuture<FriendRequests> requests() {
        return call(c -> api().get(SERVICE, uri("/v1/friends/requests"), c.token(), json::requests));
    }

    /** Accepts request {@code requestId} sent to this user; completes after the local list synced. */
    public CompletableFuture<FriendRequestInfo> accept(long requestId) {
        return call(c -> api().post(SERVICE, uri("/v1/friends/requests/" + requestId + "/accept"), c.token(),
                Map.of(), json::answered)).thenCompose(this::syncIfAccepted);
    }

    /** Rejects request {@code requestId} sent to this user. */
    public CompletableFuture<FriendRequestInfo> reject(long requestId) {
        return call(c -> api().post(SERVICE, uri("/v1/friends/requests/" + requestId + "/reject"), c.token(),
                Map.of(), json::answered));
    }

    /** Withdraws this user's pending request {@code requestId}. */
    public CompletableFuture<FriendRequestInfo> cancel(long requestId) {
        return call(c -> api().delete(SERVICE, uri("/v1/friends/requests/" + requestId), c.token(), json::answered));
    }

    /** Ends the friendship with {@code uid} (both sides); completes after the local list synced. */
    public CompletableFuture<Set<Long>> remove(long uid) {
        return call(c -> api().delete(SERVICE, uri("/v1/friends/" + uid), c.token(), (w, s, b) -> null))
                .thenCompose(x -> sync());
    }

    /** Blocks {@code uid}: their one-to-one SENDs to this user fail with {@code BLOCKED}. */
    public CompletableFuture<Void> block(long uid) {
        return call(c -> api().put(SERVICE, uri("/v1/blocks/" + uid), c.token(), Map.of(), (w, s, b) -> null));
    }

    public CompletableFuture<Void> unblock(long uid) {
        return call(c -> api().delete(SERVICE, uri("/v1/blocks/" + uid), c.token(), (w, s, b) -> null));
    }

    /** The uids this user blocked, most recent first. */
    public CompletableFuture<List<Long>> blocks() {
        return call(c -> api().get(SERVICE, uri("/v1/blocks"), c.token(), json::blocks));
    }

    public CompletableFuture<DmPolicy> dmPolicy() {
        return call(c -> api().get(SERVICE, uri("/v1/me/settings/dm-policy"), c.token(),
                (w, s, b) -> DmPolicy.valueOf(json.policy(w, s, b))));
    }

    /** Who may send this user one-to-one messages; applies to existing conversations too. */
    public CompletableFuture<Void> setDmPolicy(DmPolicy policy) {
        return call(c -> api().put(SERVICE, uri("/v1/me/settings/dm-policy"), c.token(),
                Map.of("policy", policy.name()), (w, s, b) -> null));
    }

    /** A NOTICE arrived: tell the listeners and sync when the list moved past the version held. */
    void onNotice(Notice n) {
        NoticeType type = n.getType();
        if (type.getNumber() < 10 || type.getNumber() > 19) {
            return;
        }
        for (FriendListener l : listeners) {
            safely(l, () -> l.onFriendNotice(n));
            FriendRequestInfo r = n.hasFriendRequest() ? info(n.getFriendRequest()) : null;
            switch (type) {
                case NOTICE_FRIEND_REQUEST -> safely(l, () -> l.onFriendRequest(r));
                case NOTICE_FRIEND_ACCEPTED, NOTICE_FRIEND_REJECTED, NOTICE_FRIEND_REQUEST_CANCELLED ->
                        safely(l, () -> l.onFriendRequestAnswered(r));
                case NOTICE_FRIEND_REMOVED -> safely(l, () -> l.onFriendRemoved(n.getUid()));
                case NOTICE_BLOCKS_CHANGED -> safely(l, l::onBlocksChanged);
                default -> {
                }
            }
        }
        boolean listMoved = n.getFriendsVersion() > version() || (n.getFriendsVersion() == 0
                && (type == NoticeType.NOTICE_FRIEND_ACCEPTED || type == NoticeType.NOTICE_FRIEND_REMOVED));
        if (listMoved) {
            sync().exceptionally(e -> {
                log.warn("[device={}] syncing the friend list after a {} failed; it syncs again at the next notice"
                        + " or login", config.deviceId(), type, e);
                return null;
            });
        }
    }

    /** The client logged in (again): notices may have been missed while offline. */
    void onLoggedIn() {
        boolean wasSynced;
        synchronized (this) {
            wasSynced = synced;
        }
        if (wasSynced) {
            sync().exceptionally(e -> {
                log.warn("[device={}] syncing the friend list after a login failed", config.deviceId(), e);
                return null;
            });
        }
    }

    private CompletableFuture<FriendRequestInfo> syncIfAccepted(FriendRequestInfo r) {
        return r.accepted() ? sync().thenApply(x -> r) : CompletableFuture.completedFuture(r);
    }

    private CompletableFuture<Set<Long>> syncFrom() {
        return call(c -> api().get(SERVICE, uri("/v1/friends?limit=" + PAGE + "&sinceVersion=" + version()),
                c.token(), json::friends)).thenCompose(page -> {
                    boolean changed = apply(page);
                    if (page.hasMore()) {
                        return syncFrom();
                    }
                    Set<Long> now = list();
                    if (changed) {
                        long v = version();
                        listeners.forEach(l -> safely(l, () -> l.onFriendsChanged(now, v)));
                    }
                    return CompletableFuture.completedFuture(now);
                });
    }

    private synchronized boolean apply(FriendsJson.FriendPage page) {
        synced = true;
        boolean changed = false;
        for (FriendsJson.FriendRow row : page.rows()) {
            Boolean before = friends.put(row.uid(), !row.removed());
            changed |= before == null ? !row.removed() : before == row.removed();
        }
        version = Math.max(version, page.version());
        return changed;
    }

    private <T> CompletableFuture<T> call(java.util.function.Function<Credentials, CompletableFuture<T>> call) {
        Credentials c = credentials.get();
        if (c == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("not logged in: call connect() first"));
        }
        return call.apply(c);
    }

    private synchronized HttpJsonClient api() {
        if (http == null) {
            http = new HttpJsonClient(HttpJsonClient.newHttpClient(config), new ApiJson(new ObjectMapper()),
                    config.requestTimeout());
        }
        return http;
    }

    private URI uri(String path) {
        return HttpJsonClient.resolve(config.accountApiUrl(), path);
    }

    private static FriendRequestInfo info(FriendRequest r) {
        String state = switch (r.getState()) {
            case FRIEND_REQUEST_PENDING -> "PENDING";
            case FRIEND_REQUEST_ACCEPTED -> "ACCEPTED";
            case FRIEND_REQUEST_REJECTED -> "REJECTED";
            case FRIEND_REQUEST_CANCELLED -> "CANCELLED";
            default -> "UNKNOWN";
        };
        return new FriendRequestInfo(r.getRequestId(), r.getFromUid(), r.getToUid(), r.getMessage(), state,
                r.getCreatedAt(), r.getUpdatedAt());
    }

    private static void safely(FriendListener l, Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            log.warn("friend listener {} failed", l, e);
        }
    }
}
