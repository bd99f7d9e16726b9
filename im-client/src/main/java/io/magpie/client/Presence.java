package io.magpie.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.magpie.client.internal.ApiJson;
import io.magpie.client.internal.ClientConnection;
import io.magpie.client.internal.HttpJsonClient;
import io.magpie.protocol.Command;
import io.magpie.protocol.proto.FriendRequest;
import io.magpie.protocol.proto.FriendRequestState;
import io.magpie.protocol.proto.Notice;
import io.magpie.protocol.proto.NoticeType;
import io.magpie.protocol.proto.PresenceAck;
import io.magpie.protocol.proto.PresenceRequest;
import io.magpie.protocol.proto.PresenceState;
import java.net.URI;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Presence through one {@link MagpieClient} (docs/PROTOCOL.md §9.14); get it with {@link MagpieClient#presence()}.
 * <ul>
 *   <li>{@link #query}: the state of up to 200 users now (PRESENCE / PRESENCE_ACK);</li>
 *   <li>{@link #watch}: the explicit watch list (up to 500 users) whose changes are pushed besides the user's
 *       friends'; the client remembers it and sets it again after every login (a reconnect, or the server's
 *       Redis lost it);</li>
 *   <li>{@link #addListener}: NOTICE_PRESENCE of watched users;</li>
 *   <li>{@link #setStatusText}, {@link #setHidden}, {@link #setting}: the user's own settings over the account
 *       API.</li>
 * </ul>
 * Thread-safe.
 */
public final class Presence {

    private static final Logger log = LoggerFactory.getLogger(Presence.class);
    /** docs/PROTOCOL.md §9.14 defaults of {@code logic.presence.max-query-uids} / {@code max-watch-list}. */
    public static final int MAX_QUERY = 200;
    public static final int MAX_WATCH = 500;
    static final String PATH = "/v1/me/presence";
    private static final String SERVICE = "account API";

    private final Supplier<ClientConnection> connection;
    private final Supplier<Credentials> credentials;
    private final URI accountApi;
    private final HttpJsonClient http;
    private final List<PresenceListener> listeners = new CopyOnWriteArrayList<>();
    private volatile Set<Long> watchList = Set.of();
    private volatile boolean watchSet;

    Presence(ClientConfig config, Supplier<ClientConnection> connection, Supplier<Credentials> credentials) {
        this.connection = Objects.requireNonNull(connection, "connection");
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.accountApi = config.accountApiUrl();
        this.http = new HttpJsonClient(HttpJsonClient.newHttpClient(config), new ApiJson(new ObjectMapper()),
                config.requestTimeout());
    }

    /** The states of {@code uids} (distinct, in the order given) as this user may see them. */
    public CompletableFuture<List<PresenceState>> query(Collection<Long> uids) {
        Set<Long> distinct = new LinkedHashSet<>(uids);
        if (distinct.isEmpty() || distinct.size() > MAX_QUERY) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("query 1-" + MAX_QUERY
                    + " users at a time, got " + distinct.size()));
        }
        return request(PresenceRequest.newBuilder().addAllQueryUids(distinct).build())
                .thenApply(PresenceAck::getStatesList);
    }

    /** As {@link #query(Collection)}. */
    public CompletableFuture<List<PresenceState>> query(long... uids) {
        return query(java.util.Arrays.stream(uids).boxed().toList());
    }

    /**
     * Replaces the explicit watch list (empty clears it) and remembers it for the next logins.
     *
     * @return the list's size as the server stored it
     */
    public CompletableFuture<Integer> watch(Collection<Long> uids) {
        Set<Long> list = Set.copyOf(new LinkedHashSet<>(uids));
        if (list.size() > MAX_WATCH) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("a watch list holds at most "
                    + MAX_WATCH + " users, got " + list.size()));
        }
        watchList = list;
        watchSet = true;
        return sendWatch(list);
    }

    /** The explicit watch list this client sets at every login. */
    public Set<Long> watching() {
        return watchList;
    }

    private CompletableFuture<Integer> sendWatch(Set<Long> list) {
        return request(PresenceRequest.newBuilder().setSetWatch(true).addAllWatchUids(list).build())
                .thenApply(PresenceAck::getWatching);
    }

    private CompletableFuture<PresenceAck> request(PresenceRequest request) {
        ClientConnection c = connection.get();
        if (c == null) {
            return CompletableFuture.failedFuture(new ConnectionLostException("PRESENCE not sent: not connected; "
                    + "try again once CONNECTED"));
        }
        return c.handler().request(Command.PRESENCE, request, Command.PRESENCE_ACK, PresenceAck.parser());
    }

    /** Sets the status text others see ("" clears it; at most 100 code points). */
    public CompletableFuture<PresenceSetting> setStatusText(String text) {
        Objects.requireNonNull(text, "text");
        return put(Map.of("statusText", text));
    }

    /** Hides this user's presence from everyone (they read as offline without last seen), or shows it again. */
    public CompletableFuture<PresenceSetting> setHidden(boolean hidden) {
        return put(Map.of("hidden", hidden));
    }

    /** The user's own settings as stored. */
    public CompletableFuture<PresenceSetting> setting() {
        Credentials c = credentials.get();
        if (c == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("not logged in: call connect() first"));
        }
        return http.get(SERVICE, HttpJsonClient.resolve(accountApi, PATH), c.token(), this::parse);
    }

    private CompletableFuture<PresenceSetting> put(Map<String, Object> body) {
        Credentials c = credentials.get();
        if (c == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("not logged in: call connect() first"));
        }
        return http.put(SERVICE, HttpJsonClient.resolve(accountApi, PATH), c.token(), new LinkedHashMap<>(body),
                this::parse);
    }

    private PresenceSetting parse(String what, int status, String body) {
        try {
            JsonNode node = new ObjectMapper().readTree(body);
            return new PresenceSetting(node.path("statusText").asText(""), node.path("hidden").asBoolean(false),
                    node.path("lastSeen").asLong(0));
        } catch (java.io.IOException e) {
            throw new MagpieApiException(status, "BAD_RESPONSE", what + " answered a body that is not JSON: "
                    + e.getMessage(), e);
        }
    }

    public void addListener(PresenceListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeListener(PresenceListener listener) {
        listeners.remove(listener);
    }

    /**
     * Hook: a NOTICE arrived. Besides NOTICE_PRESENCE, a new friendship (this user's request accepted, or this
     * user accepting on any device) queries the new friend's state once: the server announces nothing for a new
     * friendship, only the friend's next change (docs/PROTOCOL.md §9.14).
     */
    void onNotice(Notice notice) {
        if (notice.getType() == NoticeType.NOTICE_PRESENCE) {
            tell(notice.getPresence());
            return;
        }
        long newFriend = newFriendOf(notice);
        if (newFriend > 0 && !listeners.isEmpty() && connection.get() != null) {
            query(newFriend).whenComplete((states, error) -> {
                if (error != null) {
                    log.debug("presence of new friend uid {} not read: {}", newFriend, error.toString());
                } else {
                    states.forEach(this::tell);
                }
            });
        }
    }

    /** The uid that {@code notice} says became this user's friend, or 0. */
    private long newFriendOf(Notice notice) {
        if (notice.getType() == NoticeType.NOTICE_FRIEND_ACCEPTED) {
            return notice.getUid();
        }
        Credentials me = credentials.get();
        if (notice.getType() == NoticeType.NOTICE_FRIENDS_CHANGED && me != null && notice.hasFriendRequest()
                && notice.getFriendRequest().getState() == FriendRequestState.FRIEND_REQUEST_ACCEPTED) {
            FriendRequest r = notice.getFriendRequest();
            return r.getFromUid() == me.uid() ? r.getToUid() : r.getFromUid();
        }
        return 0;
    }

    private void tell(PresenceState state) {
        for (PresenceListener l : listeners) {
            try {
                l.onPresenceChanged(state);
            } catch (RuntimeException e) {
                log.warn("presence listener {} failed on uid {}", l, state.getUid(), e);
            }
        }
    }

    /** Hook: a connection logged in; sets the watch list again (it lives in Redis with a TTL). */
    void onLoggedIn() {
        if (!watchSet) {
            return;
        }
        sendWatch(watchList).whenComplete((size, error) -> {
            if (error != null) {
                log.warn("could not set the presence watch list again after login ({} users): {}", watchList.size(),
                        error.toString());
            }
        });
    }
}
