package io.magpie.gate.internal;

import io.magpie.registry.ActiveSessions;
import io.magpie.protocol.Command;
import io.magpie.protocol.Frame;
import io.netty.channel.ChannelHandlerContext;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LOGOUT of a logged-in connection: marks the token's device session logged out in the shared session
 * store (so the token cannot LOGIN again at any gate, and the account API ends the session in MySQL at
 * its next look, refusing the token and its refresh token), then closes the connection. The close waits
 * for the store's answer (asynchronously, reads paused), so a client that sees the close knows the
 * token is dead; if the store fails, that is logged and the connection closes anyway. Other frames are left to the
 * next part until then, and dropped after. The first session part; one instance per connection, created at login.
 */
public final class LogoutCommand implements SessionPart {

    private static final Logger log = LoggerFactory.getLogger(LogoutCommand.class);
    /** Lifetime of a logout mark when the store had no entry: the longest refresh-token lifetime allowed. */
    static final Duration MARK_TTL_IF_ABSENT = Duration.ofDays(365);

    private final long sessionId;
    private final ActiveSessions activeSessions;
    private boolean loggingOut;

    /** @param sessionId the device session of the token this connection logged in with; 0 = unbound */
    public LogoutCommand(long sessionId, ActiveSessions activeSessions) {
        this.sessionId = sessionId;
        this.activeSessions = Objects.requireNonNull(activeSessions, "activeSessions");
    }

    @Override
    public boolean read(ChannelHandlerContext ctx, Session session, Frame frame) {
        if (loggingOut) {
            return true; // the connection is closing: nothing after LOGOUT counts
        }
        if (!frame.is(Command.LOGOUT)) {
            return false;
        }
        loggingOut = true;
        ctx.channel().config().setAutoRead(false);
        if (sessionId == 0) {
            session.identify(log.atInfo())
                    .log("{} logged out (token not bound to a session); closing connection", session.logPrefix());
            ctx.flush(); // the answers of this read before the LOGOUT go out first
            ctx.close();
            return true;
        }
        activeSessions.logout(session.uid(), session.deviceId(), sessionId, MARK_TTL_IF_ABSENT)
                .whenCompleteAsync((ok, error) -> {
                    if (error != null) {
                        session.identify(log.atWarn())
                                .log("{} logged out, but the session store did not record it; the token stays valid"
                                + " until it expires or is revoked over HTTP", session.logPrefix(), error);
                    } else {
                        session.identify(log.atInfo())
                                .log("{} logged out; session revoked, closing connection", session.logPrefix());
                    }
                    ctx.flush();
                    ctx.close();
                }, ctx.executor());
        return true;
    }
}
