package io.magpie.gate.internal;

import io.magpie.registry.ActiveSessions;
import io.magpie.gate.DevicePolicy;
import io.magpie.protocol.auth.TokenCodec;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * What every {@link LoginHandler} of a gate shares. Immutable holder of thread-safe parts.
 *
 * @param gateId            this gate's id
 * @param loginTimeout      connect-to-LOGIN_ACK deadline
 * @param heartbeatSeconds  PING interval told to clients in LOGIN_ACK
 * @param clock             login times and server time
 * @param tokens            verifies login tokens locally
 * @param connectionIds     next connection id of this gate
 * @param sessionRoutes     local session table + shared route table
 * @param kicker            kicks the older session of a device that logs in again
 * @param devicePolicy      which sessions of one user may be online together
 * @param activeSessions    the current session of each device: a token of another session is refused at
 *                          LOGIN (revoked); LOGOUT marks the session logged out
 * @param servedApps        the apps whose tokens may log in here ({@code gate.app-ids})
 */
public record LoginServices(String gateId, Duration loginTimeout, int heartbeatSeconds, Clock clock, TokenCodec tokens,
        LongSupplier connectionIds, SessionRoutes sessionRoutes, DuplicateSessionKicker kicker,
        DevicePolicy devicePolicy, ActiveSessions activeSessions, ServedApps servedApps) {

    /** Serving every app. */
    public LoginServices(String gateId, Duration loginTimeout, int heartbeatSeconds, Clock clock, TokenCodec tokens,
            LongSupplier connectionIds, SessionRoutes sessionRoutes, DuplicateSessionKicker kicker,
            DevicePolicy devicePolicy, ActiveSessions activeSessions) {
        this(gateId, loginTimeout, heartbeatSeconds, clock, tokens, connectionIds, sessionRoutes, kicker, devicePolicy,
                activeSessions, ServedApps.ALL);
    }

    /** Without a session store: tokens bound to a device session are refused, unbound ones (tests) pass. */
    public LoginServices(String gateId, Duration loginTimeout, int heartbeatSeconds, Clock clock, TokenCodec tokens,
            LongSupplier connectionIds, SessionRoutes sessionRoutes, DuplicateSessionKicker kicker,
            DevicePolicy devicePolicy) {
        this(gateId, loginTimeout, heartbeatSeconds, clock, tokens, connectionIds, sessionRoutes, kicker, devicePolicy,
                ActiveSessions.NONE);
    }

    public LoginServices {
        Objects.requireNonNull(gateId, "gateId");
        Objects.requireNonNull(loginTimeout, "loginTimeout");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(connectionIds, "connectionIds");
        Objects.requireNonNull(sessionRoutes, "sessionRoutes");
        Objects.requireNonNull(kicker, "kicker");
        Objects.requireNonNull(devicePolicy, "devicePolicy");
        Objects.requireNonNull(activeSessions, "activeSessions");
        Objects.requireNonNull(servedApps, "servedApps");
    }
}
