package io.magpie.client.internal;

import io.magpie.client.ConnectionLostException;
import io.magpie.client.ConnectionState;
import io.magpie.client.Credentials;
import io.magpie.client.MagpieErrorException;
import io.magpie.client.MagpieException;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.proto.Kick;
import io.magpie.protocol.proto.LoginAck;
import io.magpie.protocol.proto.LoginRequest;
import io.magpie.protocol.proto.Notice;
import io.magpie.protocol.proto.Push;
import io.magpie.protocol.proto.Reconnect;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection state machine of one client (see {@link ConnectionState}), following
 * docs/PROTOCOL.md §9:
 * <ul>
 *   <li>the first {@link #connect} either logs in or fails; it is not retried;</li>
 *   <li>an unexpected close of a logged-in connection reconnects through the LSB with exponential
 *       backoff and full jitter, until a login succeeds or is refused for good (e.g. INVALID_TOKEN), or
 *       the token has expired by the client's clock. A close the gate announced with an ERROR (e.g.
 *       {@code SLOW_CONSUMER}: the client did not read its output in time) is such a close; the ERROR is
 *       the cause the state listeners get with RECONNECTING, and the login that follows SYNCs and PULLs
 *       what was missed ({@link SessionHooks#onLoggedIn});</li>
 *   <li>a KICK ends the session without reconnecting (DUPLICATE_DEVICE: two copies of a device would
 *       kick each other forever; TOKEN_REVOKED: a new token is needed; ADMIN: the user decides);</li>
 *   <li>a RECONNECT from a draining gate moves the session make-before-break: after its delay plus
 *       jitter a new connection is opened through the LSB, and the old one is closed only once the new
 *       one logged in (a DUPLICATE_DEVICE kick of the old one during the move is expected);</li>
 *   <li>{@link #disconnect}, {@link #logout}, {@link #stopForLogout} and {@link #close} stop everything.</li>
 * </ul>
 *
 * <p>Each attempt has a generation number; the result of an attempt that a stop or a newer attempt
 * superseded is discarded (its connection closed), so a late callback never resurrects a session.
 *
 * <p>What arrives on a session goes to its {@link SessionHooks}: every login (first or again) and
 * every PUSH.
 *
 * <p>Thread-safe: transitions happen under one lock, and state listeners are called under it (so
 * they see states in order); listeners must not block.
 */
public final class ConnectionSupervisor {

    /** Receives a session's logins and pushes (the delivery side of the client). */
    public interface SessionHooks {
        /** {@code connection} logged in and is now the current one (after a connect, reconnect or move). */
        void onLoggedIn(ClientConnection connection);

        /** A PUSH arrived on any of this client's connections; it is acknowledged after this returns. */
        void onPush(Push push);

        /** A NOTICE arrived on any of this client's connections (not acknowledged). */
        default void onNotice(Notice notice) {
        }
    }

    private static final Logger log = LoggerFactory.getLogger(ConnectionSupervisor.class);

    private final GateConnector connector;
    private final ScheduledExecutorService scheduler;
    private final ReconnectBackoff backoff;
    private final Listeners listeners;
    private final SessionHooks hooks;
    private final Clock clock;
    private final boolean autoReconnect;
    private final String deviceId;
    private final String clientVersion;

    private final Object lock = new Object();
    private ConnectionState state = ConnectionState.IDLE;
    private Credentials credentials;
    private long generation;
    private int attempt;
    private volatile ClientConnection current;
    private ClientConnection opening;
    private ScheduledFuture<?> reconnectTask;
    /** A gate asked us to move and the replacement connection is not logged in yet. */
    private boolean moving;
    /** Gets new credentials with the refresh token; null = never refresh. */
    private final TokenRefresher refresher;
    /** The current attempt already refreshed; a second INVALID_TOKEN means the session ended. */
    private boolean refreshedThisAttempt;

    /** Refreshes an access token with the credentials' refresh token ({@code AccountClient::refreshAsync}). */
    @FunctionalInterface
    public interface TokenRefresher {
        CompletableFuture<Credentials> refresh(Credentials credentials);
    }

    /** Refresh this long before the access token expires, so a login never races the expiry. */
    static final Duration REFRESH_MARGIN = Duration.ofSeconds(30);

    public ConnectionSupervisor(GateConnector connector, ScheduledExecutorService scheduler, ReconnectBackoff backoff,
                                Listeners listeners, SessionHooks hooks, Clock clock, boolean autoReconnect,
                                String deviceId, String clientVersion) {
        this(connector, scheduler, backoff, listeners, hooks, clock, autoReconnect, deviceId, clientVersion, null);
    }

    /** @param refresher refreshes expired access tokens before a (re)connect; null = never */
    public ConnectionSupervisor(GateConnector connector, ScheduledExecutorService scheduler, ReconnectBackoff backoff,
                                Listeners listeners, SessionHooks hooks, Clock clock, boolean autoReconnect,
                                String deviceId, String clientVersion, TokenRefresher refresher) {
        this.refresher = refresher;
        this.connector = connector;
        this.scheduler = scheduler;
        this.backoff = backoff;
        this.listeners = listeners;
        this.hooks = hooks;
        this.clock = clock;
        this.autoReconnect = autoReconnect;
        this.deviceId = deviceId;
        this.clientVersion = clientVersion;
    }

    public ConnectionState state() {
        synchronized (lock) {
            return state;
        }
    }

    /** The logged-in connection requests go to, or null when there is none. */
    public ClientConnection current() {
        return current;
    }

    /** Starts a session; the future completes with LOGIN_ACK. A failure here does not start reconnecting. */
    public CompletableFuture<LoginAck> connect(Credentials creds) {
        CompletableFuture<LoginAck> user = new CompletableFuture<>();
        long gen;
        synchronized (lock) {
            switch (state) {
                case CLOSED -> {
                    user.completeExceptionally(new IllegalStateException("the client is closed; create a new one"));
                    return user;
                }
                case CONNECTING, CONNECTED, RECONNECTING -> {
                    user.completeExceptionally(new IllegalStateException("already " + state
                            + " (uid " + credentials.uid() + "); call disconnect() before connecting again"));
                    return user;
                }
                default -> {
                    // IDLE, DISCONNECTED, KICKED: go
                }
            }
            credentials = creds;
            attempt = 0;
            moving = false;
            gen = ++generation;
            setState(ConnectionState.CONNECTING, null);
        }
        startAttempt(gen, user);
        return user;
    }

    /** Closes the connection without reconnecting; {@link #connect} may be called again. */
    public CompletableFuture<Void> disconnect() {
        return stop(ConnectionState.DISCONNECTED);
    }

    /** Tells the gate the user logged out (LOGOUT), then closes without reconnecting. */
    public CompletableFuture<Void> logout() {
        ClientConnection live = stopForLogout();
        return live == null ? CompletableFuture.completedFuture(null) : live.handler().logout();
    }

    /**
     * Stops like {@link #disconnect} (DISCONNECTED, no reconnect; from now on a KICK or close of the session is
     * expected and not reported) but leaves the logged-in connection open and hands it over, so that the caller
     * can send LOGOUT on it ({@code handler().logout()}) once it revoked the session over HTTP.
     *
     * @return the connection that was logged in, or null when there was none (or the client is closed)
     */
    public ClientConnection stopForLogout() {
        return stopAndDetach(ConnectionState.DISCONNECTED);
    }

    /** Ends the session for good. */
    public CompletableFuture<Void> close() {
        return stop(ConnectionState.CLOSED);
    }

    private CompletableFuture<Void> stop(ConnectionState target) {
        ClientConnection live = stopAndDetach(target);
        return live == null ? CompletableFuture.completedFuture(null) : live.closeAsync();
    }

    /** Moves to {@code target} for good and returns the logged-in connection, still open (null if none). */
    private ClientConnection stopAndDetach(ConnectionState target) {
        ClientConnection live;
        ClientConnection half;
        synchronized (lock) {
            if (state == ConnectionState.CLOSED) {
                return null;
            }
            generation++;
            cancelReconnect();
            moving = false;
            live = current;
            half = opening;
            current = null;
            opening = null;
            if (state != ConnectionState.IDLE || target == ConnectionState.CLOSED) {
                setState(target, null);
            }
        }
        if (half != null) {
            half.close();
        }
        return live;
    }

    /** The credentials the client logs in with now (refreshed ones after a refresh). */
    public Credentials credentials() {
        synchronized (lock) {
            return credentials;
        }
    }

    private void startAttempt(long gen, CompletableFuture<LoginAck> user) {
        startAttempt(gen, user, false);
    }

    /** Refreshes first when the access token is (about to be) expired, or when {@code force}d after INVALID_TOKEN. */
    private void startAttempt(long gen, CompletableFuture<LoginAck> user, boolean force) {
        Credentials creds;
        synchronized (lock) {
            creds = credentials;
        }
        if (refresher != null && creds.refreshable(clock) && (force || creds.expiresWithin(clock, REFRESH_MARGIN))) {
            CompletableFuture<Credentials> refreshed;
            try {
                refreshed = refresher.refresh(creds);
            } catch (RuntimeException e) {
                refreshed = CompletableFuture.failedFuture(e);
            }
            refreshed.whenComplete((fresh, err) -> {
                synchronized (lock) {
                    if (gen != generation) {
                        return;
                    }
                    refreshedThisAttempt = true;
                    if (err == null) {
                        credentials = fresh;
                        log.info("{} access token refreshed, valid until {}", who(), fresh.expiresAt());
                    }
                }
                if (err != null) {
                    attemptDone(gen, new AttemptEvents(), null, refreshFailure(Futures.unwrap(err)), user);
                    return;
                }
                listeners.onCredentialsRefreshed(fresh);
                open(gen, user);
            });
            return;
        }
        open(gen, user);
    }

    /** A refresh refused by the server (4xx) ends reconnecting; a network or 5xx failure is retried. */
    private static Throwable refreshFailure(Throwable err) {
        if (err instanceof io.magpie.client.MagpieApiException api && api.status() >= 400 && api.status() < 500
                && api.status() != 429) {
            return new MagpieErrorException(ErrorCode.INVALID_TOKEN, "the token could not be refreshed ("
                    + api.getMessage() + "); log in again and call connect()", false);
        }
        return err;
    }

    private void open(long gen, CompletableFuture<LoginAck> user) {
        LoginRequest login;
        synchronized (lock) {
            login = LoginRequest.newBuilder().setToken(credentials.token()).setClientVersion(clientVersion).build();
        }
        AttemptEvents events = new AttemptEvents();
        CompletableFuture<ClientConnection> opened;
        try {
            opened = connector.open(login, events);
        } catch (RuntimeException e) {
            opened = CompletableFuture.failedFuture(e);
        }
        opened.thenCompose(conn -> {
            events.connection = conn;
            synchronized (lock) {
                if (gen == generation) {
                    opening = conn;
                } else {
                    conn.close();
                }
            }
            return conn.handler().loginFuture().thenApply(ack -> conn);
        }).whenComplete((conn, err) -> attemptDone(gen, events, conn, err == null ? null : Futures.unwrap(err), user));
    }

    private void attemptDone(long gen, AttemptEvents events, ClientConnection conn, Throwable err,
                             CompletableFuture<LoginAck> user) {
        LoginAck ack = conn == null ? null : conn.handler().loginFuture().getNow(null);
        Throwable userFailure = null;
        ClientConnection replaced = null;
        boolean loggedIn = false;
        synchronized (lock) {
            if (gen != generation || state == ConnectionState.CLOSED) {
                if (conn != null) {
                    conn.close();
                }
                userFailure = new ConnectionLostException("connect abandoned: disconnect() or close() was called");
            } else if (err == null) {
                opening = null;
                replaced = current;
                current = conn;
                attempt = 0;
                moving = false;
                refreshedThisAttempt = false;
                log.info("{} connected to gate {} ({})", who(), ack.getGateId(), conn.channel().remoteAddress());
                setState(ConnectionState.CONNECTED, null);
                if (!conn.isActive()) {
                    // It closed before we got here; its onClosed was ignored because it was not current yet.
                    connectionClosed(events, events.closeReason != null ? events.closeReason
                            : new ConnectionLostException(who() + " the connection closed right after LOGIN_ACK"));
                } else {
                    loggedIn = true;
                }
            } else {
                opening = null;
                // Still moving if the old connection lives: a kick of it caused by our next attempt is expected.
                moving = current != null;
                if (invalidToken(err) && !refreshedThisAttempt && refresher != null
                        && credentials.refreshable(clock)) {
                    // revoked or expired access token: one refresh, then the same attempt again
                    log.info("{} login refused ({}); refreshing the token", who(), err.getMessage());
                    long next = gen;
                    scheduler.execute(() -> startAttempt(next, user, true));
                    return;
                }
                refreshedThisAttempt = false;
                if (user != null) {
                    log.info("{} connect failed: {}", who(), err.toString());
                    setState(ConnectionState.DISCONNECTED, asMagpie(err));
                    userFailure = err;
                } else if (retryable(err)) {
                    log.info("{} reconnect attempt {} failed: {}", who(), attempt, err.toString());
                    scheduleReconnect(backoff.delay(attempt++), asMagpie(err));
                } else if (current != null) {
                    // A move was refused; keep the old connection while it lasts.
                    moving = false;
                    log.warn("{} moving to another gate refused: {}", who(), err.toString());
                    listeners.onError(asMagpie(err));
                } else {
                    log.warn("{} reconnect refused, giving up: {}", who(), err.toString());
                    setState(ConnectionState.DISCONNECTED, asMagpie(err));
                    listeners.onError(asMagpie(err));
                }
            }
        }
        if (replaced != null && replaced != conn) {
            replaced.close();
        }
        if (loggedIn) {
            hooks.onLoggedIn(conn);
        }
        if (user != null) {
            if (userFailure == null) {
                user.complete(ack);
            } else {
                user.completeExceptionally(userFailure);
            }
        }
    }

    /**
     * The current connection closed: reconnect, or settle in KICKED / DISCONNECTED. Caller holds the lock.
     *
     * @param reason why it closed: the gate's ERROR before the close (e.g. SLOW_CONSUMER), or the loss
     */
    private void connectionClosed(AttemptEvents events, MagpieException reason) {
        if (events.connection != current) {
            return;
        }
        current = null;
        if (state != ConnectionState.CONNECTED) {
            return;
        }
        if (moving) {
            // The replacement is on its way (and the old gate may well have kicked us for it).
            setState(ConnectionState.RECONNECTING, reason);
            return;
        }
        Kick kick = events.kick;
        if (kick != null) {
            log.info("{} kicked ({}: {}); not reconnecting", who(), kick.getReason(), kick.getMessage());
            setState(ConnectionState.KICKED, null);
            return;
        }
        if (!autoReconnect) {
            log.info("{} connection closed ({}); auto-reconnect is off", who(), reason.getMessage());
            setState(ConnectionState.DISCONNECTED, reason);
            return;
        }
        Duration delay = backoff.delay(attempt++);
        if (reason instanceof MagpieErrorException gate) {
            log.info("{} the gate closed the connection after ERROR {} ({}); reconnecting through the LSB in {} ms,"
                    + " then SYNC and PULL", who(), gate.code(), gate.getMessage(), delay.toMillis());
        } else {
            log.info("{} connection closed; reconnecting through the LSB in {} ms", who(), delay.toMillis());
        }
        scheduleReconnect(delay, reason);
    }

    /** A gate asked to move: open a new connection after its delay, keep this one until then. */
    private void moveRequested(AttemptEvents events, Reconnect reconnect) {
        if (events.connection != current || state != ConnectionState.CONNECTED || moving) {
            return;
        }
        moving = true;
        // Jitter so that a batch of clients told to move together does not arrive together.
        Duration delay = Duration.ofMillis(Math.max(0, reconnect.getDelayMs())).plus(backoff.delay(0));
        log.info("{} gate asks to move ({}); reconnecting through the LSB in {} ms", who(), reconnect.getReason(),
                delay.toMillis());
        scheduleReconnect(delay, null);
    }

    /**
     * Caller holds the lock.
     *
     * @param cause why (re)connecting is needed, for the state listeners; null for a move
     */
    private void scheduleReconnect(Duration delay, MagpieException cause) {
        if (credentials.expired(clock) && (refresher == null || !credentials.refreshable(clock))) {
            moving = false;
            MagpieErrorException expired = new MagpieErrorException(ErrorCode.INVALID_TOKEN, "the login token expired"
                    + " at " + credentials.expiresAt() + "; not reconnecting. Log in again and call connect()", false);
            if (current == null) {
                setState(ConnectionState.DISCONNECTED, expired);
            }
            listeners.onError(expired);
            return;
        }
        if (current == null) {
            setState(ConnectionState.RECONNECTING, cause);
        }
        cancelReconnect();
        long gen = ++generation;
        try {
            reconnectTask = scheduler.schedule(() -> startAttempt(gen, null), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            log.info("{} not reconnecting: the event loop is shutting down", who());
            moving = false;
            if (current == null) {
                setState(ConnectionState.DISCONNECTED, new ConnectionLostException(who() + " not reconnecting: the"
                        + " client's event loop is shutting down", e));
            }
        }
    }

    private void cancelReconnect() {
        if (reconnectTask != null) {
            reconnectTask.cancel(false);
            reconnectTask = null;
        }
    }

    /** Caller holds the lock. {@code cause}: the failure behind the change, null when none. */
    private void setState(ConnectionState next, MagpieException cause) {
        if (state != next) {
            state = next;
            listeners.onConnectionStateChanged(next, cause);
        }
    }

    private String who() {
        return "[uid=" + (credentials == null ? "?" : credentials.uid()) + " device=" + deviceId + "]";
    }

    private static boolean invalidToken(Throwable err) {
        return err instanceof MagpieErrorException me && me.code() == ErrorCode.INVALID_TOKEN;
    }

    private static boolean retryable(Throwable err) {
        return !(err instanceof MagpieException me) || me.retryable();
    }

    private static MagpieException asMagpie(Throwable err) {
        return err instanceof MagpieException me ? me : new ConnectionLostException("connecting failed: " + err, err);
    }

    /** Events of one attempt's connection; most are ignored once it is no longer the current one. */
    private final class AttemptEvents implements ClientHandler.Events {
        volatile ClientConnection connection;
        volatile Kick kick;
        volatile MagpieException closeReason;

        @Override
        public void onPush(Push push) {
            if (state() == ConnectionState.CLOSED) {
                return;
            }
            hooks.onPush(push);
        }

        @Override
        public void onNotice(Notice notice) {
            if (state() == ConnectionState.CLOSED) {
                return;
            }
            hooks.onNotice(notice);
        }

        @Override
        public void onKick(Kick k) {
            kick = k;
            boolean expected;
            synchronized (lock) {
                expected = moving || connection != current;
            }
            if (!expected) {
                listeners.onKicked(k);
            }
        }

        @Override
        public void onReconnectRequested(Reconnect r) {
            synchronized (lock) {
                moveRequested(this, r);
            }
        }

        @Override
        public void onServerError(MagpieErrorException error) {
            listeners.onError(error);
        }

        @Override
        public void onClosed(MagpieException reason) {
            closeReason = reason;
            synchronized (lock) {
                if (connection != null && connection == current) {
                    connectionClosed(this, reason);
                }
            }
        }
    }
}
