package io.magpie.logic.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.magpie.das.Account;
import io.magpie.das.AccountRepository;
import io.magpie.das.DeviceSession;
import io.magpie.das.DeviceSessionRepository;
import io.magpie.das.UserRestrictions;
import io.magpie.das.UserRestrictions.Kind;
import io.magpie.das.UserRestrictions.Restriction;
import io.magpie.protocol.proto.Platform;
import io.magpie.registry.Route;
import io.magpie.registry.RouteTable;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What an operator sees of one user ({@code GET /v1/admin/users/...}): the profile, the ban and mute in force,
 * and every device that has a session (MySQL) or a live connection (its route in Redis), with the gate and
 * connection it is on. Thread-safe; blocking (JDBC, Redis waits).
 */
public final class UserInspector {

    private static final long REDIS_WAIT_MS = 5_000;

    /** A restriction in force: until (0 = until lifted), reason ("" for none), since. */
    public record RestrictionView(long until, String reason, long since) {
        static RestrictionView of(Restriction r) {
            return new RestrictionView(r.untilMillis(), r.reason(), r.sinceMillis());
        }
    }

    /**
     * One device. {@code session} = it has a current session (its tokens work); {@code online} = it has a live
     * connection, on {@code gateId} as {@code connectionId}. Absent fields are not sent.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DeviceView(String deviceId, String platform, String appId, boolean session, Long loggedInAt,
            Long refreshedAt, boolean online, String gateId, Long connectionId, Long connectedAt) {
    }

    /** The user; {@code banned} / {@code muted} are absent when none is in force. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record UserView(long uid, String username, String nickname, long createdAt, RestrictionView banned,
            RestrictionView muted, List<DeviceView> devices) {
    }

    private final AccountRepository accounts;
    private final UserRestrictions restrictions;
    private final DeviceSessionRepository sessions;
    private final RouteTable routes;
    private final Clock clock;

    /** @param routes the gates' routes; null = the role runs without Redis, no device is shown online */
    public UserInspector(AccountRepository accounts, UserRestrictions restrictions, DeviceSessionRepository sessions,
            RouteTable routes, Clock clock) {
        this.accounts = Objects.requireNonNull(accounts, "accounts");
        this.restrictions = Objects.requireNonNull(restrictions, "restrictions");
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.routes = routes;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public UserView byUid(long uid) throws ApiException {
        return view(accounts.findById(uid), "uid " + uid);
    }

    public UserView byUsername(String username) throws ApiException {
        return view(accounts.findByUsername(username), "username '" + username + "'");
    }

    private UserView view(Optional<Account> found, String what) throws ApiException {
        Account a = found.orElseThrow(() -> new ApiException(404, "NOT_FOUND", "no account with " + what));
        long now = clock.millis();
        Map<Kind, Restriction> r = restrictions.find(a.uid());
        return new UserView(a.uid(), a.username(), a.nickname(), a.createdAt(), active(r.get(Kind.BAN), now),
                active(r.get(Kind.MUTE), now), devices(a.uid()));
    }

    private static RestrictionView active(Restriction r, long now) {
        return r == null || !r.activeAt(now) ? null : RestrictionView.of(r);
    }

    private List<DeviceView> devices(long uid) throws ApiException {
        Map<String, DeviceSession> byDevice = new TreeMap<>();
        for (DeviceSession s : sessions.findByUid(uid)) {
            byDevice.put(s.deviceId(), s);
        }
        Map<String, Route> online = new TreeMap<>();
        for (Route route : routes(uid)) {
            online.put(route.deviceId(), route);
        }
        TreeMap<String, Boolean> all = new TreeMap<>();
        byDevice.keySet().forEach(d -> all.put(d, true));
        online.keySet().forEach(d -> all.put(d, true));
        List<DeviceView> out = new ArrayList<>(all.size());
        for (String device : all.keySet()) {
            DeviceSession s = byDevice.get(device);
            Route route = online.get(device);
            String platform = s != null ? Optional.ofNullable(Platform.forNumber(s.platform())).map(Enum::name)
                    .orElse("UNKNOWN_" + s.platform()) : route.platform();
            out.add(new DeviceView(device, platform, s == null ? null : s.appId(), s != null,
                    s == null ? null : s.createdAt(), s == null ? null : s.refreshedAt(), route != null,
                    route == null ? null : route.gateId(), route == null ? null : route.connectionId(),
                    route == null ? null : route.loginAtMillis()));
        }
        return out;
    }

    private List<Route> routes(long uid) throws ApiException {
        if (routes == null) {
            return List.of();
        }
        try {
            return routes.lookup(List.of(uid)).get(REDIS_WAIT_MS, TimeUnit.MILLISECONDS).getOrDefault(uid, List.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw busy(uid, e);
        } catch (ExecutionException | TimeoutException e) {
            throw busy(uid, e);
        }
    }

    private static ApiException busy(long uid, Exception e) {
        ApiException busy = new ApiException(503, "SERVER_BUSY", "the route table (Redis) did not answer in "
                + REDIS_WAIT_MS + " ms while looking up uid " + uid + "; try again later");
        busy.initCause(e);
        return busy;
    }
}
