package io.magpie.gate.internal;

import io.magpie.protocol.LogIdentity;
import io.magpie.registry.Route;
import io.magpie.registry.RouteTable;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the shared route table in step with this gate's {@link SessionTable}: a session's route is
 * registered when it logs in and released exactly once when it ends (whoever removes the session
 * from the table releases its route). Thread-safe.
 */
public final class SessionRoutes {

    private static final Logger log = LoggerFactory.getLogger(SessionRoutes.class);

    private final SessionTable sessions;
    private final RouteTable routes;
    private final Clock clock;
    private final PresenceEvents presence;

    /** Without presence events (tests of the route logic alone). */
    public SessionRoutes(SessionTable sessions, RouteTable routes, Clock clock) {
        this(sessions, routes, clock, null);
    }

    /** @param presence told of every session that logged in or ended; null = nobody */
    public SessionRoutes(SessionTable sessions, RouteTable routes, Clock clock, PresenceEvents presence) {
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.routes = Objects.requireNonNull(routes, "routes");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.presence = presence;
    }

    /** The session completed its login (route registered, in the table): announces it to presence. */
    public void loggedIn(Session session) {
        if (presence != null) {
            presence.online(session);
        }
    }

    public SessionTable sessions() {
        return sessions;
    }

    /** Registers the session's route; completes with the route it replaced for that uid + device. */
    public CompletableFuture<Optional<Route>> register(Session session) {
        return routes.register(session.route());
    }

    /** Every route of {@code uid} in the shared table, this gate's and other gates'. */
    public CompletableFuture<List<Route>> routesOf(long uid) {
        return routes.lookup(List.of(uid)).thenApply(byUid -> byUid.getOrDefault(uid, List.of()));
    }

    /**
     * Writes back a route that a re-registration overwrote although it was the newer one (or although
     * its own session had ended meanwhile). A failure is logged: that device is then unroutable until
     * its gate's next refresh.
     */
    public CompletableFuture<Void> restore(Route route) {
        return routes.register(route).handle((replaced, error) -> {
            if (error != null) {
                LogIdentity.device(log.atWarn(), route.gateId(), route.uid(), route.deviceId())
                        .log("[uid={} device={}] could not write back the route of gate={} conn={}; that gate "
                        + "registers it again on its next refresh", route.uid(), route.deviceId(), route.gateId(),
                        route.connectionId(), error);
            }
            return null;
        });
    }

    /**
     * Ends a session: removes it from the table and, if it was still there, unregisters its route
     * (only if the route table still points at this connection). Safe to call more than once.
     */
    public CompletableFuture<Void> release(Session session) {
        if (!sessions.remove(session)) {
            return CompletableFuture.completedFuture(null);
        }
        session.identify(log.atInfo())
                .log("{} session ended after {} ms", session.logPrefix(), clock.millis() - session.loginAtMillis());
        CompletableFuture<Void> unregistered = unregister(session);
        if (presence != null) {
            unregistered.thenRun(() -> presence.offline(session));
        }
        return unregistered;
    }

    /**
     * Unregisters the route of a session that never made it into the table (its connection closed,
     * or a newer login superseded it, while its registration was in flight).
     */
    public CompletableFuture<Void> unregister(Session session) {
        return routes.unregister(session.route()).handle((removed, error) -> {
            if (error != null) {
                // The stale route stays until this device logs in again; pushes to it are counted
                // as missing by this gate, so nothing is lost, only retried.
                session.identify(log.atWarn())
                        .log("{} could not unregister the route; it stays until the device logs in again",
                        session.logPrefix(), error);
            }
            return null;
        });
    }
}
